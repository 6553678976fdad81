import { describe, expect, it } from '@jest/globals';
import { evaluateScreening, prepareCatalog } from '#core/eligibility';
import {
  assessFreshness,
  describeRegistryMonth,
  referralRecheck,
  registryDateEnd,
  registryDateStart,
  type FreshnessPolicy,
} from '#core/freshness';
import { patientLocationFromAnswers } from '#core/geo';
import type { Trial } from '#core/model';
import { PLACES, aSite, aTrial } from '#test/factories/catalog';
import { aScreener, adultWithChronicBackPain } from '#test/factories/screener';

const NOW = new Date('2026-12-01T10:00:00Z');
const policy: FreshnessPolicy = { maxRecordAgeDays: 365, now: NOW };

/** A trial whose registry record was verified in `verified` and expects primary completion in `completion`. */
const recordOf = (verified: string | undefined, completion = '2030-06', overrides: Partial<Trial> = {}): Trial =>
  aTrial({
    recordDates: {
      ...(verified && { verified }),
      primaryCompletion: completion,
      primaryCompletionType: 'ANTICIPATED',
    },
    ...overrides,
  });

describe('registry dates', () => {
  it('counts a verification month from its first day', () => {
    expect(new Date(registryDateStart('2020-07')).toISOString()).toBe('2020-07-01T00:00:00.000Z');
  });

  it('counts a completion month as passed only once the month is over', () => {
    expect(new Date(registryDateEnd('2021-04')).toISOString()).toBe('2021-05-01T00:00:00.000Z');
    expect(new Date(registryDateEnd('2021-04-25')).toISOString()).toBe('2021-04-26T00:00:00.000Z');
  });

  it('describes a date to patients by its month', () => {
    expect(describeRegistryMonth('2020-07')).toBe('July 2020');
    expect(describeRegistryMonth('2019-12-04')).toBe('December 2019');
  });
});

describe('the freshness rule', () => {
  it('keeps a record verified within the limit whose anticipated completion is ahead current', () => {
    expect(assessFreshness(recordOf('2026-06'), undefined, policy)).toMatchObject({ current: true, basis: 'registry' });
  });

  it('calls a record verified more than maxRecordAgeDays ago stale, in plain words with the month', () => {
    const freshness = assessFreshness(recordOf('2020-07'), undefined, policy);

    expect(freshness.current).toBe(false);
    expect(freshness.reason).toEqual({
      code: 'RECORD_STALE',
      message: 'This study may no longer be recruiting: its registry record was last verified in July 2020.',
    });
  });

  it('honours a configured limit', () => {
    expect(assessFreshness(recordOf('2026-06'), undefined, { ...policy, maxRecordAgeDays: 90 }).current).toBe(false);
  });

  it('calls a record stale once its anticipated primary completion has passed, even if recently verified', () => {
    const freshness = assessFreshness(recordOf('2026-10', '2026-09'), undefined, policy);

    expect(freshness.current).toBe(false);
    expect(freshness.reason?.message).toContain('September 2026');
  });

  it('treats a record with no verification date as unverified, never as current', () => {
    expect(assessFreshness(recordOf(undefined), undefined, policy).current).toBe(false);
    expect(assessFreshness(aTrial({ recordDates: undefined }), undefined, policy).current).toBe(false);
  });

  it('makes a stale record current with an in-date confirmation for the whole study', () => {
    const trial = recordOf('2020-07', '2021-04', {
      confirmations: [{ by: 'Kari Operator', at: '2026-11-20T09:00:00Z', note: 'phoned the study office' }],
    });

    expect(assessFreshness(trial, 'any-site', policy)).toMatchObject({
      current: true,
      basis: 'confirmation',
      confirmation: { by: 'Kari Operator', at: '2026-11-20T09:00:00Z' },
    });
  });

  it('lets a site confirmation cover only that site', () => {
    const trial = recordOf('2020-07', '2030-01', {
      confirmations: [{ siteId: 'site-oslo', by: 'Kari', at: '2026-11-20T09:00:00Z' }],
    });

    expect(assessFreshness(trial, 'site-oslo', policy).current).toBe(true);
    expect(assessFreshness(trial, 'site-bergen', policy).current).toBe(false);
  });

  it('lets a confirmation expire after the same limit as a registry verification', () => {
    const trial = recordOf('2020-07', '2030-01', { confirmations: [{ by: 'Kari', at: '2025-11-01T09:00:00Z' }] });

    expect(assessFreshness(trial, undefined, policy).current).toBe(false);
  });

  it('does not count a confirmation dated in the future', () => {
    const trial = recordOf('2020-07', '2030-01', { confirmations: [{ by: 'Kari', at: '2027-06-01T09:00:00Z' }] });

    expect(assessFreshness(trial, undefined, policy).current).toBe(false);
  });

  it('marks a demo confirmation as a demo, so results can say so', () => {
    const trial = recordOf('2020-07', '2030-01', {
      confirmations: [{ by: 'npm start demo', at: '2026-12-01T09:00:00Z', demo: true }],
    });

    expect(assessFreshness(trial, undefined, policy).confirmation).toEqual({
      by: 'npm start demo',
      at: '2026-12-01T09:00:00Z',
      demo: true,
    });
  });
});

describe('screening with stale records', () => {
  const screener = aScreener();
  const answers = adultWithChronicBackPain();
  const screen = (trials: Trial[]) =>
    evaluateScreening(
      screener,
      prepareCatalog('v1', trials),
      answers,
      patientLocationFromAnswers(answers, PLACES.baltimore),
      policy,
    );

  it('does not count an eligible trial with a stale record as a match, and says why with the study contact', () => {
    const trial = recordOf('2020-07', '2021-04', { centralContact: { name: 'Study office', email: 'study@example.org' } });

    const evaluation = screen([trial]);

    expect(evaluation.outcome).toBe('no_matches');
    const [result] = evaluation.results;
    expect(result!.eligibility).toBe('eligible');
    expect(result!.freshness).toMatchObject({ current: false, reason: { code: 'RECORD_STALE' } });
    expect(result!.studyContact).toEqual({ name: 'Study office', email: 'study@example.org' });
  });

  it('puts current records before stale ones within a group', () => {
    const stale = recordOf('2020-07');
    const current = recordOf('2026-10');

    expect(screen([stale, current]).results.map((r) => r.trialId)).toEqual([current.nctId, stale.nctId]);
  });

  it('never offers a draft trial that no operator has approved', () => {
    expect(screen([recordOf('2026-10', '2030-01', { review: { status: 'draft' } })]).results).toEqual([]);
  });
});

describe('the referral re-check against the current catalog', () => {
  const site = aSite({ siteId: 'site-a' });
  const recheck = (current: Trial | undefined, trialId = 'NCT00000001') =>
    referralRecheck([{ trialId, siteId: 'site-a' }], () => current, policy);

  it('passes a trial and site still recruiting with a current record', () => {
    expect(recheck(recordOf('2026-10', '2030-01', { nctId: 'NCT00000001', sites: [site] }))).toEqual([]);
  });

  it('refuses a trial that has stopped recruiting since', () => {
    expect(recheck(recordOf('2026-10', '2030-01', { nctId: 'NCT00000001', status: 'COMPLETED', sites: [site] }))).toEqual([
      { trialId: 'NCT00000001', message: 'Study NCT00000001 has stopped recruiting since you answered the questions.' },
    ]);
  });

  it('refuses a site that has stopped recruiting since', () => {
    const closed = recordOf('2026-10', '2030-01', {
      nctId: 'NCT00000001',
      sites: [{ ...site, status: 'ACTIVE_NOT_RECRUITING' }],
    });

    expect(recheck(closed)[0]?.message).toContain('study site you were matched with');
  });

  it('refuses a trial whose record has gone stale since', () => {
    expect(recheck(recordOf('2024-10', '2030-01', { nctId: 'NCT00000001', sites: [site] }))[0]?.message).toContain(
      'may no longer be recruiting',
    );
  });

  it('refuses a trial no longer in the catalog', () => {
    expect(recheck(undefined)[0]?.message).toBe('Study NCT00000001 is no longer offered.');
  });
});
