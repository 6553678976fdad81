/**
 * The form's logic, kept free of the DOM so it can be unit-tested without a browser: which
 * question comes next, what an input means as an answer, which answers are submitted, how results
 * are grouped and which trials can be referred.
 *
 * Branching uses the core's `applicableQuestions`, the very function the server validates answers
 * with, so the browser can never show a question the server would reject (or hide one it needs).
 */
import { DURATION_UNITS, NOT_SURE, parseDuration, type DurationUnit } from '#core/answers';
import type { AnswerValue, Answers, Question, QuestionOption, Screener, SiteSummary, TrialResult, UrgentCare } from '#core/model';
import { applicableQuestions, NOT_SURE_LABEL } from '#core/screener';
import { triage, urgentCareFor } from '#core/triage';

/**
 * What the patient has entered on a question screen, before it is checked: a choice, the ticked
 * choices, the text typed, or for a duration `[amount typed, unit chosen]`.
 */
export type AnswerDraft = string | string[] | undefined;

/** The units a duration is given in, in the order the form offers them. */
export const DURATION_CHOICES: { unit: DurationUnit; label: string }[] = (['D', 'W', 'M', 'Y'] as const).map((unit) => ({
  unit,
  label: DURATION_UNITS[unit].plural,
}));

/** The unit a duration question starts on before the patient chooses one. */
export const DEFAULT_DURATION_UNIT: DurationUnit = 'W';

/** The questions that apply given the answers so far, in screener order. */
export function visibleQuestions(screener: Screener, answers: Answers): Question[] {
  return applicableQuestions(screener, answers);
}

/**
 * The answers to send: only those to questions that still apply. An earlier change can hide a
 * later question; the answer kept for it (so it comes back if the patient changes their mind)
 * must not be sent, because the server rejects answers to questions that do not apply.
 */
export function answersToSubmit(screener: Screener, answers: Answers): Answers {
  const applicable = new Set(visibleQuestions(screener, answers).map((q) => q.id));
  return Object.fromEntries(Object.entries(answers).filter(([id]) => applicable.has(id)));
}

/** The first question of the form. */
export function firstQuestionId(screener: Screener, answers: Answers): string | undefined {
  return visibleQuestions(screener, answers)[0]?.id;
}

/** The next applicable question after `currentId`, or undefined when the form is complete. */
export function nextQuestionId(screener: Screener, answers: Answers, currentId: string): string | undefined {
  const order = screener.questions.map((q) => q.id);
  const currentIndex = order.indexOf(currentId);
  return visibleQuestions(screener, answers).find((q) => order.indexOf(q.id) > currentIndex)?.id;
}

/** The applicable question before `currentId`, or undefined on the first one. */
export function previousQuestionId(screener: Screener, answers: Answers, currentId: string): string | undefined {
  const order = screener.questions.map((q) => q.id);
  const currentIndex = order.indexOf(currentId);
  return visibleQuestions(screener, answers)
    .filter((q) => order.indexOf(q.id) < currentIndex)
    .at(-1)?.id;
}

/** "Question 4 of 19": position among the questions that apply now (the total moves with branching). */
export function progressOf(screener: Screener, answers: Answers, currentId: string): { position: number; total: number } {
  const visible = visibleQuestions(screener, answers);
  const index = visible.findIndex((q) => q.id === currentId);
  return { position: index + 1, total: visible.length };
}

const BOOLEAN_OPTIONS: QuestionOption[] = [
  { value: 'yes', label: 'Yes' },
  { value: 'no', label: 'No' },
];

/**
 * The choices a boolean, single or multi question shows, in order: Yes / No or the question's
 * options, then "Not sure" when the question offers it. "Not sure" is exclusive in a multi
 * question: it is the whole answer, never one choice among others.
 */
export function choiceOptions(question: Question): QuestionOption[] {
  const options = question.type === 'boolean' ? BOOLEAN_OPTIONS : (question.options ?? []);
  return question.notSure ? [...options, { value: NOT_SURE, label: NOT_SURE_LABEL, exclusive: true }] : options;
}

/** Turns a stored answer back into what the input shows, so answers are kept when going back. */
export function draftFromAnswer(question: Question, answer: AnswerValue | undefined): AnswerDraft {
  if (answer === undefined)
    return question.type === 'multi' ? [] : question.type === 'duration' ? ['', DEFAULT_DURATION_UNIT] : undefined;
  if (answer === NOT_SURE && question.notSure) return question.type === 'multi' ? [NOT_SURE] : NOT_SURE;
  switch (question.type) {
    case 'duration': {
      const duration = parseDuration(answer);
      return duration ? [String(duration.amount), duration.unit] : ['', DEFAULT_DURATION_UNIT];
    }
    case 'boolean':
      return answer === true ? 'yes' : 'no';
    case 'multi':
      return Array.isArray(answer) ? [...answer] : [];
    default:
      return String(answer);
  }
}

export type AnswerCheck = { ok: true; value: AnswerValue | undefined } | { ok: false; message: string };

/**
 * Checks what was entered and turns it into an answer. `value: undefined` means "no answer",
 * allowed only for optional questions. Messages are plain words for the patient.
 */
export function checkAnswer(question: Question, draft: AnswerDraft): AnswerCheck {
  const empty =
    draft === undefined ||
    (question.type === 'duration' && Array.isArray(draft)
      ? (draft[0] ?? '').trim() === ''
      : Array.isArray(draft)
        ? draft.length === 0
        : draft.trim() === '');
  if (empty) {
    if (!question.required) return { ok: true, value: undefined };
    return { ok: false, message: emptyMessage(question) };
  }
  if (question.notSure && (Array.isArray(draft) ? draft.length === 1 && draft[0] === NOT_SURE : draft === NOT_SURE)) {
    return { ok: true, value: NOT_SURE };
  }
  switch (question.type) {
    case 'boolean':
      return { ok: true, value: draft === 'yes' };
    case 'single':
      return { ok: true, value: draft as string };
    case 'multi':
      return { ok: true, value: [...(draft as string[])] };
    case 'number':
      return checkNumber(question, (draft as string).trim());
    case 'duration':
      return checkDuration(question, draft as string[]);
    case 'date':
      return /^\d{4}-\d{2}-\d{2}$/.test(draft as string) && !Number.isNaN(Date.parse(draft as string))
        ? { ok: true, value: draft as string }
        : { ok: false, message: 'Enter a date, for example 2025-03-31.' };
    case 'postal_code': {
      const code = (draft as string).trim().toUpperCase().replace(/\s+/g, ' ');
      return /^[A-Z0-9][A-Z0-9 -]{1,9}$/.test(code)
        ? { ok: true, value: code }
        : { ok: false, message: 'Enter your postal code using letters and numbers only, for example 10001.' };
    }
  }
}

function emptyMessage(question: Question): string {
  switch (question.type) {
    case 'boolean':
    case 'single':
      return 'Choose one answer to continue.';
    case 'multi':
      return 'Choose at least one answer to continue.';
    case 'postal_code':
      return 'Enter your postal code to continue.';
    case 'date':
      return 'Enter a date to continue.';
    case 'number':
      return `Enter a number${question.unit ? ` of ${question.unit}` : ''} to continue.`;
    case 'duration':
      return 'Enter a number, then choose days, weeks, months or years, to continue.';
  }
}

function checkDuration(question: Question, draft: readonly string[]): AnswerCheck {
  const [amountText = '', unitText = DEFAULT_DURATION_UNIT] = draft;
  const value = `P${amountText.trim()}${unitText}`;
  const duration = parseDuration(value);
  if (!/^\d+$/.test(amountText.trim())) return { ok: false, message: 'Enter a whole number using digits only, for example 3.' };
  if (!duration) return { ok: false, message: 'Enter a smaller number, then choose days, weeks, months or years.' };
  const weeks = duration.amount * DURATION_UNITS[duration.unit].weeks;
  if (question.max !== undefined && weeks > question.max) {
    return { ok: false, message: `Enter at most ${Math.round(question.max / 52)} years.` };
  }
  return { ok: true, value: `P${duration.amount}${duration.unit}` };
}

function checkNumber(question: Question, text: string): AnswerCheck {
  if (!/^\d+$/.test(text)) return { ok: false, message: 'Enter a whole number using digits only, for example 12.' };
  const value = Number(text);
  const unit = question.unit ? ` ${question.unit}` : '';
  if (question.min !== undefined && value < question.min) {
    return { ok: false, message: `Enter a number of at least ${question.min}${unit}.` };
  }
  if (question.max !== undefined && value > question.max) {
    return { ok: false, message: `Enter a number of at most ${question.max}${unit}.` };
  }
  return { ok: true, value };
}

/**
 * Ticks or unticks an option of a multi question. An exclusive option ("None of these", "Not sure") clears
 * the others, and ticking any other option clears it, so the answer can never contradict itself.
 */
export function toggleOption(question: Question, selected: readonly string[], value: string): string[] {
  if (selected.includes(value)) return selected.filter((v) => v !== value);
  const exclusive = new Set(
    choiceOptions(question)
      .filter((o) => o.exclusive)
      .map((o) => o.value),
  );
  if (exclusive.has(value)) return [value];
  return [...selected.filter((v) => !exclusive.has(v)), value];
}

/**
 * Whether the answers so far show an emergency sign: the form then stops at once and shows the
 * urgent-care screen. The core's `triage` decides, the very function the server decides with,
 * over the answers that would be sent (an answer a later change hid does not count).
 */
export function stopsForEmergency(screener: Screener, answers: Answers): boolean {
  return triage(screener, answersToSubmit(screener, answers)).level === 'emergency';
}

/**
 * The urgent-care screen's content from the answers so far, shown before the server has replied
 * (and when it cannot be reached): the same core functions the server answers with.
 */
export function urgentCareFromAnswers(screener: Screener, answers: Answers): UrgentCare {
  const submitted = answersToSubmit(screener, answers);
  return urgentCareFor(screener, triage(screener, submitted), submitted);
}

export interface GroupedResults {
  /** Meets everything the form asks about, and the patient can ask to be contacted. */
  eligible: TrialResult[];
  /** Nothing ruled out, some answers unknown, and the patient can ask to be contacted. */
  possiblyEligible: TrialResult[];
  /** May fit, but cannot take a request from this form (on site only, out of reach, record not current, ...). */
  notReferable: TrialResult[];
  ineligible: TrialResult[];
}

/**
 * Groups results as "you may qualify", "you may qualify, some answers needed", "may fit, but
 * cannot take your request here" (listed apart, each with why) and "not a match".
 */
export function groupResults(results: readonly TrialResult[]): GroupedResults {
  const mayFit = (r: TrialResult) => r.eligibility !== 'ineligible';
  return {
    eligible: results.filter((r) => r.eligibility === 'eligible' && isReferable(r)),
    possiblyEligible: results.filter((r) => r.eligibility === 'possibly_eligible' && isReferable(r)),
    notReferable: results.filter((r) => mayFit(r) && !isReferable(r)),
    ineligible: results.filter((r) => !mayFit(r)),
  };
}

/** Trials a patient may ask to be referred to: the server's `referable` (it refuses the others too). */
export function referableResults(results: readonly TrialResult[]): TrialResult[] {
  return results.filter(isReferable);
}

function isReferable(result: TrialResult): boolean {
  return result.referable === true;
}

/**
 * The question to go back to from a criterion that is not met or not known: the first of the
 * questions it is based on that applies and is unanswered or "not sure", else the first that
 * applies. Undefined when none applies (the form cannot change it).
 */
export function questionToChange(screener: Screener, answers: Answers, basedOn: readonly string[]): string | undefined {
  const applicable = new Set(visibleQuestions(screener, answers).map((q) => q.id));
  const candidates = basedOn.filter((id) => applicable.has(id));
  return candidates.find((id) => answers[id] === undefined || answers[id] === NOT_SURE) ?? candidates[0];
}

/**
 * After a changed answer, the next question that applies and still needs an answer (a change can
 * bring in a follow-up question), or undefined when the answers are ready to send again.
 */
export function nextUnansweredQuestionId(screener: Screener, answers: Answers, currentId: string): string | undefined {
  const order = screener.questions.map((q) => q.id);
  const currentIndex = order.indexOf(currentId);
  return visibleQuestions(screener, answers).find(
    (q) => order.indexOf(q.id) > currentIndex && q.required && answers[q.id] === undefined,
  )?.id;
}

const WHOLE_NUMBER = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });

/**
 * "about 1,985 miles (3,194 km) away"; "distance unknown — the site is in Oslo" when it cannot be
 * computed (never called near); undefined when the patient chose "any distance" and it is unknown.
 */
export function describeDistance(site: SiteSummary): string | undefined {
  if (site.distanceMiles === undefined || site.distanceKm === undefined) {
    if (site.reach !== 'distance_unknown') return undefined;
    const where = site.city ?? site.state ?? site.country;
    return `distance unknown — the site is in ${where}`;
  }
  const miles = Math.round(site.distanceMiles);
  if (miles < 1) return 'less than a mile (under 2 km) away';
  return `about ${WHOLE_NUMBER.format(miles)} ${miles === 1 ? 'mile' : 'miles'} (${WHOLE_NUMBER.format(site.distanceKm)} km) away`;
}

/**
 * A long registry summary split into its opening (cut at the end of a sentence where possible)
 * and the rest. Registry summaries run to many paragraphs; the rest stays one click away.
 */
export function splitSummary(summary: string, limit = 280): { opening: string; rest: string } {
  const text = summary.trim();
  if (text.length <= limit) return { opening: text, rest: '' };
  const head = text.slice(0, limit);
  const sentenceEnd = Math.max(head.lastIndexOf('. '), head.lastIndexOf('.\n'));
  const cut = sentenceEnd >= limit / 3 ? sentenceEnd + 1 : head.lastIndexOf(' ') > 0 ? head.lastIndexOf(' ') : limit;
  return { opening: text.slice(0, cut).trim(), rest: text.slice(cut).trim() };
}

/** "Springfield, IL, United States": the parts of a site's place that are known. */
export function describePlace(site: SiteSummary): string {
  return [site.city, site.state, site.country].filter((part) => part && part.trim()).join(', ');
}

/** "12 March 2026" from an ISO date, without depending on the browser's time zone. */
export function formatRecordDate(isoDate: string): string {
  const [year, month, day] = isoDate.split('-').map(Number);
  if (!year || !month || !day) return isoDate;
  const date = new Date(Date.UTC(year, month - 1, day));
  return new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' }).format(date);
}

export interface ContactDraft {
  name: string;
  email: string;
  phone: string;
  trialIds: string[];
  shareWithSites: boolean;
  phoneContact: boolean;
}

export type ContactField = 'trialIds' | 'name' | 'email' | 'phone' | 'shareWithSites' | 'phoneContact';
export type ContactErrors = Partial<Record<ContactField, string>>;

export const PHONE_EXAMPLE = '+1 212 555 0123';

/**
 * Checks the contact form before it is sent. The server checks again (it is the authority, for
 * example on phone numbers); its field errors are shown in the same places via `contactFieldOf`.
 */
export function checkContact(draft: ContactDraft): ContactErrors {
  const errors: ContactErrors = {};
  if (draft.trialIds.length === 0) errors.trialIds = 'Choose at least one study.';
  if (!draft.name.trim()) errors.name = 'Enter your name.';
  else if (draft.name.trim().length > 120) errors.name = 'Enter a shorter name (120 characters at most).';
  const email = draft.email.trim();
  if (!email) errors.email = 'Enter your email address.';
  else if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 254) {
    errors.email = 'Enter an email address like name@example.com.';
  }
  const phone = draft.phone.trim();
  if (phone) {
    const digits = phone.replace(/\D/g, '');
    if (!/^\+?[\d\s().-]+$/.test(phone) || digits.length < 7 || digits.length > 15) {
      errors.phone = `Enter a phone number with its country code, like ${PHONE_EXAMPLE}, or leave it empty.`;
    }
  }
  if (!draft.shareWithSites)
    errors.shareWithSites =
      'Tick the box to agree to share your details with the sites you chose. Without it we cannot send them.';
  if (draft.phoneContact && !phone) errors.phoneContact = 'Add a phone number above, or untick this box.';
  return errors;
}

/** Maps an API error path such as `["contact", "email"]` to the field it belongs to. */
export function contactFieldOf(path: readonly (string | number)[]): ContactField | undefined {
  const [head, field] = path;
  if (head === 'trialIds') return 'trialIds';
  if (head === 'contact' && (field === 'name' || field === 'email' || field === 'phone')) return field;
  if (head === 'consent' && (field === 'shareWithSites' || field === 'phoneContact')) return field;
  return undefined;
}
