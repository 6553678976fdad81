/**
 * Red-flag triage in two tiers, on clinical guidance (the screener's `triage` rules cite theirs):
 *
 * - **emergency**: a sign of cauda equina syndrome, worsening leg weakness, a significant injury,
 *   a possible burst aortic aneurysm, fever with feeling very unwell. The screening's outcome is
 *   `urgent_care`: no trial is matched, no lead can be sent, and the patient is sent to an
 *   emergency department with their own country's numbers.
 * - **see a doctor soon**: a history of cancer, weight loss, fever, constant or night pain, a
 *   possible fracture, the seed article's other warning signs, and "Not sure" to a question an
 *   emergency sign depends on. The screening goes on; the advice comes first with the results.
 *
 * Each rule is three-valued JsonLogic over the answers. Only a rule that is definitely true is a
 * sign: an unanswered question is never a "yes". A rule left unknown by a "Not sure" answer is a
 * reason to see a doctor (today, when it is an emergency rule), never an emergency by itself.
 *
 * Decided on the server from the submitted answers, never trusted from the browser; the form
 * calls the same function after every answer so it can stop at once.
 */
import { isNotSure } from './answers';
import { careNumbersFor, describeEmergencyNumbers } from './care-numbers';
import type { Answers, MedicalAdvice, Screener, Triage, TriageReason, TriageRule, UrgentCare } from './model';
import { evaluateRule, ruleVariables } from './rules';

/**
 * The triage tier for a set of answers (complete or not), with the reasons in the patient's
 * words, in the order of the screener's rules.
 *
 * `emergency` when any emergency rule is true; otherwise `see_doctor_soon` when any see-a-doctor
 * rule is true or any rule is unknown because of a "Not sure" answer; otherwise `none`.
 * `contactToday` is set when a see-a-doctor reason asks for contact today: a rule marked
 * `contactToday`, or "Not sure" to a question an emergency rule reads.
 */
export function triage(screener: Screener, answers: Answers): Triage {
  const emergencyReasons: TriageReason[] = [];
  const emergencyRules: string[] = [];
  const seeDoctorReasons: TriageReason[] = [];
  let contactToday = false;

  for (const rule of screener.triage) {
    const outcome = evaluateRule(rule.when, answers);
    if (outcome === true) {
      if (rule.level === 'emergency') {
        emergencyRules.push(rule.id);
        addReason(emergencyReasons, { questionId: rule.questionId, text: rule.reason });
      } else {
        addReason(seeDoctorReasons, { questionId: rule.questionId, text: rule.reason });
        if (rule.contactToday) contactToday = true;
      }
    } else if (outcome === undefined) {
      const unsure = notSureQuestionsOf(rule, answers);
      for (const questionId of unsure) addReason(seeDoctorReasons, { questionId, text: notSureReason(screener, questionId) });
      if (unsure.length > 0 && (rule.level === 'emergency' || rule.contactToday)) contactToday = true;
    }
  }

  if (emergencyReasons.length > 0) {
    const redFlags = [...new Set(emergencyReasons.map((reason) => reason.questionId))];
    return { level: 'emergency', reasons: emergencyReasons, emergencyRules, redFlags, contactToday: false };
  }
  if (seeDoctorReasons.length > 0)
    return { level: 'see_doctor_soon', reasons: seeDoctorReasons, emergencyRules, redFlags: [], contactToday };
  return { level: 'none', reasons: [], emergencyRules, redFlags: [], contactToday: false };
}

/**
 * What the urgent-care screen and the `urgentCare` response say for an emergency: go to an
 * emergency department now (never an urgent care centre), only the patient's own country's
 * numbers, and what to tell them.
 */
export function urgentCareFor(screener: Screener, triaged: Triage, answers: Answers): UrgentCare {
  const numbers = careNumbersFor(answers.country);
  const firstRule = screener.triage.find((rule) => rule.id === triaged.emergencyRules[0]);
  const tellThem = firstRule?.tellThem ?? 'I have back pain and I need help now.';
  return {
    message: screener.urgentCare.message,
    action: `Go to the nearest ${numbers.emergencyDepartment} now, or call ${describeEmergencyNumbers(numbers)}.`,
    whatToSay: `Tell them: "${tellThem}"`,
    numbers,
    reasons: triaged.reasons,
  };
}

/**
 * The see-a-doctor-soon advice shown first with the results (and stored with the screening), or
 * undefined when that tier does not apply: "today" or "in the next few days", and how to reach a
 * doctor urgently in the patient's own country.
 */
export function medicalAdviceFor(screener: Screener, triaged: Triage, answers: Answers): MedicalAdvice | undefined {
  if (triaged.level !== 'see_doctor_soon') return undefined;
  const when = triaged.contactToday ? screener.medicalAdvice.today : screener.medicalAdvice.soon;
  return { level: 'see_doctor_soon', message: `${when} ${careNumbersFor(answers.country).urgentText}`, reasons: triaged.reasons };
}

/**
 * What a screening tells the patient about care, by tier: `urgentCare` for an emergency,
 * `medicalAdvice` for see-a-doctor-soon, nothing otherwise. Stored with the screening as it was
 * shown, so a replay and `GET /screenings/{id}` give the same words.
 */
export function careAdviceFor(
  screener: Screener,
  triaged: Triage,
  answers: Answers,
): { urgentCare?: UrgentCare; medicalAdvice?: MedicalAdvice } {
  if (triaged.level === 'emergency') return { urgentCare: urgentCareFor(screener, triaged, answers) };
  const medicalAdvice = medicalAdviceFor(screener, triaged, answers);
  return medicalAdvice ? { medicalAdvice } : {};
}

// ---------------------------------------------------------------------------------------------

function addReason(reasons: TriageReason[], reason: TriageReason): void {
  if (!reasons.some((given) => given.questionId === reason.questionId && given.text === reason.text)) reasons.push(reason);
}

function notSureQuestionsOf(rule: TriageRule, answers: Answers): string[] {
  return ruleVariables(rule.when).filter((questionId) => Object.hasOwn(answers, questionId) && isNotSure(answers[questionId]));
}

function notSureReason(screener: Screener, questionId: string): string {
  const question = screener.questions.find((candidate) => candidate.id === questionId);
  return `You were not sure about this: "${question?.label ?? questionId}"`;
}
