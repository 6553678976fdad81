/**
 * What an answer means to a rule. One definition, used by every evaluator (the interpreter in
 * `rules.ts` that the browser also uses for branching, and the compiled server path), so "not
 * sure" can never mean "no" in one place and "unknown" in another.
 *
 * Loaded by the browser bundle: no imports, no Node built-ins.
 */
import type { Answers, AnswerValue, Screener } from './model';

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

/** The units a patient may give a duration in, and what each is worth in weeks for rules. */
export const DURATION_UNITS = {
  D: { weeks: 1 / 7, singular: 'day', plural: 'days' },
  W: { weeks: 1, singular: 'week', plural: 'weeks' },
  // 52 weeks a year, so "12 months", "1 year" and "52 weeks" all meet "at least 52 weeks".
  M: { weeks: 52 / 12, singular: 'month', plural: 'months' },
  Y: { weeks: 52, singular: 'year', plural: 'years' },
} as const;
export type DurationUnit = keyof typeof DURATION_UNITS;

/**
 * A duration answer as the patient gave it, in ISO 8601 form: `P3M` is three months, `P10D` ten
 * days. The patient's own unit is kept (the site reads "3 months"); rules read weeks.
 */
export const DURATION_PATTERN = /^P(0|[1-9]\d{0,3})([DWMY])$/;

/** A duration answer's amount and unit, or undefined when it is not one. */
export function parseDuration(value: unknown): { amount: number; unit: DurationUnit } | undefined {
  if (typeof value !== 'string') return undefined;
  const match = DURATION_PATTERN.exec(value);
  return match ? { amount: Number(match[1]), unit: match[2] as DurationUnit } : undefined;
}

/** A duration answer in weeks, or undefined when it is not one. */
export function durationInWeeks(value: unknown): number | undefined {
  const duration = parseDuration(value);
  return duration && duration.amount * DURATION_UNITS[duration.unit].weeks;
}

// A screener is immutable once loaded: its duration questions are found once.
const durationQuestionIds = new WeakMap<Screener, string[]>();

/**
 * The answers as rules read them: each duration in weeks (`{"var": "pain_duration"}` is a number
 * of weeks, whatever unit the patient chose). Every other answer is unchanged, "not sure"
 * included (rules see it as unknown through `isKnownAnswer`). Returns `answers` itself when the
 * screener has no duration answered.
 */
export function ruleAnswers(screener: Screener, answers: Answers): Answers {
  let ids = durationQuestionIds.get(screener);
  if (ids === undefined) {
    ids = screener.questions.filter((question) => question.type === 'duration').map((question) => question.id);
    durationQuestionIds.set(screener, ids);
  }
  let normalised: Answers | undefined;
  for (const id of ids) {
    if (!Object.hasOwn(answers, id)) continue;
    const weeks = durationInWeeks(answers[id]);
    if (weeks === undefined) continue;
    normalised ??= { ...answers };
    normalised[id] = weeks;
  }
  return normalised ?? answers;
}
