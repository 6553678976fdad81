/**
 * The matching vignettes (`matching.json`): patient stories over the recruiting trials with the
 * result a coordinator expects per trial and per criterion, read by the catalog's unit test.
 */
import type { Answers, AnswerValue, Eligibility, NotReferableCode, ScreeningOutcome } from '#core/model';
import document from './matching.json' with { type: 'json' };

export interface ExpectedTrial {
  eligibility: Eligibility;
  /** `true`, or why the patient cannot be referred. */
  referable: true | NotReferableCode;
  /** Every criterion not met; every criterion in neither list is met. */
  notMet?: string[];
  unknown?: string[];
}

export interface MatchingVignette {
  id: string;
  story: string;
  /** Whether the recruiting trials are taken as confirmed by an operator on `VIGNETTE_DATE`. */
  confirmed: boolean;
  /** The answers as sent: the baseline with the story's answers on top. */
  answers: Answers;
  expected: { outcome: ScreeningOutcome; trials: Record<string, ExpectedTrial> };
}

/** The date the vignettes are evaluated on (and the operator's confirmations made). */
export const VIGNETTE_DATE = new Date('2026-12-01T09:00:00Z');

interface VignetteEntry {
  id: string;
  story: string;
  confirmed?: boolean;
  answers: Record<string, AnswerValue | null>;
  expected: MatchingVignette['expected'];
}

export const MATCHING_VIGNETTES: MatchingVignette[] = (document.vignettes as unknown as VignetteEntry[]).map((entry) => ({
  id: entry.id,
  story: entry.story,
  confirmed: entry.confirmed !== false,
  answers: Object.fromEntries(
    Object.entries({ ...(document.baseline as Answers), ...entry.answers }).filter(
      (pair): pair is [string, AnswerValue] => pair[1] !== null,
    ),
  ),
  expected: entry.expected,
}));
