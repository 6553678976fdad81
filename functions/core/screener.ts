/**
 * Screener logic shared by the browser and the server: which questions apply (branching), whether
 * a set of answers is valid, and how an answer reads in plain words.
 *
 * Loaded by the browser bundle: it must stay small and free of Node built-ins, so it uses
 * `zod/mini` (the tree-shakable build of zod) and imports only types from `model.ts`.
 */
import * as z from './zod';
import { DURATION_PATTERN, DURATION_UNITS, NOT_SURE, durationInWeeks, parseDuration, ruleAnswers } from './answers';
import type { ErrorDetail } from './errors';
import type { Answers, AnswerValue, Question, Screener } from './model';
import { evaluateRule } from './rules';
import { triage } from './triage';
import { MONTH_NAMES } from './calendar';

/** The result of `validateAnswers`: the cleaned answers, or every problem found. */
export type AnswerValidation = { ok: true; answers: Answers } | { ok: false; issues: ErrorDetail[] };

export interface ValidateAnswersOptions {
  /** Today's date (`YYYY-MM-DD`) for "not in the future" checks; defaults to the current UTC date. */
  today?: string;
}

/**
 * The questions that apply given the answers so far, in screener order.
 *
 * A question applies unless its `showIf` is definitely false: an unknown condition (its answer
 * is still missing) keeps the question, so branching can never hide a question by accident.
 * Conditions read only answers to earlier questions that themselves apply, so hiding a question
 * also hides the questions that depend on it.
 */
export function applicableQuestions(screener: Screener, answers: Answers): Question[] {
  const applicable: Question[] = [];
  const forRules = ruleAnswers(screener, answers);
  const visibleAnswers: Answers = {};
  for (const question of screener.questions) {
    if (question.showIf !== undefined && evaluateRule(question.showIf, visibleAnswers) === false) continue;
    applicable.push(question);
    const answer = forRules[question.id];
    if (answer !== undefined) visibleAnswers[question.id] = answer;
  }
  return applicable;
}

/**
 * Checks submitted answers against a screener: each answer's shape for its question type, no
 * unknown question ids, no answers to questions that do not apply, and every required question
 * that applies answered. A submission whose answers already show an emergency sign (see
 * `triage`) needs no further answers, so the server can record urgent care as soon as the
 * patient reports one.
 *
 * Issue paths look like `["answers", "age"]`. Messages never repeat the submitted value, because
 * answers are health data and issues may be logged or shown.
 */
export function validateAnswers(screener: Screener, raw: unknown, options: ValidateAnswersOptions = {}): AnswerValidation {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, issues: [{ path: ['answers'], message: 'Send the answers as an object keyed by question id.' }] };
  }
  const today = options.today ?? new Date().toISOString().slice(0, 10);
  const schemas = answerSchemasFor(screener);
  const issues: ErrorDetail[] = [];
  const answers: Answers = {};
  // Counted, never listed: an unknown key is the client's text, and the response must not echo it.
  let unknownQuestions = 0;

  for (const [id, value] of Object.entries(raw)) {
    const entry = schemas.get(id);
    if (entry === undefined) {
      unknownQuestions += 1;
      continue;
    }
    // "Not sure" is the whole answer to a question that offers it, whatever its type.
    const parsed =
      value === NOT_SURE && entry.question.notSure ? { success: true as const, data: NOT_SURE } : entry.schema.safeParse(value);
    if (!parsed.success) {
      issues.push({ path: ['answers', id], message: parsed.error.issues[0]?.message ?? 'This answer is not valid.' });
      continue;
    }
    // ISO dates compare correctly as strings.
    if (entry.question.type === 'date' && String(parsed.data) > today) {
      issues.push({ path: ['answers', id], message: 'This date cannot be in the future.' });
      continue;
    }
    answers[id] = parsed.data;
  }
  if (unknownQuestions > 0) {
    issues.push({
      path: ['answers'],
      message:
        unknownQuestions === 1
          ? 'One answer is not to a question in this screener.'
          : `${unknownQuestions} answers are not to questions in this screener.`,
    });
  }

  const applicable = applicableQuestions(screener, answers);
  const applicableIds = new Set(applicable.map((question) => question.id));
  for (const id of Object.keys(answers)) {
    if (!applicableIds.has(id)) {
      issues.push({ path: ['answers', id], message: 'This question does not apply given your other answers.' });
      delete answers[id];
    }
  }

  // An emergency sign stops the form at once: the answers after it are not needed.
  if (triage(screener, answers).level !== 'emergency') {
    for (const question of applicable) {
      if (question.required && answers[question.id] === undefined && !hasIssue(issues, question.id)) {
        issues.push({ path: ['answers', question.id], message: 'This question needs an answer.' });
      }
    }
  }

  return issues.length > 0 ? { ok: false, issues } : { ok: true, answers };
}

/** How the form and the lead email word the "not sure" answer. */
export const NOT_SURE_LABEL = 'Not sure';

/**
 * An answer in plain words, as a study coordinator reads it in a lead email: "Yes", "No", option
 * labels joined with ", ", "42 years", "3 months", "3 March 2021", "Not sure".
 */
export function describeAnswer(question: Question, value: AnswerValue): string {
  if (value === NOT_SURE && question.notSure) return NOT_SURE_LABEL;
  switch (question.type) {
    case 'boolean':
      return value === true ? 'Yes' : value === false ? 'No' : String(value);
    case 'single':
      return optionLabel(question, String(value));
    case 'multi':
      return (Array.isArray(value) ? value : [String(value)]).map((item) => optionLabel(question, item)).join(', ');
    case 'number': {
      if (question.unit === undefined) return String(value);
      // "1 week", not "1 weeks".
      const unit = value === 1 && question.unit.endsWith('s') ? question.unit.slice(0, -1) : question.unit;
      return `${value} ${unit}`;
    }
    case 'duration':
      return describeDuration(value);
    case 'date':
      return describeDate(String(value));
    case 'postal_code':
      return String(value);
  }
}

/** "1 day", "3 months": a duration answer in the patient's own unit. */
export function describeDuration(value: AnswerValue): string {
  const duration = parseDuration(value);
  if (!duration) return String(value);
  const unit = DURATION_UNITS[duration.unit];
  return `${duration.amount} ${duration.amount === 1 ? unit.singular : unit.plural}`;
}

// ---------------------------------------------------------------------------------------------

function hasIssue(issues: ErrorDetail[], id: string): boolean {
  return issues.some((issue) => issue.path[1] === id);
}

function optionLabel(question: Question, value: string): string {
  return question.options?.find((option) => option.value === value)?.label ?? value;
}

function describeDate(isoDate: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  const month = match ? MONTH_NAMES[Number(match[2]) - 1] : undefined;
  return match && month ? `${Number(match[3])} ${month} ${match[1]}` : isoDate;
}

type AnswerSchema = z.ZodMiniType<AnswerValue>;
type AnswerSchemas = Map<string, { question: Question; schema: AnswerSchema }>;

// A screener is immutable once loaded, so its schemas are built once and reused for every request.
const schemaCache = new WeakMap<Screener, AnswerSchemas>();

function answerSchemasFor(screener: Screener): AnswerSchemas {
  let schemas = schemaCache.get(screener);
  if (schemas === undefined) {
    schemas = new Map(screener.questions.map((question) => [question.id, { question, schema: answerSchema(question) }]));
    schemaCache.set(screener, schemas);
  }
  return schemas;
}

const POSTAL_CODE = /^[A-Za-z0-9 -]{2,10}$/;

/** The zod schema for one question's answer; every message is plain words without the value. */
function answerSchema(question: Question): AnswerSchema {
  const values = (question.options ?? []).map((option) => option.value);
  switch (question.type) {
    case 'boolean':
      return z.boolean({ error: 'Answer yes or no.' });
    case 'single':
      return z.enum(values as [string, ...string[]], { error: 'Choose one of the options.' });
    case 'multi': {
      const exclusive = new Set((question.options ?? []).filter((option) => option.exclusive).map((option) => option.value));
      const exclusiveLabels = (question.options ?? []).filter((option) => option.exclusive).map((option) => `"${option.label}"`);
      return z
        .array(z.enum(values as [string, ...string[]], { error: 'Choose only from the options given.' }), {
          error: 'Choose one or more of the options.',
        })
        .check(
          z.minLength(1, { error: 'Choose at least one option.' }),
          z.refine((chosen: string[]) => new Set(chosen).size === chosen.length, { error: 'Choose each option only once.' }),
          z.refine((chosen: string[]) => chosen.length === 1 || !chosen.some((value) => exclusive.has(value)), {
            error: `${exclusiveLabels.join(' or ')} cannot be combined with other options.`,
          }),
        );
    }
    case 'number': {
      const range = numberRange(question);
      const checks = [];
      if (question.min !== undefined) checks.push(z.gte(question.min, { error: range }));
      if (question.max !== undefined) checks.push(z.lte(question.max, { error: range }));
      return z.number({ error: 'Enter a number.' }).check(...checks);
    }
    case 'duration': {
      const range = numberRange(question);
      return z.string({ error: 'Give a number of days, weeks, months or years.' }).check(
        z.regex(DURATION_PATTERN, { error: 'Give a whole number of days, weeks, months or years, such as P3M for 3 months.' }),
        z.refine((value: string) => withinRange(question, durationInWeeks(value) ?? Number.NaN), { error: range }),
      );
    }
    case 'date':
      return z.iso.date({ error: 'Enter a real date as YYYY-MM-DD.' });
    case 'postal_code':
      return z
        .string({ error: 'Enter a postal code.' })
        .check(z.trim(), z.regex(POSTAL_CODE, { error: 'Enter a postal code of 2 to 10 letters, digits, spaces or hyphens.' }));
  }
}

function withinRange(question: Question, value: number): boolean {
  return (question.min === undefined || value >= question.min) && (question.max === undefined || value <= question.max);
}

function numberRange(question: Question): string {
  const unit = question.unit ? ` ${question.unit}` : '';
  if (question.min !== undefined && question.max !== undefined)
    return `Enter a number from ${question.min} to ${question.max}${unit}.`;
  if (question.min !== undefined) return `Enter a number of at least ${question.min}${unit}.`;
  return `Enter a number of at most ${question.max}${unit}.`;
}
