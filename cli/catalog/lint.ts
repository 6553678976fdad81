/**
 * `catalog lint`: checks the authored screening criteria against their screeners before a catalog
 * is loaded. Every rule must read real question ids, compare them with values of the right type
 * (and with real option values), use only the supported operators, and be decidable: some answer
 * set must make it met and some must make it not met, taking branching (`showIf`) into account,
 * so a question that is hidden for a patient counts as unanswered.
 *
 * The decidability check enumerates the answers that matter to the rule (each option, empty and
 * full multi-choice lists, numbers on both sides of every number the rule mentions, unanswered),
 * which is exhaustive for the small rules screening criteria are.
 */
import type { CatalogSources } from '#adapters/catalog-files';
import { NOT_SURE, ruleAnswers } from '#core/answers';
import type { AnswerValue, Answers, JsonLogicRule, Question, Screener } from '#core/model';
import { evaluateRule, ruleVariables, unsupportedOperators } from '#core/rules';
import { STRUCTURED_CRITERIA_QUESTION_IDS } from '#core/eligibility';
import { applicableQuestions } from '#core/screener';

export interface LintIssue {
  severity: 'error' | 'warning';
  trialId: string;
  /** Absent for problems of the trial as a whole. */
  criterionId?: string;
  /** The file to fix. */
  file: string;
  message: string;
}

const COMPARISONS = new Set(['==', '===', '!=', '!==', '<', '<=', '>', '>=']);
const ORDERINGS = new Set(['<', '<=', '>', '>=']);
const MAX_COMBINATIONS = 50_000;
/** Countries whose postal codes the geocoder resolves, so their sites should have coordinates. */
const GEOCODED_COUNTRIES = new Set(['United States', 'Canada']);
const CONTACTABLE = new Set(['RECRUITING']);

const asVar = (node: unknown): string | undefined => {
  if (!node || typeof node !== 'object' || Array.isArray(node)) return undefined;
  const entries = Object.entries(node);
  if (entries.length !== 1 || entries[0]![0] !== 'var') return undefined;
  const args = entries[0]![1];
  const path = Array.isArray(args) ? args[0] : args;
  return typeof path === 'string' ? path : undefined;
};
const isLiteral = (node: unknown): node is string | number | boolean | null =>
  node === null || ['string', 'number', 'boolean'].includes(typeof node);

/** Type problems in a rule: comparisons of a question with a value its answers can never have. */
export function ruleTypeProblems(rule: JsonLogicRule, questions: Map<string, Question>): string[] {
  const problems: string[] = [];
  const describe = (q: Question): string => `"${q.id}" (${q.type})`;

  const checkLiteral = (q: Question, literal: unknown, operator: string): void => {
    const options = q.options?.map((o) => o.value) ?? [];
    switch (q.type) {
      case 'boolean':
        if (typeof literal !== 'boolean')
          problems.push(`${describe(q)} is compared with ${JSON.stringify(literal)}; use true or false`);
        else if (ORDERINGS.has(operator)) problems.push(`${describe(q)} is ordered with "${operator}"; use == or !=`);
        break;
      case 'number':
        if (typeof literal !== 'number')
          problems.push(`${describe(q)} is compared with ${JSON.stringify(literal)}; use a number`);
        break;
      case 'duration':
        if (typeof literal !== 'number')
          problems.push(`${describe(q)} is compared with ${JSON.stringify(literal)}; use a number of weeks`);
        break;
      case 'single':
        if (typeof literal !== 'string' || !options.includes(literal)) {
          problems.push(`${describe(q)} has no option ${JSON.stringify(literal)} (options: ${options.join(', ')})`);
        } else if (ORDERINGS.has(operator)) problems.push(`${describe(q)} is ordered with "${operator}"; options have no order`);
        break;
      case 'multi':
        problems.push(`${describe(q)} is a list of choices; test one with {"in": ["option", {"var": "${q.id}"}]}`);
        break;
      case 'date':
      case 'postal_code':
        if (typeof literal !== 'string')
          problems.push(`${describe(q)} is compared with ${JSON.stringify(literal)}; use a string`);
        break;
    }
  };

  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const entries = Object.entries(node);
    if (entries.length !== 1) return;
    const [operator, args] = entries[0]!;
    if (operator === 'var') {
      const path = asVar(node);
      if (path !== undefined && !questions.has(path)) problems.push(`reads "${path}", which is not a question of the screener`);
      return;
    }
    if (COMPARISONS.has(operator) && Array.isArray(args)) {
      for (const varNode of args) {
        const q = questions.get(asVar(varNode) ?? '');
        if (!q) continue;
        for (const other of args) if (other !== varNode && isLiteral(other)) checkLiteral(q, other, operator);
      }
    }
    if (operator === 'in' && Array.isArray(args)) {
      const [item, collection] = args;
      const collectionQuestion = questions.get(asVar(collection) ?? '');
      const itemQuestion = questions.get(asVar(item) ?? '');
      if (collectionQuestion) {
        const options = collectionQuestion.options?.map((o) => o.value) ?? [];
        if (collectionQuestion.type !== 'multi') {
          problems.push(`"in" looks inside ${describe(collectionQuestion)}; only a multi-choice answer is a list`);
        } else if (isLiteral(item) && !options.includes(String(item))) {
          problems.push(`${describe(collectionQuestion)} has no option ${JSON.stringify(item)} (options: ${options.join(', ')})`);
        }
      } else if (itemQuestion && Array.isArray(collection)) {
        for (const literal of collection) checkLiteral(itemQuestion, literal, '==');
      } else if (!Array.isArray(collection) && asVar(collection) === undefined) {
        problems.push('"in" needs a list of values or a multi-choice question as its second argument');
      }
    }
    walk(args);
  };
  walk(rule);
  return problems;
}

/** Numbers a rule mentions, so the enumeration tries values on both sides of each. */
function numberLiterals(rule: unknown, into: Set<number> = new Set()): Set<number> {
  if (typeof rule === 'number') into.add(rule);
  else if (Array.isArray(rule)) rule.forEach((r) => numberLiterals(r, into));
  else if (rule && typeof rule === 'object') Object.values(rule).forEach((r) => numberLiterals(r, into));
  return into;
}

/** The values worth trying for one question (`undefined`: unanswered; "not sure" where offered). */
function candidateValues(q: Question, numbers: Set<number>): (AnswerValue | undefined)[] {
  const values: (AnswerValue | undefined)[] = q.notSure ? [undefined, NOT_SURE] : [undefined];
  const options = q.options?.map((o) => o.value) ?? [];
  switch (q.type) {
    case 'boolean':
      return [...values, true, false];
    case 'single':
      return [...values, ...options];
    case 'multi': {
      const exclusive = new Set(q.options?.filter((o) => o.exclusive).map((o) => o.value));
      return [...values, [], ...options.map((o) => [o]), options.filter((o) => !exclusive.has(o))];
    }
    case 'number':
      return [...values, ...numbersAround(q, numbers)];
    case 'duration':
      // Given in weeks, the unit rules read them in (whole weeks on both sides of each limit).
      return [...values, ...numbersAround(q, numbers).map((weeks) => `P${weeks}W`)];
    case 'postal_code':
      return [...values, '10001'];
    case 'date':
      return [...values, '2000-01-01'];
  }
}

/** Whole numbers within the question's range on both sides of every number a rule mentions. */
function numbersAround(q: Question, numbers: Set<number>): number[] {
  const min = q.min ?? 0;
  const max = q.max ?? Math.max(min, ...numbers) + 1;
  const tried = new Set<number>([min, max]);
  for (const n of numbers)
    for (const v of [Math.floor(n) - 1, n, Math.ceil(n) + 1]) if (v >= min && v <= max && Number.isInteger(v)) tried.add(v);
  return [...tried];
}

/** The outcomes a rule can have over every answer set that matters to it. */
export function possibleOutcomes(
  rule: JsonLogicRule,
  screener: Screener,
): { met: boolean; notMet: boolean; unknown: boolean; truncated: boolean } {
  const byId = new Map(screener.questions.map((q) => [q.id, q]));
  // The rule's questions plus the questions that decide whether those are asked at all.
  const relevant = new Set<string>();
  const pending = ruleVariables(rule).filter((id) => byId.has(id));
  while (pending.length > 0) {
    const id = pending.pop()!;
    if (relevant.has(id)) continue;
    relevant.add(id);
    const showIf = byId.get(id)?.showIf;
    if (showIf !== undefined) pending.push(...ruleVariables(showIf).filter((v) => byId.has(v)));
  }
  const numbers = numberLiterals(rule);
  const dimensions = [...relevant].map((id) => ({ id, values: candidateValues(byId.get(id)!, numbers) }));
  const outcomes = { met: false, notMet: false, unknown: false, truncated: false };
  let combinations = 0;

  const explore = (index: number, answers: Answers): void => {
    if (outcomes.truncated) return;
    if (index === dimensions.length) {
      if (++combinations > MAX_COMBINATIONS) {
        outcomes.truncated = true;
        return;
      }
      // A question hidden by branching is never answered.
      const asked = new Set(applicableQuestions(screener, answers).map((q) => q.id));
      const visible: Answers = Object.fromEntries(Object.entries(answers).filter(([id]) => asked.has(id)));
      const result = evaluateRule(rule, ruleAnswers(screener, visible));
      if (result === true) outcomes.met = true;
      else if (result === false) outcomes.notMet = true;
      else outcomes.unknown = true;
      return;
    }
    const { id, values } = dimensions[index]!;
    for (const value of values) {
      const next = { ...answers };
      if (value !== undefined) next[id] = value;
      explore(index + 1, next);
    }
  };
  explore(0, {});
  return outcomes;
}

/**
 * Words that sell rather than describe. A plain-language summary says what the study does, never
 * what it promises: patients in pain read "breakthrough" or "free treatment" as a promise.
 */
export const PROMOTIONAL_WORDS = [
  'innovative',
  'breakthrough',
  'cure',
  'cures',
  'cutting-edge',
  'revolutionary',
  'miracle',
  'free treatment',
  'guaranteed',
  'life-changing',
  'state-of-the-art',
  'best',
] as const;

/** The promotional words a text uses, each once (whole words, any case). */
export function promotionalWords(text: string): string[] {
  return PROMOTIONAL_WORDS.filter((word) => new RegExp(`(^|[^a-z-])${word.replace(/-/g, '\\-')}($|[^a-z-])`, 'i').test(text));
}

/** Registry text compared as written, ignoring line breaks and indentation. */
const normaliseSpace = (text: string): string => text.replace(/\s+/g, ' ').trim();

/**
 * Lints every trial's criteria against its screeners and its registry text, every screener's
 * questions against the rules that read them, and flags trial data a patient or a site would trip
 * over (a recruiting trial nobody can be referred to, a site without coordinates, promotional
 * words in a plain summary). Errors fail `catalog lint`; warnings are printed.
 */
export function lintCatalog(catalog: Pick<CatalogSources, 'screeners' | 'trials'>): LintIssue[] {
  const issues: LintIssue[] = [];
  const screeners = new Map(catalog.screeners.map((s) => [s.id, s]));
  issues.push(...lintQuestionUse(catalog));

  for (const { trial, trialFile, criteriaFile, authored } of catalog.trials) {
    const trialIssue = (severity: LintIssue['severity'], file: string, message: string): void => {
      issues.push({ severity, trialId: trial.nctId, file, message });
    };
    const trialScreeners = trial.screenerIds.map((id) => screeners.get(id));
    trial.screenerIds.forEach((id, i) => {
      if (!trialScreeners[i]) trialIssue('error', trialFile, `screenerIds: no screener "${id}" in data/screeners/`);
    });

    const seen = new Set<string>();
    for (const criterion of trial.criteria) {
      const criterionIssue = (severity: LintIssue['severity'], message: string): void => {
        issues.push({ severity, trialId: trial.nctId, criterionId: criterion.id, file: criteriaFile, message });
      };
      if (seen.has(criterion.id)) criterionIssue('error', 'the criterion id is used twice in this trial');
      seen.add(criterion.id);

      const registryText = authored.criteria.find((c) => c.id === criterion.id)?.registryText;
      if (registryText === undefined || !normaliseSpace(trial.eligibilityText).includes(normaliseSpace(registryText))) {
        criterionIssue(
          'error',
          "registryText is not quoted from the record's eligibility text; cite the words the criterion is written from",
        );
      }

      const unsupported = unsupportedOperators(criterion.rule);
      if (unsupported.length > 0) {
        criterionIssue('error', `uses unsupported operators: ${unsupported.join(', ')}`);
        continue;
      }
      if (ruleVariables(criterion.rule).length === 0) {
        criterionIssue('error', 'reads no answer, so it is the same for every patient; state it as a trial fact instead');
        continue;
      }
      for (const screener of trialScreeners) {
        if (!screener) continue;
        const questions = new Map(screener.questions.map((q) => [q.id, q]));
        const problems = ruleTypeProblems(criterion.rule, questions);
        for (const problem of problems) criterionIssue('error', `screener "${screener.id}": ${problem}`);
        if (problems.length > 0) continue;
        const outcomes = possibleOutcomes(criterion.rule, screener);
        if (outcomes.truncated) {
          criterionIssue('warning', `screener "${screener.id}": too many answer combinations to prove it decidable`);
        } else if (!outcomes.met && !outcomes.notMet) {
          criterionIssue('error', `screener "${screener.id}": can never be decided: every answer leaves it unknown`);
        } else if (!outcomes.met) {
          criterionIssue('error', `screener "${screener.id}": can never be met, so the trial could never be offered`);
        } else if (!outcomes.notMet) {
          criterionIssue('warning', `screener "${screener.id}": no answer can fail it, so it screens nobody out`);
        }
      }
    }

    if (trial.plainSummary !== undefined) {
      const words = promotionalWords(trial.plainSummary);
      if (words.length > 0) {
        trialIssue(
          'error',
          criteriaFile,
          `plainSummary uses promotional words (${words.join(', ')}); say what the study does, not what it promises`,
        );
      }
    }

    if (trial.status === 'RECRUITING') {
      const recruiting = trial.sites.filter((s) => CONTACTABLE.has(s.status));
      if (trial.criteria.length === 0) trialIssue('warning', criteriaFile, 'a recruiting trial with no screening criteria');
      if (recruiting.length === 0) trialIssue('warning', trialFile, 'recruiting, but no site is recruiting: it is never offered');
      for (const site of recruiting) {
        const where = `site ${site.siteId} (${site.facility || site.city || site.country})`;
        if (!site.contact?.email && !trial.centralContact?.email) {
          trialIssue('warning', trialFile, `${where}: no contact email on the site or the trial, so it cannot receive leads`);
        }
        if (!site.geo && GEOCODED_COUNTRIES.has(site.country)) {
          trialIssue('warning', trialFile, `${where}: no coordinates, so distances to it are unknown`);
        }
      }
    }
  }
  return issues;
}

/**
 * A question no rule reads (no criterion, no `showIf`, not the registry's age and sex limits, not
 * a red flag, which triage reads) asks a patient in pain for nothing, unless the screener says
 * why it is there (`informational`). Such a question is an error; so is `informational` on a
 * question a rule does read, which would hide that rules depend on it.
 */
function lintQuestionUse(catalog: Pick<CatalogSources, 'screeners' | 'trials'>): LintIssue[] {
  const issues: LintIssue[] = [];
  for (const screener of catalog.screeners) {
    const read = new Set<string>(STRUCTURED_CRITERIA_QUESTION_IDS);
    for (const question of screener.questions) {
      if (question.showIf !== undefined) for (const id of ruleVariables(question.showIf)) read.add(id);
    }
    for (const { trial } of catalog.trials) {
      if (!trial.screenerIds.includes(screener.id)) continue;
      for (const criterion of trial.criteria) for (const id of ruleVariables(criterion.rule)) read.add(id);
    }
    const file = `data/screeners/${screener.id}.json`;
    for (const question of screener.questions) {
      const isRead = read.has(question.id) || question.redFlag === true;
      if (!isRead && question.informational === undefined) {
        issues.push({
          severity: 'error',
          trialId: '-',
          file,
          message: `question "${question.id}" is read by no rule; use it in a criterion, or mark it "informational" with the reason it is asked`,
        });
      } else if (isRead && question.informational !== undefined && !question.redFlag) {
        issues.push({
          severity: 'error',
          trialId: '-',
          file,
          message: `question "${question.id}" is marked informational but rules read it`,
        });
      }
    }
  }
  return issues;
}
