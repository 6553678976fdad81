/**
 * The two comparison points for the eligibility engine, built from the same JsonLogic criteria:
 *
 * - hand-written TypeScript: one closure per rule shape found in `data/criteria/`, written out
 *   with three-valued (Kleene) logic the way a developer would code a criterion by hand (an
 *   unanswered or "not sure" answer is unknown). This is the practical limit: no interpretation,
 *   no generic dispatch;
 * - `json-rules-engine`: the same criteria as its condition trees (`all` / `any` / `not` over
 *   fact operators), all rules of a catalog in one engine so it pays its per-run cost once.
 *
 * Both are built once per catalog (not timed), like `prepareCatalog`.
 */
import { Engine, type NestedCondition, type RuleProperties, type TopLevelCondition } from 'json-rules-engine';
import { NOT_SURE } from '#core/answers';
import type { Answers, AnswerValue } from '#core/model';
import type { RuleOutcome } from '#core/rules';

/** A criterion coded by hand: `true` met, `false` not met, `undefined` unknown. */
export type HandWrittenCriterion = (answers: Answers) => RuleOutcome;

type Rule = unknown;
type Pair = readonly [value: string, question: string];

const operatorOf = (rule: Rule): string | undefined =>
  rule !== null && typeof rule === 'object' && !Array.isArray(rule) && Object.keys(rule).length === 1
    ? Object.keys(rule)[0]
    : undefined;
const argsOf = (rule: Rule): unknown => (rule as Record<string, unknown>)[operatorOf(rule)!];
const varOf = (rule: Rule): string | undefined => {
  if (operatorOf(rule) !== 'var') return undefined;
  const args = argsOf(rule);
  const path = Array.isArray(args) ? args[0] : args;
  return typeof path === 'string' ? path : undefined;
};
const list = (rule: Rule): unknown[] => {
  const args = argsOf(rule);
  return Array.isArray(args) ? args : [args];
};

/** `{"in": ["value", {"var": "question"}]}` as a pair, or undefined for any other shape. */
function membership(rule: Rule): Pair | undefined {
  if (operatorOf(rule) !== 'in') return undefined;
  const [value, collection] = list(rule);
  const question = varOf(collection);
  return typeof value === 'string' && question !== undefined ? [value, question] : undefined;
}

/** `{"or": [in, in, ...]}` (or a single `in`) as pairs. */
function memberships(rule: Rule): Pair[] | undefined {
  const single = membership(rule);
  if (single) return [single];
  if (operatorOf(rule) !== 'or') return undefined;
  const pairs = list(rule).map(membership);
  return pairs.every((pair) => pair !== undefined) ? (pairs as Pair[]) : undefined;
}

/** `{"<op>": [{"var": q}, literal]}`. */
function comparison(rule: Rule): { operator: string; question: string; value: unknown } | undefined {
  const operator = operatorOf(rule);
  if (operator === undefined || !['==', '>=', '>', '<', '<='].includes(operator)) return undefined;
  const args = list(rule);
  if (args.length !== 2) return undefined;
  const question = varOf(args[0]);
  return question !== undefined && operatorOf(args[1]) === undefined ? { operator, question, value: args[1] } : undefined;
}

// ---- the hand-written criteria ----------------------------------------------------------------

/** The answer to a question, or undefined when it is unanswered or "not sure". */
function known(answers: Answers, question: string): AnswerValue | undefined {
  const answer = answers[question];
  return answer === NOT_SURE ? undefined : answer;
}

/** Whether a multi-choice answer holds `value`; unknown when unanswered or "not sure". */
function holds(answers: Answers, question: string, value: string): RuleOutcome {
  const answer = known(answers, question);
  if (answer === undefined) return undefined;
  return Array.isArray(answer) ? answer.includes(value) : typeof answer === 'string' ? answer.includes(value) : undefined;
}

/** Kleene "any of these is held". */
function holdsAny(answers: Answers, pairs: readonly Pair[]): RuleOutcome {
  let unknown = false;
  for (const [value, question] of pairs) {
    const held = holds(answers, question, value);
    if (held === true) return true;
    if (held === undefined) unknown = true;
  }
  return unknown ? undefined : false;
}

const not = (outcome: RuleOutcome): RuleOutcome => (outcome === undefined ? undefined : !outcome);
const either = (a: RuleOutcome, b: RuleOutcome): RuleOutcome =>
  a === true || b === true ? true : a === undefined || b === undefined ? undefined : false;

function handWrittenComparison(operator: string, question: string, value: unknown): HandWrittenCriterion | undefined {
  switch (operator) {
    case '==':
      if (typeof value === 'boolean' || typeof value === 'string') {
        return (answers) => {
          const answer = known(answers, question);
          return answer === undefined ? undefined : answer === value;
        };
      }
      return undefined;
    case '>=':
      return (answers) => {
        const answer = answers[question];
        return typeof answer === 'number' ? answer >= (value as number) : undefined;
      };
    case '>':
      return (answers) => {
        const answer = answers[question];
        return typeof answer === 'number' ? answer > (value as number) : undefined;
      };
    case '<':
      return (answers) => {
        const answer = answers[question];
        return typeof answer === 'number' ? answer < (value as number) : undefined;
      };
    case '<=':
      return (answers) => {
        const answer = answers[question];
        return typeof answer === 'number' ? answer <= (value as number) : undefined;
      };
    default:
      return undefined;
  }
}

/**
 * The hand-written function for a rule, or undefined when its shape was not written by hand
 * (the generator then leaves that rule out of the benchmark catalog). The shapes are those of the
 * real criteria: a comparison, "between", membership, "none of", "any of", and "yes, or any of"
 * / "no, or none of" combinations.
 */
export function handWrittenCriterion(rule: Rule): HandWrittenCriterion | undefined {
  const simple = comparison(rule);
  if (simple) return handWrittenComparison(simple.operator, simple.question, simple.value);

  const operator = operatorOf(rule);
  if (operator === '<=' || operator === '<') {
    const [low, middle, high] = list(rule);
    const question = varOf(middle);
    if (typeof low === 'number' && typeof high === 'number' && question !== undefined) {
      return operator === '<='
        ? (answers) => {
            const answer = answers[question];
            return typeof answer === 'number' ? low <= answer && answer <= high : undefined;
          }
        : (answers) => {
            const answer = answers[question];
            return typeof answer === 'number' ? low < answer && answer < high : undefined;
          };
    }
    return undefined;
  }

  const pairs = memberships(rule);
  if (pairs)
    return pairs.length === 1 ? (answers) => holds(answers, pairs[0]![1], pairs[0]![0]) : (answers) => holdsAny(answers, pairs);

  if (operator === '!') {
    const negated = memberships(Array.isArray(argsOf(rule)) ? (argsOf(rule) as unknown[])[0] : argsOf(rule));
    if (negated) return (answers) => not(holdsAny(answers, negated));
    return undefined;
  }

  if (operator === 'or') {
    // "This, or a limit": the benchmark's distinct catalogs give a rule with no limit of its own one
    // no patient reaches (`or(rule, age > 130.x)`), so that every criterion has its own rule.
    const operands = list(rule);
    const limit = operands.length === 2 ? comparison(operands[1]) : undefined;
    const limited = operands.length === 2 ? handWrittenCriterion(operands[0]) : undefined;
    if (limit && limited && typeof limit.value === 'number') {
      const reached = handWrittenComparison(limit.operator, limit.question, limit.value);
      if (reached) return (answers) => either(limited(answers), reached(answers));
    }
    const [first, ...rest] = operands;
    const head = comparison(first);
    if (!head || head.operator !== '==') return undefined;
    const headCriterion = handWrittenComparison('==', head.question, head.value);
    if (!headCriterion) return undefined;
    // "Yes to this, or any of these": `or(== q true, in, in...)`.
    const restPairs = rest.map(membership);
    if (restPairs.length > 0 && restPairs.every((pair) => pair !== undefined)) {
      const anyOf = restPairs as Pair[];
      return (answers) => either(headCriterion(answers), holdsAny(answers, anyOf));
    }
    // "A, or B" of two comparisons (`not pregnant`: male, or pregnant is false).
    const second = rest.length === 1 ? comparison(rest[0]) : undefined;
    if (second && second.operator === '==') {
      const secondCriterion = handWrittenComparison('==', second.question, second.value);
      if (secondCriterion) return (answers) => either(headCriterion(answers), secondCriterion(answers));
    }
    // "No to this, or none of these": `or(== q false, !(or(in...)))`.
    if (rest.length === 1 && operatorOf(rest[0]) === '!') {
      const inner = argsOf(rest[0]);
      const noneOf = memberships(Array.isArray(inner) ? inner[0] : inner);
      if (noneOf) return (answers) => either(headCriterion(answers), not(holdsAny(answers, noneOf)));
    }
  }
  return undefined;
}

// ---- json-rules-engine ------------------------------------------------------------------------

const RULES_ENGINE_OPERATORS: Record<string, string> = {
  '==': 'equal',
  '>=': 'greaterThanInclusive',
  '>': 'greaterThan',
  '<': 'lessThan',
  '<=': 'lessThanInclusive',
};

/** The equivalent `json-rules-engine` condition of a rule (the shapes above). */
export function rulesEngineCondition(rule: Rule): NestedCondition {
  const operator = operatorOf(rule);
  switch (operator) {
    case 'or':
      return { any: list(rule).map(rulesEngineCondition) };
    case 'and':
      return { all: list(rule).map(rulesEngineCondition) };
    case '!': {
      const args = argsOf(rule);
      return { not: rulesEngineCondition(Array.isArray(args) ? args[0] : args) };
    }
    case 'in': {
      const pair = membership(rule);
      if (!pair) break;
      return { fact: pair[1], operator: 'contains', value: pair[0] };
    }
    default: {
      const simple = comparison(rule);
      if (simple)
        return { fact: simple.question, operator: RULES_ENGINE_OPERATORS[simple.operator]!, value: simple.value as string };
      const args = list(rule);
      const question = varOf(args[1]);
      if ((operator === '<=' || operator === '<') && args.length === 3 && question !== undefined) {
        const lower = operator === '<=' ? 'greaterThanInclusive' : 'greaterThan';
        const upper = operator === '<=' ? 'lessThanInclusive' : 'lessThan';
        return {
          all: [
            { fact: question, operator: lower, value: args[0] as number },
            { fact: question, operator: upper, value: args[2] as number },
          ],
        };
      }
    }
  }
  throw new Error(`No json-rules-engine equivalent for ${JSON.stringify(rule)}`);
}

function topLevel(condition: NestedCondition): TopLevelCondition {
  return 'all' in condition || 'any' in condition || 'not' in condition ? (condition as TopLevelCondition) : { all: [condition] };
}

/** One criterion's place in the catalog, carried by its json-rules-engine event. */
export interface CriterionPosition {
  trial: number;
  criterion: number;
}

/**
 * One engine holding every criterion of a catalog. Facts missing from the answers are allowed
 * (they make a condition false, like JsonLogic on `null`): the benchmark runs it only on answer
 * sets where every question the rules read is answered, where two-valued and three-valued agree.
 */
export function rulesEngineFor(criteria: readonly (CriterionPosition & { rule: Rule })[]): Engine {
  const rules: RuleProperties[] = criteria.map(({ trial, criterion, rule }) => ({
    conditions: topLevel(rulesEngineCondition(rule)),
    event: { type: 'criterion', params: { trial, criterion } },
  }));
  return new Engine(rules, { allowUndefinedFacts: true });
}
