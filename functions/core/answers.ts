/**
 * What an answer means to a rule. One definition, used by every evaluator (the interpreter in
 * `rules.ts` that the browser also uses for branching, and the compiled server path), so "not
 * sure" can never mean "no" in one place and "unknown" in another.
 *
 * Loaded by the browser bundle: no imports, no Node built-ins.
 */
import type { Answers, AnswerValue } from './model';

/**
 * The answer "Not sure" / "I don't know", offered by a question with `notSure: true`. It is the
 * whole answer, for boolean, single and multi questions alike (for a multi question the answer
 * is this string, never an element of the list of choices).
 */
export const NOT_SURE = 'not_sure';
export type NotSure = typeof NOT_SURE;

/**
 * Whether a rule may read the answer to `questionId`: it is present (an own property, never
 * `constructor` or another prototype member) and it is not "not sure". Every rule reading an
 * answer for which this is false sees an unknown value, never a "no": the three-valued
 * evaluators call this and nothing else to decide.
 */
export function isKnownAnswer(answers: Answers, questionId: string): boolean {
  if (!Object.hasOwn(answers, questionId)) return false;
  const value = answers[questionId];
  return value !== undefined && value !== NOT_SURE;
}

/** Whether an answer value is "not sure". */
export function isNotSure(value: AnswerValue | undefined): value is NotSure {
  return value === NOT_SURE;
}
