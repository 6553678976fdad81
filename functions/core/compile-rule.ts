/**
 * The server's fast path for screening rules: each rule is compiled once per catalog load with
 * `json-logic-engine`'s `build()` (a generated function, roughly 15x faster than interpreting)
 * and the compiled function runs whenever every question the rule reads has a known answer
 * (`isKnownAnswer`: answered, and not "not sure"). When some do not, the three-valued interpreter
 * in `rules.ts` decides, so a missing or "not sure" answer is unknown rather than whatever the
 * engine would make of `null` or of the string `"not_sure"`.
 *
 * Kept apart from `rules.ts` so the browser bundle, which only needs `evaluateRule`, never pulls
 * in the engine (nor its use of `new Function`, which a strict Content-Security-Policy forbids).
 */
import { LogicEngine } from 'json-logic-engine';
import { isKnownAnswer } from './answers';
import type { Answers, JsonLogicRule } from './model';
import { evaluateRule, isTruthy, ruleVariables, unsupportedOperators } from './rules';
import type { RuleOutcome } from './rules';

/** A rule compiled once, evaluated many times. */
export interface CompiledRule {
  /** The question ids the rule reads. */
  variables: string[];
  /** Three-valued evaluation: `true` met, `false` not met, `undefined` unknown. */
  evaluate(answers: Answers): RuleOutcome;
  /** `evaluate` for answers checked by the compiler that compiled this rule (`RuleCompiler.check`). */
  evaluateChecked(checked: CheckedAnswers): RuleOutcome;
}

/**
 * A screening's answers with, for every question the compiler's rules read (by the number the
 * compiler gave it), whether its answer is known (`isKnownAnswer`): 1 or 0.
 */
export interface CheckedAnswers {
  answers: Answers;
  answered: Uint8Array;
}

/** Compiles the rules of one catalog. */
export interface RuleCompiler {
  /**
   * Compiles a rule, or returns the rule compiled earlier that is written the same way (the
   * registry's age limits, "not pregnant", ...): each `build()` is a separate generated function
   * that V8 must parse, warm up and optimise on its own, so sharing spares a catalog of thousands
   * of criteria that repeat a few hundred rules most of that work, at load and in its first
   * screenings. A compiled rule holds no state between calls, so sharing changes no result.
   * Throws like `compileRule`.
   */
  compile(rule: JsonLogicRule): CompiledRule;
  /**
   * Checks once per screening which questions the compiled rules read are answered, so each
   * criterion's check is a read of a small array by number: done by question id, per variable of
   * every criterion, it cost about as much as running the compiled rules themselves.
   */
  check(answers: Answers): CheckedAnswers;
}

// One engine per process: it holds no per-request state, only the operator table.
const engine = new LogicEngine();

/**
 * Compiles a rule once. Throws when the rule uses an operator screening rules do not support,
 * so a bad catalog fails when it is loaded rather than giving wrong answers later.
 */
export function compileRule(rule: JsonLogicRule): CompiledRule {
  return createRuleCompiler().compile(rule);
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
  // The rule's JSON text is its identity: catalog rules are JSON data (the schema admits nothing
  // else), and two rules written with their keys in another order merely miss the sharing.
  const compiledByText = new Map<string, CompiledRule>();

  return {
    compile(rule) {
      const text = JSON.stringify(rule);
      let compiled = compiledByText.get(text);
      if (compiled === undefined) {
        compiled = build(rule, numberOf);
        compiledByText.set(text, compiled);
      }
      return compiled;
    },
    check(answers) {
      const answered = new Uint8Array(questionIds.length);
      for (let number = 0; number < questionIds.length; number++) {
        if (isKnownAnswer(answers, questionIds[number]!)) answered[number] = 1;
      }
      return { answers, answered };
    },
  };
}

function build(rule: JsonLogicRule, numberOf: (questionId: string) => number): CompiledRule {
  const unsupported = unsupportedOperators(rule);
  if (unsupported.length > 0) {
    throw new Error(`Rule uses unsupported operators: ${unsupported.join(', ')}`);
  }
  const variables = ruleVariables(rule);
  const numbers = variables.map(numberOf);
  const compiled = engine.build(rule) as (data: Answers) => unknown;
  const run = (answers: Answers): RuleOutcome => {
    try {
      return isTruthy(compiled(answers));
    } catch {
      // The engine throws on type mismatches (a list compared with a number); the interpreter
      // turns those into "unknown" operand by operand, which is never "met".
      return evaluateRule(rule, answers);
    }
  };

  return {
    variables,
    evaluate(answers) {
      for (let i = 0; i < variables.length; i++) {
        if (!isKnownAnswer(answers, variables[i]!)) return evaluateRule(rule, answers);
      }
      return run(answers);
    },
    evaluateChecked({ answers, answered }) {
      for (let i = 0; i < numbers.length; i++) {
        if (answered[numbers[i]!] !== 1) return evaluateRule(rule, answers);
      }
      return run(answers);
    },
  };
}
