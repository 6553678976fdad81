/**
 * The triage vignettes (`triage.json`): patient stories with their answers and the tier a spine
 * clinician expects, read by the core unit test and the HTTP integration test alike.
 */
import type { Answers, AnswerValue } from '#core/model';
import document from './triage.json' with { type: 'json' };

export interface TriageVignette {
  id: string;
  story: string;
  /** The answers as sent: the baseline with the story's answers on top, or the story's alone when partial. */
  answers: Answers;
  expected: {
    tier: 'emergency' | 'see_doctor_soon' | 'none';
    /** Emergency: the only emergency numbers shown, in order (empty: "your local emergency number"). */
    emergencyNumbers?: string[];
    /** See a doctor soon: whether the advice says "today". */
    contactToday?: boolean;
    /** The questions the reasons come from, in order. */
    reasons?: string[];
  };
}

interface VignetteEntry {
  id: string;
  story: string;
  partial?: boolean;
  answers: Record<string, AnswerValue | null>;
  expected: TriageVignette['expected'];
}

/** Every vignette with its answers as they are sent. */
export const TRIAGE_VIGNETTES: TriageVignette[] = (document.vignettes as unknown as VignetteEntry[]).map((entry) => ({
  id: entry.id,
  story: entry.story,
  answers: answersOf(entry),
  expected: entry.expected,
}));

function answersOf(entry: VignetteEntry): Answers {
  const answers: Record<string, AnswerValue | null> = entry.partial
    ? { ...entry.answers }
    : { ...(document.baseline as Answers), ...entry.answers };
  return Object.fromEntries(Object.entries(answers).filter((pair): pair is [string, AnswerValue] => pair[1] !== null));
}
