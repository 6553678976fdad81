/**
 * Red-flag triage: symptoms that mean "get medical help now" (see the condition brief).
 *
 * Decided on the server from the submitted answers, never trusted from the browser: a red flag
 * makes the screening's outcome `urgent_care` whatever else was answered, so no trial is matched
 * and no lead can be sent.
 */
import type { Answers, Screener } from './model';

/** The ids of the screener's red-flag questions answered "yes", in screener order. */
export function triageRedFlags(screener: Screener, answers: Answers): string[] {
  const redFlags: string[] = [];
  for (const question of screener.questions) {
    if (question.redFlag && answers[question.id] === true) redFlags.push(question.id);
  }
  return redFlags;
}
