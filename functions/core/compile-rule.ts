/**
 * The server's fast path for screening rules: each rule is compiled once per catalog load with
 * `json-logic-engine`'s `build()` (a generated function, roughly 15x faster than interpreting)
 * and the compiled function runs whenever every question the rule reads is answered. When some
 * are not, the three-valued interpreter in `rules.ts` decides, so a missing answer is unknown
 * rather than whatever the engine would make of `null`.
 *
 * Kept apart from `rules.ts` so the browser bundle, which only needs `evaluateRule`, never pulls
 * in the engine (nor its use of `new Function`, which a strict Content-Security-Policy forbids).
 */
import { LogicEngine } from 'json-logic-engine';
import type { Answers, JsonLogicRule } from './model';
import { evaluateRule, isTruthy, ruleVariables, unsupportedOperators } from './rules';
import type { RuleOutcome } from './rules';

/** A rule compiled once, evaluated many times. */
export interface CompiledRule {
  /** The question ids the rule reads. */
  variables: string[];
  /** Three-valued evaluation: `true` met, `false` not met, `undefined` unknown. */
  evaluate(answers: Answers): RuleOutcome;
}

// One engine per process: it holds no per-request state, only the operator table.
const engine = new LogicEngine();

/**
 * Compiles a rule once. Throws when the rule uses an operator screening rules do not support,
 * so a bad catalog fails when it is loaded rather than giving wrong answers later.
 */
export function compileRule(rule: JsonLogicRule): CompiledRule {
  const unsupported = unsupportedOperators(rule);
  if (unsupported.length > 0) {
    throw new Error(`Rule uses unsupported operators: ${unsupported.join(', ')}`);
  }
  const variables = ruleVariables(rule);
  const compiled = engine.build(rule) as (data: Answers) => unknown;
  // Answers are plain objects, so a question id can only be inherited if `Object.prototype` has
  // it (`constructor`, `toString`, ...). Deciding that here, once, leaves the per-call check a
  // plain `=== undefined` for every other id: `Object.hasOwn` on each variable of each criterion
  // was the largest cost of a screening after the compiled functions themselves.
  const inherited = variables.filter((variable) => variable in Object.prototype);

  return {
    variables,
    evaluate(answers: Answers): RuleOutcome {
      for (let i = 0; i < variables.length; i++) {
        if (answers[variables[i]!] === undefined) return evaluateRule(rule, answers);
      }
      for (let i = 0; i < inherited.length; i++) {
        if (!Object.hasOwn(answers, inherited[i]!)) return evaluateRule(rule, answers);
      }
      try {
        return isTruthy(compiled(answers));
      } catch {
        // The engine throws on type mismatches (a list compared with a number); the interpreter
        // turns those into "unknown" operand by operand, which is never "met".
        return evaluateRule(rule, answers);
      }
    },
  };
}

/**
 * A `compileRule` that compiles each distinct rule once and hands out the same compiled rule
 * for every criterion written the same way (the registry's age limits, "not pregnant", ...).
 *
 * Every `build()` is a separate generated function that V8 must parse, warm up and optimise on
 * its own, so a catalog of thousands of criteria that repeat a few hundred rules otherwise pays
 * that cost thousands of times, per catalog load and again in the first screenings. Results are
 * unchanged: a compiled rule holds no state between calls. Use one compiler per catalog, so the
 * compiled rules are released with it.
 */
export function createRuleCompiler(): (rule: JsonLogicRule) => CompiledRule {
  const compiledByText = new Map<string, CompiledRule>();
  return (rule) => {
    // The rule's JSON text is its identity: rules are JSON data, and two rules written with their
    // keys in another order merely miss the sharing.
    const text = JSON.stringify(rule);
    let compiled = compiledByText.get(text);
    if (compiled === undefined) {
      compiled = compileRule(rule);
      compiledByText.set(text, compiled);
    }
    return compiled;
  };
}
