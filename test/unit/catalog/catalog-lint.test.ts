/**
 * `catalog lint`: every rule reads real questions with values of the right type, uses supported
 * operators and can be decided; the shipped catalog passes.
 */
import { describe, expect, it } from '@jest/globals';
import { readCatalogSources, type CatalogTrialSource } from '#adapters/catalog-files';
import type { Screener, Trial } from '#core/model';
import { lintCatalog } from '#cli/catalog/lint';
import { aCriterion, aSite, aTrial } from '#test/factories/catalog';
import { aScreener } from '#test/factories/screener';

const DATA_DIR = new URL('../../../data/', import.meta.url).pathname;

const REGISTRY_TEXT = 'Inclusion Criteria: persistent low back pain for at least 12 weeks.';

/** A trial as the catalog files give it, each criterion citing the record's eligibility text. */
const source = (trial: Trial, registryText = 'low back pain for at least 12 weeks'): CatalogTrialSource => ({
  trial: { ...trial, eligibilityText: REGISTRY_TEXT },
  trialFile: `data/trials/${trial.nctId}.json`,
  criteriaFile: `data/criteria/${trial.nctId}.json`,
  authored: { nctId: trial.nctId, criteria: trial.criteria.map((c) => ({ ...c, registryText })), leftToStudyTeam: [] },
});

/** The issues of the trials (not of the screener's questions, which the one-criterion catalogs here leave unread). */
const trialIssues = (catalog: Parameters<typeof lintCatalog>[0]) => lintCatalog(catalog).filter((i) => i.trialId !== '-');

/** The lint issues of one trial with one criterion whose rule is `rule`. */
function lintRule(rule: unknown, screener: Screener = aScreener()) {
  const trial = aTrial({ criteria: [aCriterion({ id: 'the-criterion', rule })] });
  return trialIssues({ screeners: [screener], trials: [source(trial)] });
}
const messages = (rule: unknown, screener?: Screener) => lintRule(rule, screener).map((i) => `${i.severity}: ${i.message}`);

describe('lintCatalog', () => {
  it('finds no errors in the shipped catalog', async () => {
    const sources = await readCatalogSources(DATA_DIR);

    expect(lintCatalog(sources).filter((i) => i.severity === 'error')).toEqual([]);
  });

  it('accepts a rule over real questions and option values', () => {
    expect(messages({ in: ['sciatica', { var: 'diagnoses' }] })).toEqual([]);
  });

  it('names the trial, the criterion and the file of a problem', () => {
    const [issue] = lintRule({ '==': [{ var: 'pain_level' }, 3] });

    expect(issue).toMatchObject({
      severity: 'error',
      criterionId: 'the-criterion',
      trialId: expect.stringMatching(/^NCT/),
      file: expect.stringMatching(/^data\/criteria\/NCT\d{8}\.json$/),
    });
  });

  it('reports a question id the screener does not have', () => {
    expect(messages({ '==': [{ var: 'pain_level' }, 3] })).toEqual([
      'error: screener "lower-back-pain": reads "pain_level", which is not a question of the screener',
    ]);
  });

  it('reports an option value the question does not have', () => {
    expect(messages({ in: ['slipped_disk', { var: 'diagnoses' }] })[0]).toMatch(
      /"diagnoses" \(multi\) has no option "slipped_disk"/,
    );
  });

  it('reports a single-choice answer compared with a value that is not one of its options', () => {
    expect(messages({ '==': [{ var: 'sex' }, 'woman'] })[0]).toMatch(/"sex" \(single\) has no option "woman"/);
  });

  it('reports a yes/no question compared with a string', () => {
    expect(messages({ '==': [{ var: 'pregnant' }, 'no'] })[0]).toMatch(
      /"pregnant" \(boolean\) is compared with "no"; use true or false/,
    );
  });

  it('reports a number question compared with a string', () => {
    expect(messages({ '>=': [{ var: 'back_pain_intensity' }, '4'] })[0]).toMatch(
      /"back_pain_intensity" \(number\) is compared with "4"; use a number/,
    );
  });

  it('reports a duration compared with a string: rules read durations in weeks', () => {
    expect(messages({ '>=': [{ var: 'pain_duration' }, 'P3M'] })[0]).toMatch(
      /"pain_duration" \(duration\) is compared with "P3M"; use a number of weeks/,
    );
  });

  it('reports a comparison with "not sure": it is no option, every rule reads it as unknown', () => {
    expect(messages({ in: ['not_sure', { var: 'diagnoses' }] })[0]).toMatch(/"diagnoses" \(multi\) has no option "not_sure"/);
  });

  it('reports a multi-choice answer compared as a single value', () => {
    expect(messages({ '==': [{ var: 'diagnoses' }, 'sciatica'] })[0]).toMatch(/"diagnoses" \(multi\) is a list of choices/);
  });

  it('reports an operator screening rules do not support', () => {
    expect(messages({ some: [{ var: 'diagnoses' }, { '==': [{ var: '' }, 'sciatica'] }] })).toEqual([
      'error: uses unsupported operators: some',
    ]);
  });

  it('reports a rule that reads no answer', () => {
    expect(messages(true)[0]).toMatch(/^error: reads no answer/);
  });

  it('reports a rule no answer can meet', () => {
    expect(messages({ '>': [{ var: 'age' }, 130] })).toEqual([
      'error: screener "lower-back-pain": can never be met, so the trial could never be offered',
    ]);
  });

  it('reports a rule that needs an answer branching always hides', () => {
    // Pregnancy is asked only when sex is not "male".
    expect(messages({ and: [{ '==': [{ var: 'sex' }, 'male'] }, { '==': [{ var: 'pregnant' }, true] }] })[0]).toMatch(
      /can never be met/,
    );
  });

  it('reports a rule that can never be decided', () => {
    const screener = aScreener();
    const hidden = screener.questions.find((q) => q.id === 'pregnant')!;
    hidden.showIf = false;

    expect(messages({ '==': [{ var: 'pregnant' }, false] }, screener)).toEqual([
      'error: screener "lower-back-pain": can never be decided: every answer leaves it unknown',
    ]);
  });

  it('warns about a rule no answer can fail', () => {
    expect(messages({ '>=': [{ var: 'age' }, 0] })).toEqual([
      'warning: screener "lower-back-pain": no answer can fail it, so it screens nobody out',
    ]);
  });

  it('reports a criterion id used twice in a trial', () => {
    const trial = aTrial({ criteria: [aCriterion({ id: 'twice' }), aCriterion({ id: 'twice' })] });

    const issues = trialIssues({ screeners: [aScreener()], trials: [source(trial)] });

    expect(issues.map((i) => i.message)).toEqual(['the criterion id is used twice in this trial']);
  });

  it('reports a screener id that does not exist', () => {
    const trial = aTrial({ screenerIds: ['neck-pain'], criteria: [aCriterion()] });

    const issues = trialIssues({ screeners: [aScreener()], trials: [source(trial)] });

    expect(issues.map((i) => i.message)).toEqual(['screenerIds: no screener "neck-pain" in data/screeners/']);
  });

  it('warns about a recruiting site nobody can email', () => {
    const trial = aTrial({ sites: [aSite({ contact: { phone: '+1 410 555 0100' } })], criteria: [aCriterion()] });

    const issues = trialIssues({ screeners: [aScreener()], trials: [source(trial)] });

    expect(issues.map((i) => `${i.severity}: ${i.message}`)).toEqual([
      expect.stringMatching(/^warning: site .*: no contact email on the site or the trial, so it cannot receive leads$/),
    ]);
  });

  it('reports a criterion whose registry text is not in the record', () => {
    const trial = aTrial({ criteria: [aCriterion({ id: 'the-criterion' })] });

    const issues = trialIssues({ screeners: [aScreener()], trials: [source(trial, 'at least 6 months')] });

    expect(issues.map((i) => i.message)).toEqual([
      expect.stringMatching(/^registryText is not quoted from the record's eligibility text/),
    ]);
  });

  it('accepts a registry quote that the record breaks over lines', () => {
    const trial = aTrial({ criteria: [aCriterion()] });

    expect(
      trialIssues({ screeners: [aScreener()], trials: [source(trial, 'low back\n     pain for at least 12 weeks')] }),
    ).toEqual([]);
  });

  it('reports promotional words in a plain summary', () => {
    const trial = aTrial({ criteria: [aCriterion()], plainSummary: 'An innovative breakthrough: free treatment for back pain.' });

    expect(trialIssues({ screeners: [aScreener()], trials: [source(trial)] }).map((i) => i.message)).toEqual([
      'plainSummary uses promotional words (innovative, breakthrough, free treatment); say what the study does, not what it promises',
    ]);
  });

  it('does not take a word that contains a promotional one for it', () => {
    const trial = aTrial({ criteria: [aCriterion()], plainSummary: 'A study of a secure way to measure back pain.' });

    expect(trialIssues({ screeners: [aScreener()], trials: [source(trial)] })).toEqual([]);
  });

  it('reports a question that no rule reads and that is not marked informational', () => {
    const screener = aScreener();
    delete screener.questions.find((q) => q.id === 'diagnosed_lbp')!.informational;

    const issues = lintCatalog({ screeners: [screener], trials: [] }).filter((i) => i.message.includes('"diagnosed_lbp"'));

    expect(issues).toEqual([
      expect.objectContaining({
        severity: 'error',
        file: 'data/screeners/lower-back-pain.json',
        message: expect.stringMatching(/is read by no rule/),
      }),
    ]);
  });

  it('accepts a question no rule reads when the screener says why it is asked', () => {
    const issues = lintCatalog({ screeners: [aScreener()], trials: [] }).filter((i) => i.message.includes('"diagnosed_lbp"'));

    expect(issues).toEqual([]);
  });

  it('reports a question marked informational that a rule reads', () => {
    const screener = aScreener();
    screener.questions.find((q) => q.id === 'age')!.informational = 'asked for the site';

    const issues = lintCatalog({ screeners: [screener], trials: [] }).filter((i) => i.message.includes('"age"'));

    expect(issues.map((i) => i.message)).toEqual(['question "age" is marked informational but rules read it']);
  });

  it('reads every question of the shipped screener in some rule, or knows why it is asked', async () => {
    const sources = await readCatalogSources(DATA_DIR);

    expect(lintCatalog(sources).filter((i) => i.trialId === '-')).toEqual([]);
  });
});
