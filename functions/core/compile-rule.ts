/**
 * The server's path for screening rules: three-valued (Kleene) JsonLogic compiled to JavaScript
 * once per catalog load, unknown included. A missing or "not sure" answer (`isKnownAnswer`) is
 * unknown inside the compiled code itself, so no rule ever falls back to the interpreter on the
 * request path, whichever answers a patient leaves out.
 *
 * The compiled code gives every operator the meaning the interpreter in `rules.ts` gives it (the
 * operand semantics are the interpreter's own exported functions, and a property test checks the
 * two agree on generated rules and answers, complete, partial and "not sure"). `json-logic-engine`'s
 * `build()`, used here before, is two-valued: it cannot represent "unknown", which is why every rule
 * reading an unanswered question used to go back to the interpreter.
 *
 * Rules are compiled by **shape**: the rule with its number and string literals taken out as
 * parameters. Rules that differ only in a limit (`age >= 18`, `age >= 21`, every trial's own age
 * range) share one generated function, which loops over all of them with their parameters in one
 * call, so V8 parses, optimises and inlines a few dozen loops however many distinct rules a catalog
 * has, and a screening evaluates each distinct rule exactly once (`RuleProgram`).
 *
 * A rule is generated once per shape: the literals of every later rule of that shape (found by a
 * walk that writes the rule with its literals blanked, `abstractRule`) are read from where the
 * first one's were, so a catalog of 100,000 rules differing only in their limits generates a few
 * dozen. The generator itself only ever sees a rule whose literals are numbered placeholders.
 *
 * A **membership** (`{"in": ["sciatica", {"var": "diagnoses"}]}`, an option of a multi-choice
 * answer) is the costly part of most rules and the part distinct rules share most: it is decided
 * once per screening for every rule that contains it, and the rules read its value by number.
 *
 * Kept apart from `rules.ts` so the browser bundle, which only needs `evaluateRule`, never pulls
 * in the code generator (nor its use of `new Function`, which a strict Content-Security-Policy forbids).
 */
import { isKnownAnswer } from './answers';
import type { Answers, JsonLogicRule } from './model';
import {
  compareBetween,
  compareValues,
  containsValue,
  isTruthy,
  ruleVariables,
  unsupportedOperators,
  type Comparison,
  type RuleOutcome,
} from './rules';

/** A rule's outcome as compiled rules store it, one byte per rule in `RuleValues`. */
export const NOT_MET = 0;
export const MET = 1;
export const UNKNOWN = 2;
export type OutcomeCode = typeof NOT_MET | typeof MET | typeof UNKNOWN;

/** A rule compiled once, evaluated many times. */
export interface CompiledRule {
  /** Where this rule's outcome is in the `RuleValues` of its compiler's programs. */
  readonly slot: number;
  /** The question ids the rule reads. */
  readonly variables: readonly string[];
  /** Three-valued evaluation of this rule alone: `true` met, `false` not met, `undefined` unknown. */
  evaluate(answers: Answers): RuleOutcome;
}

/** Every rule of a program evaluated for one screening: an `OutcomeCode` per `CompiledRule.slot`. */
export type RuleValues = Uint8Array;

/** A set of compiled rules evaluated together, each distinct rule once per screening. */
export interface RuleProgram {
  /**
   * Reads each question the rules read once (`isKnownAnswer`: a missing or "not sure" answer is
   * unknown), then runs every distinct rule once. Slots of rules outside the program are unknown.
   */
  evaluate(answers: Answers): RuleValues;
}

/** Compiles the rules of one catalog. */
export interface RuleCompiler {
  /**
   * Compiles a rule, or returns the rule compiled earlier that is written the same way (the
   * registry's age limits, "not pregnant", ...): criteria written alike share one slot, so their
   * value is computed once per screening. Throws like `compileRule`.
   */
  compile(rule: JsonLogicRule): CompiledRule;
  /** A program over these rules (duplicates are evaluated once). */
  program(rules: Iterable<CompiledRule>): RuleProgram;
}

/**
 * Compiles a rule once. Throws when the rule uses an operator screening rules do not support,
 * so a bad catalog fails when it is loaded rather than giving wrong answers later.
 */
export function compileRule(rule: JsonLogicRule): CompiledRule {
  return createRuleCompiler().compile(rule);
}

/**
 * A generated function: evaluates every rule of one shape, `slots.length` of them, into `out`, from
 * the screening's answers by question number (`values`) and its memberships by number (`memberships`).
 */
type ShapeFunction = (
  values: readonly unknown[],
  parameters: readonly unknown[],
  numbers: Float64Array,
  slots: Int32Array,
  out: Uint8Array,
  memberships: readonly RuleOutcome[],
) => void;

interface Shape {
  run: ShapeFunction;
}

interface DistinctRule {
  compiled: CompiledRule;
  shape: Shape;
  parameters: unknown[];
  /** The rule's number literals, apart: one flat typed array per shape holds them unboxed. */
  numbers: number[];
  questionNumbers: readonly number[];
  /** The memberships the rule reads (`Membership`), by number. */
  membershipNumbers: number[];
}

/**
 * Where a generated function's parameter comes from in a rule of its shape: one of the rule's
 * string literals (numbered in `abstractRule` order), a list of literals (the placeholders of which
 * are literal numbers), or the membership of a literal option in a question's answer. Number
 * literals are apart (`ShapeTemplate.numberSources`).
 */
type ParameterSource = { literal: number } | { list: unknown[] } | { option: number; questionId: string };

/** What every rule of one shape shares: its generated function, where its parameters come from, what it reads. */
interface ShapeTemplate {
  shape: Shape;
  sources: ParameterSource[];
  /** Where its number parameters come from: literals, by number (`abstractRule` order). */
  numberSources: number[];
  variables: readonly string[];
  /** The numbers of `variables` (`numberOf`). */
  questionNumbers: readonly number[];
}

/** `{"in": [option, {"var": question}]}`: decided once per screening for every rule that reads it. */
interface Membership {
  questionNumber: number;
  option: string;
}

/** A compiler for one catalog: use one per catalog, so what it shares is released with it. */
export function createRuleCompiler(): RuleCompiler {
  const questionIds: string[] = [];
  const numbers = new Map<string, number>();
  const numberOf = (questionId: string): number => {
    let number = numbers.get(questionId);
    if (number === undefined) {
      number = questionIds.push(questionId) - 1;
      numbers.set(questionId, number);
    }
    return number;
  };
  const memberships: Membership[] = [];
  const membershipNumbers = new Map<string, number>();
  const membershipOf = (questionId: string, option: string): number => {
    const questionNumber = numberOf(questionId);
    const key = `${questionNumber}:${option}`;
    let number = membershipNumbers.get(key);
    if (number === undefined) {
      number = memberships.push({ questionNumber, option }) - 1;
      membershipNumbers.set(key, number);
    }
    return number;
  };
  const shapes = new Map<string, Shape>();
  const templates = new Map<string, ShapeTemplate>();
  const distinct: DistinctRule[] = [];
  // A rule's identity is its shape key and its literals (`abstractRule`): rules written alike get
  // one slot and one value per screening. Two rules written with their keys in another order merely
  // miss the sharing; two that differ only in a `var` default (ignored) share it.
  const byIdentity = new Map<string, CompiledRule>();

  const shapeOf = (body: string): Shape => {
    let shape = shapes.get(body);
    if (shape === undefined) {
      shape = { run: generate(body) };
      shapes.set(body, shape);
    }
    return shape;
  };

  const program = (rules: Iterable<CompiledRule>): RuleProgram => {
    const slots = new Set<number>();
    for (const rule of rules) slots.add(rule.slot);
    return createProgram(
      [...slots].map((slot) => distinct[slot]!),
      questionIds,
      memberships,
      distinct.length,
    );
  };

  return {
    compile(rule) {
      const literals: Literal[] = [];
      const key = abstractRule(rule, literals);
      // A rule that is not JSON data has no identity: it is compiled on its own.
      const identity = key === undefined ? undefined : `${key}\u0000${JSON.stringify(literals)}`;
      const existing = identity === undefined ? undefined : byIdentity.get(identity);
      if (existing !== undefined) return existing;

      let template = key === undefined ? undefined : templates.get(key);
      if (template === undefined) {
        // Operators and question ids are written out in the key: a rule of a known shape uses the same ones.
        const unsupported = unsupportedOperators(rule);
        if (unsupported.length > 0) throw new Error(`Rule uses unsupported operators: ${unsupported.join(', ')}`);
        const { body, sources, numberSources } = new Generator(numberOf).rule(numberLiterals(rule));
        const variables = ruleVariables(rule);
        template = { shape: shapeOf(body), sources, numberSources, variables, questionNumbers: variables.map(numberOf) };
        if (key !== undefined) templates.set(key, template);
      }
      const { variables, shape, questionNumbers } = template;
      const { parameters, membershipNumbers } = parametersOf(template.sources, literals, membershipOf);
      const numbers = template.numberSources.map((literal) => literals[literal] as number);
      const slot = distinct.length;
      let alone: RuleProgram | undefined;
      const compiled: CompiledRule = {
        slot,
        variables,
        evaluate(answers) {
          alone ??= program([compiled]);
          return outcomeOf(alone.evaluate(answers)[slot] as OutcomeCode);
        },
      };
      distinct.push({ compiled, shape, parameters, numbers, questionNumbers, membershipNumbers });
      if (identity !== undefined) byIdentity.set(identity, compiled);
      return compiled;
    },
    program,
  };
}

// ---- shapes ----------------------------------------------------------------------------------

/** A literal of a rule outside `var`: what the generated code reads as a parameter. */
type Literal = number | string;

/**
 * A rule's shape key: the rule written out with every number and string outside `var` blanked (and
 * collected into `literals`, depth first), operators, list lengths, booleans, nulls and question
 * ids as they are. The generator decides only on what the key keeps, so rules with one key share
 * one generated function and their literals are where the first rule's were. Undefined for a value
 * that is not JSON, or a number JSON text does not tell apart (-0 written as 0): such a rule is
 * compiled on its own, never mistaken for another.
 */
function abstractRule(rule: unknown, literals: Literal[]): string | undefined {
  let json = true;
  const walk = (node: unknown): string => {
    if (typeof node === 'number' || typeof node === 'string') {
      if (typeof node === 'number' && (!Number.isFinite(node) || Object.is(node, -0))) json = false;
      literals.push(node);
      return typeof node === 'number' ? '#' : '$';
    }
    if (node === null) return 'n';
    if (node === undefined) return 'u';
    if (typeof node === 'boolean') return node ? 't' : 'f';
    if (typeof node !== 'object') {
      json = false;
      return '?';
    }
    if (Array.isArray(node)) {
      let key = '[';
      for (let i = 0; i < node.length; i++) key += (i > 0 ? ',' : '') + walk(node[i]);
      return `${key}]`;
    }
    const keys = Object.keys(node);
    const record = node as Record<string, unknown>;
    // A `var` is read by its path alone (`Generator.variable`), its default ignored.
    if (keys.length === 1 && keys[0] === 'var') return `{var:${JSON.stringify(varPathOf(record.var) ?? null)}}`;
    let key = '{';
    for (const name of keys) key += `${JSON.stringify(name)}:${walk(record[name])};`;
    return `${key}}`;
  };
  const key = walk(rule);
  return json ? key : undefined;
}

/**
 * The rule the generator sees: each literal outside `var` replaced by its number in `abstractRule`
 * order, a number by that number and a string by that number written as a string, so the
 * generator sees every literal's type and never its value.
 */
function numberLiterals(rule: unknown): unknown {
  let next = 0;
  const walk = (node: unknown): unknown => {
    if (typeof node === 'number') return next++;
    if (typeof node === 'string') return String(next++);
    if (node === null || typeof node !== 'object') return node;
    if (Array.isArray(node)) return node.map(walk);
    const keys = Object.keys(node);
    if (keys.length === 1 && keys[0] === 'var') return node;
    const record = node as Record<string, unknown>;
    return Object.fromEntries(keys.map((name) => [name, walk(record[name])]));
  };
  return walk(rule);
}

/** A rule's parameters, from the literals of the rule (`abstractRule`) and where its shape reads them. */
function parametersOf(
  sources: readonly ParameterSource[],
  literals: readonly Literal[],
  membershipOf: (questionId: string, option: string) => number,
): { parameters: unknown[]; membershipNumbers: number[] } {
  const parameters = new Array<unknown>(sources.length);
  const membershipNumbers: number[] = [];
  for (let i = 0; i < sources.length; i++) {
    const source = sources[i]!;
    if ('literal' in source) parameters[i] = literals[source.literal];
    else if ('list' in source) parameters[i] = listOf(source.list, literals);
    else {
      const number = membershipOf(source.questionId, literals[source.option] as string);
      membershipNumbers.push(number);
      parameters[i] = number;
    }
  }
  return { parameters, membershipNumbers };
}

/** A list of literals with its placeholders replaced by the rule's own: a new list per rule, as the interpreter builds one. */
function listOf(template: readonly unknown[], literals: readonly Literal[]): unknown[] {
  return template.map((item) =>
    Array.isArray(item)
      ? listOf(item, literals)
      : typeof item === 'number' || typeof item === 'string'
        ? literals[Number(item)]
        : item,
  );
}

/** The three-valued outcome of an outcome code. */
export function outcomeOf(code: OutcomeCode): RuleOutcome {
  return code === UNKNOWN ? undefined : code === MET;
}

// ---- programs -------------------------------------------------------------------------------

interface ShapeGroup {
  run: ShapeFunction;
  parameters: unknown[];
  numbers: Float64Array;
  slots: Int32Array;
}

function createProgram(
  rules: readonly DistinctRule[],
  questionIds: readonly string[],
  allMemberships: readonly Membership[],
  slotCount: number,
): RuleProgram {
  const byShape = new Map<Shape, DistinctRule[]>();
  const read = new Set<number>();
  const decided = new Set<number>();
  for (const rule of rules) {
    const group = byShape.get(rule.shape);
    if (group === undefined) byShape.set(rule.shape, [rule]);
    else group.push(rule);
    for (const number of rule.questionNumbers) read.add(number);
    for (const number of rule.membershipNumbers) decided.add(number);
  }
  const groups: ShapeGroup[] = [...byShape].map(([shape, members]) => ({
    run: shape.run,
    // One flat list per shape (each rule's parameters one after another): one array to walk.
    parameters: members.flatMap((member) => member.parameters),
    numbers: Float64Array.from(members.flatMap((member) => member.numbers)),
    slots: Int32Array.from(members, (member) => member.compiled.slot),
  }));
  const questionCount = questionIds.length;
  const readNumbers = Int32Array.from([...read].sort((a, b) => a - b));
  const readIds = [...readNumbers].map((number) => questionIds[number]!);
  const membershipCount = allMemberships.length;
  const membershipNumbers = Int32Array.from(decided);
  const membershipQuestions = Int32Array.from(decided, (number) => allMemberships[number]!.questionNumber);
  const membershipOptions = [...decided].map((number) => allMemberships[number]!.option);

  return {
    evaluate(answers) {
      // Each question once per screening: a rule reads its answer by number, and an unknown
      // answer (missing or "not sure") is `undefined`, which no known answer ever is.
      const values = new Array<unknown>(questionCount).fill(undefined);
      for (let i = 0; i < readNumbers.length; i++) {
        const questionId = readIds[i]!;
        if (isKnownAnswer(answers, questionId)) values[readNumbers[i]!] = answers[questionId];
      }
      // Each membership once, as the generated code would decide it inline (`membership` below).
      const memberships = new Array<RuleOutcome>(membershipCount).fill(undefined);
      for (let i = 0; i < membershipNumbers.length; i++) {
        const answer = values[membershipQuestions[i]!];
        if (answer !== undefined) memberships[membershipNumbers[i]!] = containsValue(membershipOptions[i], answer);
      }
      // Slots outside the program stay unknown: never "met", never "not met" by accident.
      const out = new Uint8Array(slotCount).fill(UNKNOWN);
      for (let g = 0; g < groups.length; g++) {
        const group = groups[g]!;
        group.run(values, group.parameters, group.numbers, group.slots, out, memberships);
      }
      return out;
    },
  };
}

// ---- code generation ------------------------------------------------------------------------

/**
 * What the generated code may call: the interpreter's own operand semantics for the slow paths
 * (the fast paths written inline below are the cases where these would give the same answer).
 */
const RUNTIME = {
  truthy: isTruthy,
  compare: compareValues,
  between: compareBetween,
  contains: containsValue,
  sameValue: Object.is,
};

function generate(body: string): ShapeFunction {
  // The body is built only from the rule's structure (operators, question numbers, parameter
  // positions, booleans and null); every string and number of the rule is a parameter, read from
  // `p`, never spliced into the code.
  const factory = new Function(
    'R',
    `"use strict";const {truthy,compare,between,contains,sameValue}=R;return function compiledShape(v,p,q,slots,out,m){${body}};`,
  );
  return factory(RUNTIME) as ShapeFunction;
}

/** How the generated code may treat a value it computed. */
type Kind =
  /** `true`, `false` or `undefined` (unknown). */
  | 'boolean'
  /** Any value, or `undefined` (unknown). */
  | 'any'
  /** A number parameter (never unknown). */
  | 'number'
  /** A string parameter (never unknown). */
  | 'string'
  /** Another constant: `true`, `false`, `null`, or a list of literals (never unknown). */
  | 'constant'
  /** Always unknown (a malformed part of a rule). */
  | 'unknown';

interface Ref {
  /** A JavaScript expression without side effects: a local, a parameter read or a literal. */
  code: string;
  kind: Kind;
}

const UNKNOWN_REF: Ref = { code: 'undefined', kind: 'unknown' };
const NULL_REF: Ref = { code: 'null', kind: 'constant' };
const COMPARISONS = new Set<string>(['==', '!=', '===', '!==', '<', '<=', '>', '>=']);

const mayBeUnknown = (ref: Ref) => ref.kind === 'any' || ref.kind === 'boolean' || ref.kind === 'unknown';
const truthy = (ref: Ref) => (ref.kind === 'boolean' ? ref.code : `truthy(${ref.code})`);

/**
 * Turns one rule into the body of a shape function. Every operator is written out as statements
 * over locals, `undefined` standing for unknown; labelled blocks give Kleene logic its early exits
 * (the first false operand of an `and`) without evaluating the rest.
 */
class Generator {
  private readonly lines: string[] = [];
  private readonly sources: ParameterSource[] = [];
  private readonly numberSources: number[] = [];
  private locals = 0;

  constructor(private readonly numberOf: (questionId: string) => number) {}

  /** The body of a rule whose literals are numbered (`numberLiterals`), and where its parameters come from. */
  rule(rule: unknown): { body: string; sources: ParameterSource[]; numberSources: number[] } {
    const result = this.emit(rule);
    const outcome =
      result.kind === 'unknown'
        ? String(UNKNOWN)
        : mayBeUnknown(result)
          ? `${result.code}===undefined?${UNKNOWN}:${truthy(result)}?${MET}:${NOT_MET}`
          : `${truthy(result)}?${MET}:${NOT_MET}`;
    const declarations = this.locals > 0 ? `let ${Array.from({ length: this.locals }, (_, i) => `t${i}`).join(',')};` : '';
    const arity = this.sources.length;
    const numberArity = this.numberSources.length;
    const base = `${arity > 0 ? `const o=i*${arity};` : ''}${numberArity > 0 ? `const n=i*${numberArity};` : ''}`;
    const body = `for(let i=0,n=slots.length;i<n;i++){${base}${declarations}${this.lines.join('')}out[slots[i]]=${outcome};}`;
    return { body, sources: this.sources, numberSources: this.numberSources };
  }

  private local(): string {
    return `t${this.locals++}`;
  }

  private label(): string {
    return `b${this.locals++}`;
  }

  private parameter(source: ParameterSource, kind: Kind): Ref {
    this.sources.push(source);
    return { code: `p[o+${this.sources.length - 1}]`, kind };
  }

  private emit(node: unknown): Ref {
    if (Array.isArray(node)) return this.list(node);
    if (node === null || node === undefined) return NULL_REF;
    if (typeof node === 'number') {
      // Unboxed, from a Float64Array: a number read from a list of any values is a pointer to follow.
      this.numberSources.push(node);
      return { code: `q[n+${this.numberSources.length - 1}]`, kind: 'number' };
    }
    if (typeof node === 'string') return this.parameter({ literal: Number(node) }, 'string');
    if (typeof node === 'boolean') return { code: String(node), kind: 'constant' };
    if (typeof node !== 'object') return UNKNOWN_REF;

    const keys = Object.keys(node);
    if (keys.length !== 1) return UNKNOWN_REF;
    const operator = keys[0]!;
    const args = (node as Record<string, unknown>)[operator];
    if (operator === 'var') return this.variable(args);
    if (COMPARISONS.has(operator)) return this.comparison(operator as Comparison, args);
    switch (operator) {
      case '!':
      case '!!': {
        // A single argument may be written bare or wrapped in a one-element list.
        const operand = this.emit(Array.isArray(args) ? args[0] : args);
        if (operand.kind === 'unknown') return UNKNOWN_REF;
        const value = `${operator === '!' ? '!' : ''}${truthy(operand)}`;
        return this.assign(mayBeUnknown(operand) ? `${operand.code}===undefined?undefined:${value}` : value, 'boolean');
      }
      case 'and':
      case 'or':
        return Array.isArray(args) ? this.kleene(args, operator === 'or') : UNKNOWN_REF;
      case 'in':
        return Array.isArray(args) ? this.membership(args[0], args[1]) : UNKNOWN_REF;
      case 'if':
        return Array.isArray(args) ? this.ifThenElse(args, 0) : UNKNOWN_REF;
      default:
        return UNKNOWN_REF;
    }
  }

  private assign(expression: string, kind: Kind): Ref {
    const name = this.local();
    this.lines.push(`${name}=${expression};`);
    return { code: name, kind };
  }

  private variable(args: unknown): Ref {
    // A `var` default is ignored on purpose, as the interpreter does: a missing answer stays unknown.
    const path = varPathOf(args);
    return path === undefined ? UNKNOWN_REF : { code: `v[${this.numberOf(path)}]`, kind: 'any' };
  }

  /** A list: a constant when it holds only literals, else built when no element is unknown. */
  private list(items: unknown[]): Ref {
    // Built anew for each rule (`listOf`): the interpreter builds a new list each time, so no two lists are ever the same object.
    if (items.every(isLiteral)) return this.parameter({ list: items }, 'constant');
    const result = this.local();
    const label = this.label();
    this.lines.push(`${result}=undefined;${label}:{`);
    const elements: string[] = [];
    for (const item of items) {
      const element = this.emit(item);
      if (element.kind === 'unknown') {
        this.lines.push(`break ${label};`);
        break;
      }
      if (mayBeUnknown(element)) this.lines.push(`if(${element.code}===undefined)break ${label};`);
      elements.push(element.code);
    }
    this.lines.push(`${result}=[${elements.join(',')}];}`);
    return { code: result, kind: 'any' };
  }

  /** Operands evaluated in order; the first unknown one makes the result unknown. */
  private operands(args: unknown[], label: string): Ref[] | undefined {
    const refs: Ref[] = [];
    for (const arg of args) {
      const ref = this.emit(arg);
      if (ref.kind === 'unknown') return undefined;
      if (mayBeUnknown(ref)) this.lines.push(`if(${ref.code}===undefined)break ${label};`);
      refs.push(ref);
    }
    return refs;
  }

  private comparison(operator: Comparison, args: unknown): Ref {
    if (!Array.isArray(args) || args.length < 2 || args.length > 3) return UNKNOWN_REF;
    // The three-argument "between" form exists only for `<` and `<=` (`{"<=": [18, age, 65]}`).
    if (args.length === 3 && operator !== '<' && operator !== '<=') return UNKNOWN_REF;
    const result = this.local();
    const label = this.label();
    this.lines.push(`${result}=undefined;${label}:{`);
    const refs = this.operands(args, label);
    if (refs === undefined) {
      this.lines.push('}');
      return UNKNOWN_REF;
    }
    const op = JSON.stringify(operator);
    let expression: string;
    if (refs.length === 3) {
      const [low, middle, high] = refs as [Ref, Ref, Ref];
      const slow = `between(${op},${low.code},${middle.code},${high.code})`;
      expression =
        low.kind === 'number' && high.kind === 'number'
          ? `typeof ${middle.code}==='number'&&${middle.code}===${middle.code}?${low.code}${operator}${middle.code}&&${middle.code}${operator}${high.code}:${slow}`
          : slow;
    } else {
      expression = comparisonCode(operator, refs[0]!, refs[1]!);
    }
    this.lines.push(`${result}=${expression};}`);
    return { code: result, kind: 'boolean' };
  }

  private membership(itemNode: unknown, collectionNode: unknown): Ref {
    // An option of an answer: decided once per screening (`Membership`), read here by number.
    const questionId = varQuestion(collectionNode);
    if (typeof itemNode === 'string' && questionId !== undefined) {
      return { code: `m[${this.parameter({ option: Number(itemNode), questionId }, 'number').code}]`, kind: 'boolean' };
    }
    const result = this.local();
    const label = this.label();
    this.lines.push(`${result}=undefined;${label}:{`);
    // A missing operand reads as null, as the interpreter's `undefined` does (`!collection`).
    const refs = this.operands([itemNode ?? null, collectionNode ?? null], label);
    if (refs === undefined) {
      this.lines.push('}');
      return UNKNOWN_REF;
    }
    const [item, collection] = refs as [Ref, Ref];
    // A multi-choice answer is a list: the common case, checked inline.
    this.lines.push(
      `${result}=Array.isArray(${collection.code})?${collection.code}.includes(${item.code}):contains(${item.code},${collection.code});}`,
    );
    return { code: result, kind: 'boolean' };
  }

  /**
   * Kleene `and` (`decisive` false) and `or` (`decisive` true): the first operand whose truthiness
   * is decisive is the result; otherwise unknown if any operand was unknown, else the last value.
   */
  private kleene(args: unknown[], decisive: boolean): Ref {
    if (args.length === 0) return NULL_REF;
    const result = this.local();
    const unknown = this.local();
    const label = this.label();
    this.lines.push(`${unknown}=false;${label}:{`);
    let last: Ref = NULL_REF;
    let allBoolean = true;
    for (const arg of args) {
      const operand = this.emit(arg);
      last = operand;
      if (operand.kind !== 'boolean') allBoolean = false;
      if (operand.kind === 'unknown') {
        this.lines.push(`${unknown}=true;`);
        continue;
      }
      const decides = operand.kind === 'boolean' ? `${operand.code}===${decisive}` : `${decisive ? '' : '!'}${truthy(operand)}`;
      const assign = `{${result}=${operand.code};break ${label};}`;
      this.lines.push(
        mayBeUnknown(operand)
          ? `if(${operand.code}===undefined)${unknown}=true;else if(${decides})${assign}`
          : `if(${decides})${assign}`,
      );
    }
    // Reached only when no operand decided: the last one was then known unless `unknown` is set.
    this.lines.push(`${result}=${unknown}?undefined:${last.kind === 'unknown' ? 'undefined' : last.code};}`);
    return { code: result, kind: allBoolean ? 'boolean' : 'any' };
  }

  /**
   * `if` with any number of else-if pairs. When a condition is unknown the result is known only if
   * both possible branches give the same value; each branch is written once and run only if needed.
   */
  private ifThenElse(args: unknown[], from: number): Ref {
    const remaining = args.length - from;
    if (remaining <= 0) return NULL_REF;
    if (remaining === 1) return this.emit(args[from]);
    const condition = this.emit(args[from]);
    const state = this.local();
    const whenTrue = this.local();
    const whenFalse = this.local();
    const result = this.local();
    // 0 false, 1 true, 2 unknown.
    this.lines.push(
      condition.kind === 'unknown'
        ? `${state}=2;`
        : `${state}=${mayBeUnknown(condition) ? `${condition.code}===undefined?2:` : ''}${truthy(condition)}?1:0;`,
    );
    this.lines.push(`if(${state}!==0){`);
    const trueRef = this.emit(args[from + 1]);
    this.lines.push(`${whenTrue}=${trueRef.code};}`);
    this.lines.push(`if(${state}!==1){`);
    const falseRef = this.ifThenElse(args, from + 2);
    this.lines.push(`${whenFalse}=${falseRef.code};}`);
    this.lines.push(
      `${result}=${state}===1?${whenTrue}:${state}===0?${whenFalse}:${whenTrue}!==undefined&&sameValue(${whenTrue},${whenFalse})?${whenTrue}:undefined;`,
    );
    const kind: Kind = trueRef.kind === 'boolean' && falseRef.kind === 'boolean' ? 'boolean' : 'any';
    return { code: result, kind };
  }
}

/** The question a `var` with a written-out path reads (as `Generator.variable` reads it), else undefined. */
function varQuestion(node: unknown): string | undefined {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
  const keys = Object.keys(node);
  if (keys.length !== 1 || keys[0] !== 'var') return undefined;
  return varPathOf((node as { var: unknown }).var);
}

/** The question a `var`'s arguments name (`{"var": "age"}`, `{"var": ["age", 30]}`), or undefined when computed. */
function varPathOf(args: unknown): string | undefined {
  const path = Array.isArray(args) ? args[0] : args;
  return typeof path === 'string' || typeof path === 'number' ? String(path) : undefined;
}

/** A JSON value with no operator inside: a literal the interpreter evaluates to itself. */
function isLiteral(value: unknown): boolean {
  if (Array.isArray(value)) return value.every(isLiteral);
  return value === null || typeof value !== 'object';
}

/**
 * Two known operands compared. Fast paths only where `compareValues` would do the same: a number
 * (not NaN) against a number parameter, a string against a string parameter, a boolean tested for
 * (in)equality with a boolean; everything else goes through `compareValues` itself.
 */
function comparisonCode(operator: Comparison, left: Ref, right: Ref): string {
  const op = JSON.stringify(operator);
  const slow = `compare(${op},${left.code},${right.code})`;
  if (operator === '===' || operator === '!==') return `${left.code}${operator}${right.code}`;
  const [value, constant] =
    left.kind === 'number' || left.kind === 'string' || left.kind === 'constant' ? [right, left] : [left, right];
  const written = (a: string, b: string) => (constant === left ? `${b}${operator}${a}` : `${a}${operator}${b}`);
  const code = value.code;
  if (constant.kind === 'number') return `typeof ${code}==='number'&&${code}===${code}?${written(code, constant.code)}:${slow}`;
  if (constant.kind === 'string') return `typeof ${code}==='string'?${written(code, constant.code)}:${slow}`;
  if ((constant.code === 'true' || constant.code === 'false') && (operator === '==' || operator === '!=')) {
    const strict = operator === '==' ? '===' : '!==';
    return `typeof ${code}==='boolean'?${code}${strict}${constant.code}:${slow}`;
  }
  return slow;
}
