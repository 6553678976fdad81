/**
 * Screening rules: JsonLogic over a patient's answers, evaluated with three-valued (Kleene) logic.
 *
 * `true` means met, `false` not met and `undefined` unknown. A rule that reads an unanswered
 * question is unknown unless the rest of the rule decides it anyway (`false and unknown` is
 * false), so a missing answer can never make a criterion "met" or a question disappear.
 *
 * This file is loaded by the browser (branching with `showIf`), so it must stay small and free of
 * Node built-ins. It is the reference the server's compiled rules (`compile-rule.ts`) are tested
 * against on generated rules and answers, complete, partial and "not sure"; on known values every
 * operator here copies the semantics of `json-logic-engine`, which a property test checks too.
 */
import { isKnownAnswer } from './answers';
import type { Answers, JsonLogicRule } from './model';

/** The operators a screening rule may use; anything else is rejected by `catalog lint`. */
export const SUPPORTED_OPERATORS = [
  'var',
  '==',
  '===',
  '!=',
  '!==',
  '<',
  '<=',
  '>',
  '>=',
  '!',
  '!!',
  'and',
  'or',
  'in',
  'if',
] as const;
export type SupportedOperator = (typeof SUPPORTED_OPERATORS)[number];

/** The three-valued outcome of a rule: met, not met, or unknown (`undefined`). */
export type RuleOutcome = boolean | undefined;

const SUPPORTED = new Set<string>(SUPPORTED_OPERATORS);

/** Marks a value the interpreter cannot know: it depends on an unanswered question. */
const UNKNOWN: unique symbol = Symbol('unknown');
type Value = unknown;

/**
 * JsonLogic truthiness as `json-logic-engine` defines it: like JavaScript, except that an empty
 * array (a multi-choice question with nothing chosen) and an empty object are false.
 */
export function isTruthy(value: unknown): boolean {
  if (!value) return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value).length > 0;
  return true;
}

/**
 * Evaluates a rule against answers with three-valued logic.
 *
 * An unanswered question, or one answered "not sure" (`NOT_SURE`, see `isKnownAnswer`), makes
 * every comparison that reads it unknown, and unknown propagates
 * (`and` is false if any operand is false; `or` is true if any operand is true; `!` of unknown
 * is unknown). A `var` default (`{"var": ["age", 30]}`) is ignored on purpose: a missing answer
 * stays unknown whatever the rule author assumed. Malformed rules, unsupported operators and type
 * mismatches (comparing a list with a number) are unknown too, never "met"; `catalog lint`
 * reports them before a catalog is loaded.
 *
 * @returns `true` (met), `false` (not met) or `undefined` (unknown).
 */
export function evaluateRule(rule: JsonLogicRule, answers: Answers): RuleOutcome {
  const value = evaluate(rule, answers);
  return value === UNKNOWN ? undefined : isTruthy(value);
}

/**
 * The question ids a rule reads (its `var` paths), each once, in order of first use.
 */
export function ruleVariables(rule: JsonLogicRule): string[] {
  const found = new Set<string>();
  visit(rule, (operator, args) => {
    if (operator !== 'var') return;
    const path = varPath(args);
    if (path !== undefined) found.add(path);
  });
  return [...found];
}

/**
 * The operators a rule uses that screening rules do not support, each once, for `catalog lint`.
 * A `var` whose path is computed rather than written out is reported as `var`, because the
 * variables such a rule reads cannot be known before it runs.
 */
export function unsupportedOperators(rule: JsonLogicRule): string[] {
  const found = new Set<string>();
  visit(rule, (operator, args) => {
    if (!SUPPORTED.has(operator)) found.add(operator);
    else if (operator === 'var' && varPath(args) === undefined) found.add('var');
  });
  return [...found];
}

// ---------------------------------------------------------------------------------------------

type OperatorVisitor = (operator: string, args: unknown) => void;

/** Calls `onOperator` for every operator object in a rule, depth first. */
function visit(rule: unknown, onOperator: OperatorVisitor): void {
  if (Array.isArray(rule)) {
    for (const item of rule) visit(item, onOperator);
    return;
  }
  if (rule === null || typeof rule !== 'object') return;
  const keys = Object.keys(rule);
  if (keys.length !== 1) {
    // JsonLogic has no object literals: an object with several keys is not a rule.
    onOperator(keys.length === 0 ? '{}' : keys.join('+'), undefined);
    return;
  }
  const operator = keys[0]!;
  const args = (rule as Record<string, unknown>)[operator];
  onOperator(operator, args);
  if (operator !== 'var') visit(args, onOperator);
}

/** The literal path of a `var`, or undefined when it is computed by another rule. */
function varPath(args: unknown): string | undefined {
  const path = Array.isArray(args) ? args[0] : args;
  if (typeof path === 'string') return path;
  if (typeof path === 'number') return String(path);
  return undefined;
}

function evaluate(rule: unknown, answers: Answers): Value | typeof UNKNOWN {
  if (Array.isArray(rule)) {
    const values = new Array<unknown>(rule.length);
    for (let i = 0; i < rule.length; i++) {
      const value = evaluate(rule[i], answers);
      if (value === UNKNOWN) return UNKNOWN;
      values[i] = value;
    }
    return values;
  }
  if (rule === null || typeof rule !== 'object') return rule;

  const keys = Object.keys(rule);
  if (keys.length !== 1) return UNKNOWN;
  const operator = keys[0]!;
  const args = (rule as Record<string, unknown>)[operator];

  switch (operator) {
    case 'var':
      return readVar(args, answers);
    case '==':
    case '!=':
    case '===':
    case '!==':
    case '<':
    case '<=':
    case '>':
    case '>=':
      return compare(operator, args, answers);
    case '!':
    case '!!': {
      // A single argument may be written bare or wrapped in a one-element list.
      const operand = evaluate(Array.isArray(args) ? args[0] : args, answers);
      if (operand === UNKNOWN) return UNKNOWN;
      return operator === '!' ? !isTruthy(operand) : isTruthy(operand);
    }
    case 'and':
      return Array.isArray(args) ? and(args, answers) : UNKNOWN;
    case 'or':
      return Array.isArray(args) ? or(args, answers) : UNKNOWN;
    case 'in':
      return contains(args, answers);
    case 'if':
      return Array.isArray(args) ? ifThenElse(args, 0, answers) : UNKNOWN;
    default:
      return UNKNOWN;
  }
}

function readVar(args: unknown, answers: Answers): Value | typeof UNKNOWN {
  const path = varPath(args);
  // The one definition of a value a rule may read: present, own, and not "not sure".
  if (path === undefined || !isKnownAnswer(answers, path)) return UNKNOWN;
  return answers[path];
}

/** Kleene `and`: the first false operand decides; otherwise unknown if any operand is unknown. */
function and(args: unknown[], answers: Answers): Value | typeof UNKNOWN {
  return kleene(args, answers, false);
}

/** Kleene `or`: the first true operand decides; otherwise unknown if any operand is unknown. */
function or(args: unknown[], answers: Answers): Value | typeof UNKNOWN {
  return kleene(args, answers, true);
}

/**
 * Both connectives at once: the first operand whose truthiness is `decisive` decides (as JsonLogic
 * returns that operand); otherwise any unknown operand makes the result unknown, else the last value.
 */
function kleene(args: unknown[], answers: Answers, decisive: boolean): Value | typeof UNKNOWN {
  if (args.length === 0) return null;
  let unknown = false;
  let last: unknown = null;
  for (const arg of args) {
    const value = evaluate(arg, answers);
    if (value === UNKNOWN) unknown = true;
    else if (isTruthy(value) === decisive) return value;
    else last = value;
  }
  return unknown ? UNKNOWN : last;
}

/**
 * `if` with any number of else-if pairs. When a condition is unknown the result is known only if
 * both possible branches give the same value.
 */
function ifThenElse(args: unknown[], from: number, answers: Answers): Value | typeof UNKNOWN {
  const remaining = args.length - from;
  if (remaining <= 0) return null;
  if (remaining === 1) return evaluate(args[from], answers);
  const condition = evaluate(args[from], answers);
  if (condition !== UNKNOWN) {
    return isTruthy(condition) ? evaluate(args[from + 1], answers) : ifThenElse(args, from + 2, answers);
  }
  const whenTrue = evaluate(args[from + 1], answers);
  const whenFalse = ifThenElse(args, from + 2, answers);
  return whenTrue !== UNKNOWN && Object.is(whenTrue, whenFalse) ? whenTrue : UNKNOWN;
}

/** `in`: membership in a list (a multi-choice answer) or a substring of a string. */
function contains(args: unknown, answers: Answers): Value | typeof UNKNOWN {
  if (!Array.isArray(args)) return UNKNOWN;
  const item = evaluate(args[0], answers);
  const collection = evaluate(args[1], answers);
  if (item === UNKNOWN || collection === UNKNOWN) return UNKNOWN;
  return containsValue(item, collection) ?? UNKNOWN;
}

/**
 * `in` over two known values: membership in a list or a substring of a string; `undefined`
 * (unknown) when the collection is neither. Shared with the compiled rules (`compile-rule.ts`).
 */
export function containsValue(item: unknown, collection: unknown): boolean | undefined {
  if (!collection) return false;
  if (Array.isArray(collection)) return collection.includes(item);
  if (typeof collection === 'string') return collection.includes(String(item));
  return undefined;
}

/** The comparison operators of screening rules. */
export type Comparison = '==' | '!=' | '===' | '!==' | '<' | '<=' | '>' | '>=';

function compare(operator: Comparison, args: unknown, answers: Answers): Value | typeof UNKNOWN {
  if (!Array.isArray(args) || args.length < 2 || args.length > 3) return UNKNOWN;
  // The three-argument "between" form exists only for `<` and `<=` (`{"<=": [18, age, 65]}`).
  if (args.length > 2 && operator !== '<' && operator !== '<=') return UNKNOWN;
  const operands = new Array<unknown>(args.length);
  for (let i = 0; i < operands.length; i++) {
    const value = evaluate(args[i], answers);
    if (value === UNKNOWN) return UNKNOWN;
    operands[i] = value;
  }
  const outcome =
    operands.length === 3
      ? compareBetween(operator, operands[0], operands[1], operands[2])
      : compareValues(operator, operands[0], operands[1]);
  return outcome ?? UNKNOWN;
}

/**
 * A comparison of two known values, as `json-logic-engine` compares them: strict operators as
 * they are; loose ones compare strings (or null) as they are and anything else as numbers, where a
 * value that is not a number is a type error, here `undefined` (unknown). Shared with the compiled
 * rules (`compile-rule.ts`), so both evaluators give an operator the same meaning.
 */
export function compareValues(operator: Comparison, left: unknown, right: unknown): boolean | undefined {
  if (operator === '===' || operator === '!==') return apply(operator, left, right);
  if (isStringOrNull(left) && isStringOrNull(right)) return apply(operator, left, right);
  const a = asNumber(left);
  const b = asNumber(right);
  if (a === undefined || b === undefined) return undefined;
  return apply(operator, a, b);
}

/** The "between" form of `<` and `<=` over three known values, as numbers; unknown if one is not. */
export function compareBetween(operator: Comparison, low: unknown, middle: unknown, high: unknown): boolean | undefined {
  const [a, b, c] = [asNumber(low), asNumber(middle), asNumber(high)];
  if (a === undefined || b === undefined || c === undefined) return undefined;
  return apply(operator, a, b) && apply(operator, b, c);
}

function isStringOrNull(value: unknown): value is string | null {
  return value === null || typeof value === 'string';
}

/** The number a loose comparison sees, or undefined where json-logic-engine would throw. */
function asNumber(value: unknown): number | undefined {
  if (value !== null && typeof value === 'object') return undefined;
  const number = Number(value);
  return Number.isNaN(number) ? undefined : number;
}

function apply(operator: Comparison, a: unknown, b: unknown): boolean {
  // The operands are plain JSON values; loose equality is intended where the operator says so.
  const x = a as number;
  const y = b as number;
  switch (operator) {
    case '==':
      return x == y;
    case '!=':
      return x != y;
    case '===':
      return x === y;
    case '!==':
      return x !== y;
    case '<':
      return x < y;
    case '<=':
      return x <= y;
    case '>':
      return x > y;
    case '>=':
      return x >= y;
  }
}
