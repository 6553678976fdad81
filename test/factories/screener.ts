/**
 * Screener and answer factories built from the real lower back pain screener, so tests exercise
 * the question ids and option values that are the product's contract.
 */
import screenerDocument from '../../data/screeners/lower-back-pain.json' with { type: 'json' };
import { Screener } from '#core/model';
import type { Answers, AnswerValue, Question } from '#core/model';
import { applicableQuestions } from '#core/screener';

/** Answer overrides: a value replaces the answer, `undefined` removes it (leaves it unanswered). */
export type AnswerOverrides = Record<string, AnswerValue | undefined>;

/** The real lower back pain screener, freshly parsed (tests may change their copy). */
export function aScreener(): Screener {
  return Screener.parse(screenerDocument);
}

/** The ids of the screener's red-flag questions, in screener order. */
export function redFlagIds(screener: Screener = aScreener()): string[] {
  return screener.questions.filter((question) => question.redFlag).map((question) => question.id);
}

/**
 * Every red-flag question that applies answered "no" (a follow-up such as "do you feel faint
 * with this pain?" is hidden by a "no" to its question, so it gets no answer).
 */
export function noRedFlags(screener: Screener = aScreener()): Answers {
  const answers: Answers = {};
  for (const question of screener.questions) {
    if (!question.redFlag) continue;
    if (applicableQuestions(screener, answers).some((applicable) => applicable.id === question.id)) answers[question.id] = false;
  }
  return answers;
}

/**
 * A complete, valid answer set for the typical patient the product is built for: a 45-year-old
 * woman in Baltimore with six months of diagnosed lower back pain (5 of 10 over the last week),
 * treated with NSAIDs (still taken) and physiotherapy, no other conditions, no cancer (a red-flag "no"), no
 * injection or operation, no claim, in no other study, no red flags, willing to travel 50 miles.
 * Her answers to questions that the overrides hide (a man is not asked about pregnancy) are
 * dropped; the overrides themselves are kept as given, so a test can send what does not apply.
 */
export function adultWithChronicBackPain(overrides: AnswerOverrides = {}): Answers {
  const answers = applyOverrides(
    {
      diagnosed_lbp: true,
      took_medication: true,
      ...noRedFlags(),
      medications: ['nsaids'],
      current_medications: ['nsaids'],
      pain_duration: 'P6M',
      back_pain_intensity: 5,
      pain_locations: ['lower_back'],
      diagnoses: ['degenerative_disc'],
      imaging: ['mri'],
      other_conditions: ['none'],
      cancer_now: false,
      other_treatments: ['physical_therapy'],
      had_spinal_injection: false,
      had_back_surgery: false,
      age: 45,
      sex: 'female',
      pregnant: false,
      breastfeeding: false,
      back_pain_claim: false,
      other_research_study: false,
      country: 'us',
      postal_code: '21205',
      travel_distance: 'mi_50',
    },
    overrides,
  );
  const applicable = new Set(applicableQuestions(aScreener(), answers).map((question) => question.id));
  for (const id of Object.keys(answers)) if (!applicable.has(id) && !(id in overrides)) delete answers[id];
  return answers;
}

/**
 * A complete, valid answer set for any screener: overrides first, then a plain valid answer for
 * every other required question that applies (red flags "no", first option, minimum number).
 * Questions hidden by the overrides are left unanswered.
 */
export function answersFor(screener: Screener, overrides: AnswerOverrides = {}): Answers {
  const answers = applyOverrides({}, overrides);
  for (const question of screener.questions) {
    if (question.id in overrides) continue;
    if (!question.required) continue;
    const applies = applicableQuestions(screener, answers).some((q) => q.id === question.id);
    if (applies) answers[question.id] = plainAnswer(question);
  }
  return answers;
}

function plainAnswer(question: Question): AnswerValue {
  const options = question.options ?? [];
  switch (question.type) {
    case 'boolean':
      return false;
    case 'single':
      return options[0]!.value;
    case 'multi':
      return [options.find((option) => !option.exclusive)!.value];
    case 'number':
      return question.min ?? 0;
    case 'duration':
      return `P${question.min ?? 0}W`;
    case 'date':
      return '2020-01-01';
    case 'postal_code':
      return '10001';
  }
}

function applyOverrides(base: Answers, overrides: AnswerOverrides): Answers {
  const answers: Answers = { ...base };
  for (const [id, value] of Object.entries(overrides)) {
    if (value === undefined) delete answers[id];
    else answers[id] = value;
  }
  return answers;
}
