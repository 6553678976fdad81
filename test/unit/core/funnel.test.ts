import { describe, expect, it } from '@jest/globals';
import {
  countFunnel,
  screeningFunnelCounts,
  isIsoWeek,
  isoWeekOf,
  weekStart,
  weeksBetween,
  type FunnelCriterion,
  type FunnelLead,
  type FunnelRecords,
  type FunnelScreening,
  type FunnelTrialResult,
} from '#core/funnel';
import type { CriterionResult } from '#core/model';
import type { SiteOutcome } from '#core/site-leads';

const TRIAL_A = 'NCT00000001';
const TRIAL_B = 'NCT00000002';
// Monday 2026-11-23 is in 2026-W48; Monday 2026-11-30 in 2026-W49.
const W48 = '2026-11-24T10:00:00.000Z';
const W49 = '2026-12-01T10:00:00.000Z';

function criteria(age: CriterionResult, pain: CriterionResult): FunnelCriterion[] {
  return [
    { criterionId: 'age', kind: 'inclusion', text: 'You are 18 or older.', result: age },
    { criterionId: 'pain-12-weeks', kind: 'inclusion', text: 'Your pain has lasted 12 weeks or more.', result: pain },
  ];
}

function eligibilityOf(list: FunnelCriterion[]): FunnelTrialResult['eligibility'] {
  if (list.some((criterion) => criterion.result === 'not_met')) return 'ineligible';
  return list.some((criterion) => criterion.result === 'unknown') ? 'possibly_eligible' : 'eligible';
}

function result(trialId: string, siteId: string | null, age: CriterionResult, pain: CriterionResult): FunnelTrialResult {
  const list = criteria(age, pain);
  return { trialId, siteId, eligibility: eligibilityOf(list), criteria: list };
}

function screening(id: string, createdAt: string, trials: FunnelTrialResult[]): FunnelScreening {
  return {
    screeningId: id,
    createdAt,
    outcome: trials.some((t) => t.eligibility !== 'ineligible') ? 'matches' : 'no_matches',
    trials,
  };
}

function lead(
  screeningId: string,
  trialId: string,
  siteId: string,
  status: string,
  outcomes: SiteOutcome[] = [],
  createdAt = W48,
): FunnelLead {
  return { leadId: `lead-${screeningId}-${trialId}`, screeningId, trialId, siteId, createdAt, status, outcomes };
}

function records(screenings: FunnelScreening[], leads: FunnelLead[]): FunnelRecords {
  return {
    async *screenings() {
      yield* screenings;
    },
    async *leads() {
      yield* leads;
    },
  };
}

/**
 * The seeded data set. Week 48: five screenings of trial A (site a1) and B (site b1); week 49:
 * two more and one urgent-care stop. Known figures are written beside each.
 */
function seeded(): FunnelRecords {
  const screenings = [
    screening('s1', W48, [result(TRIAL_A, 'a1', 'met', 'met'), result(TRIAL_B, 'b1', 'met', 'unknown')]), // A eligible, B possibly
    screening('s2', W48, [result(TRIAL_A, 'a1', 'met', 'unknown'), result(TRIAL_B, 'b1', 'met', 'unknown')]), // A possibly, B possibly
    screening('s3', W48, [result(TRIAL_A, 'a1', 'not_met', 'not_met'), result(TRIAL_B, 'b1', 'not_met', 'met')]), // both ineligible
    screening('s4', W48, [result(TRIAL_A, 'a1', 'met', 'not_met'), result(TRIAL_B, null, 'met', 'met')]), // A out on pain alone; B eligible, no site
    screening('s5', W48, [result(TRIAL_A, 'a1', 'met', 'met'), result(TRIAL_B, 'b1', 'met', 'met')]), // both eligible
    screening('s6', W49, [result(TRIAL_A, 'a2', 'met', 'met'), result(TRIAL_B, 'b1', 'unknown', 'met')]), // A eligible at a2, B possibly
    screening('s7', W49, [result(TRIAL_A, 'a1', 'met', 'unknown'), result(TRIAL_B, 'b1', 'not_met', 'unknown')]), // A possibly, B ineligible
    { screeningId: 's8', createdAt: W49, outcome: 'urgent_care' as const, trials: [] },
  ];
  const leads = [
    lead('s1', TRIAL_A, 'a1', 'SENT', ['contacted', 'screening_visit_scheduled', 'consented', 'enrolled']),
    lead('s1', TRIAL_B, 'b1', 'SENT', ['could_not_reach']),
    lead('s2', TRIAL_A, 'a1', 'SENT', ['contacted', 'not_eligible']),
    lead('s5', TRIAL_A, 'a1', 'FAILED'),
    lead('s5', TRIAL_B, 'b1', 'PENDING'),
    lead('s6', TRIAL_A, 'a2', 'SENT', ['contacted', 'contacted'], W49),
  ];
  return records(screenings, leads);
}

describe('ISO weeks', () => {
  it('puts a Sunday in the week of the Monday before it', () => {
    expect(isoWeekOf(new Date('2026-11-29T23:59:59Z'))).toBe('2026-W48');
    expect(isoWeekOf(new Date('2026-11-30T00:00:00Z'))).toBe('2026-W49');
  });

  it('gives the first days of January to the last week of the year before when the week starts in it', () => {
    expect(isoWeekOf(new Date('2027-01-01T12:00:00Z'))).toBe('2026-W53');
    expect(isoWeekOf(new Date('2027-01-04T12:00:00Z'))).toBe('2027-W01');
  });

  it('starts a week on its Monday at midnight UTC and lists the weeks between two weeks', () => {
    expect(weekStart('2026-W49').toISOString()).toBe('2026-11-30T00:00:00.000Z');
    expect(weeksBetween('2026-W52', '2027-W02')).toEqual(['2026-W52', '2026-W53', '2027-W01', '2027-W02']);
  });

  it('accepts only weeks that exist', () => {
    expect(isIsoWeek('2026-W53')).toBe(true);
    expect(isIsoWeek('2027-W53')).toBe(false);
    expect(isIsoWeek('2026-W00')).toBe(false);
    expect(isIsoWeek('2026-49')).toBe(false);
  });
});

describe('countFunnel on the seeded data set', () => {
  it('counts each step per week, trial and nearest site', async () => {
    const report = await countFunnel(seeded());

    expect(report.rows).toEqual([
      {
        week: '2026-W48',
        trialId: TRIAL_A,
        siteId: 'a1',
        screenings: 5,
        possiblyEligible: 1,
        eligible: 2,
        referred: 3,
        delivered: 2,
        contacted: 2,
        enrolled: 1,
      },
      {
        week: '2026-W48',
        trialId: TRIAL_B,
        siteId: 'b1',
        screenings: 4,
        possiblyEligible: 2,
        eligible: 1,
        referred: 2,
        delivered: 1,
        contacted: 0,
        enrolled: 0,
      },
      {
        week: '2026-W48',
        trialId: TRIAL_B,
        siteId: null,
        screenings: 1,
        possiblyEligible: 0,
        eligible: 1,
        referred: 0,
        delivered: 0,
        contacted: 0,
        enrolled: 0,
      },
      {
        week: '2026-W49',
        trialId: TRIAL_A,
        siteId: 'a1',
        screenings: 1,
        possiblyEligible: 1,
        eligible: 0,
        referred: 0,
        delivered: 0,
        contacted: 0,
        enrolled: 0,
      },
      {
        week: '2026-W49',
        trialId: TRIAL_A,
        siteId: 'a2',
        screenings: 1,
        possiblyEligible: 0,
        eligible: 1,
        referred: 1,
        delivered: 1,
        contacted: 1,
        enrolled: 0,
      },
      {
        week: '2026-W49',
        trialId: TRIAL_B,
        siteId: 'b1',
        screenings: 2,
        possiblyEligible: 1,
        eligible: 0,
        referred: 0,
        delivered: 0,
        contacted: 0,
        enrolled: 0,
      },
    ]);
  });

  it('totals per trial, per week and overall, and counts distinct screenings and urgent-care stops', async () => {
    const report = await countFunnel(seeded());

    expect(report.weeks).toEqual(['2026-W48', '2026-W49']);
    expect(report.screenings).toEqual({ total: 8, urgentCare: 1, withResults: 7 });
    expect(report.byTrial.map((trial) => [trial.trialId, trial.screenings, trial.referred, trial.enrolled])).toEqual([
      [TRIAL_A, 7, 4, 1],
      [TRIAL_B, 7, 2, 0],
    ]);
    expect(report.byWeek.map((week) => [week.week, week.screenings, week.referred, week.contacted])).toEqual([
      ['2026-W48', 10, 5, 2],
      ['2026-W49', 4, 1, 1],
    ]);
    expect(report.total).toEqual({
      screenings: 14,
      possiblyEligible: 5,
      eligible: 5,
      referred: 6,
      delivered: 4,
      contacted: 3,
      enrolled: 1,
    });
  });

  it('counts for each criterion the screenings it made not met, alone or not, and those it left unknown', async () => {
    const report = await countFunnel(seeded());

    const byCriterion = Object.fromEntries(
      report.attrition.map((entry) => [
        `${entry.trialId} ${entry.criterionId}`,
        [entry.evaluated, entry.notMet, entry.onlyNotMet, entry.unknown],
      ]),
    );
    expect(byCriterion).toEqual({
      [`${TRIAL_A} age`]: [7, 1, 0, 0],
      [`${TRIAL_A} pain-12-weeks`]: [7, 2, 1, 2],
      [`${TRIAL_B} age`]: [7, 2, 2, 1],
      [`${TRIAL_B} pain-12-weeks`]: [7, 0, 0, 3],
    });
    expect(report.attrition[0]).toMatchObject({ notMet: 2, text: expect.any(String), kind: 'inclusion' });
  });

  it('counts "contacted" once for a lead whose site recorded it twice, and "could not reach" not at all', async () => {
    const report = await countFunnel(seeded(), { trialId: TRIAL_A, fromWeek: '2026-W49' });

    expect(report.total.contacted).toBe(1);
    const trialB = await countFunnel(seeded(), { trialId: TRIAL_B });
    expect(trialB.total.contacted).toBe(0);
  });
});

describe('countFunnel queries', () => {
  it('counts only the weeks asked for, listing empty weeks in the range', async () => {
    const report = await countFunnel(seeded(), { fromWeek: '2026-W49', toWeek: '2026-W50' });

    expect(report.weeks).toEqual(['2026-W49', '2026-W50']);
    expect(report.screenings.total).toBe(3);
    expect(report.byWeek.at(-1)).toMatchObject({ week: '2026-W50', screenings: 0 });
    expect(report.rows.every((row) => row.week === '2026-W49')).toBe(true);
  });

  it('counts only the trial asked for, and only the screenings that evaluated it', async () => {
    const report = await countFunnel(seeded(), { trialId: TRIAL_B });

    expect(report.rows.every((row) => row.trialId === TRIAL_B)).toBe(true);
    expect(report.total).toMatchObject({ screenings: 7, referred: 2, delivered: 1 });
    expect(report.attrition.every((entry) => entry.trialId === TRIAL_B)).toBe(true);
    expect(report.screenings).toEqual({ total: 7, urgentCare: 0, withResults: 7 });
  });

  it("counts a lead whose screening is gone in the lead's own week", async () => {
    const report = await countFunnel(records([], [lead('erased', TRIAL_A, 'a1', 'SENT', [], W49)]));

    expect(report.rows).toEqual([expect.objectContaining({ week: '2026-W49', screenings: 0, referred: 1, delivered: 1 })]);
  });

  it('marks partial the weeks that began before unreferred screenings were last kept', async () => {
    const report = await countFunnel(seeded(), { unreferredKeptSince: new Date('2026-11-26T00:00:00Z') });

    expect(report.partialWeeks).toEqual(['2026-W48']);
  });

  it('reports an empty funnel with no weeks when there are no records', async () => {
    const report = await countFunnel(records([], []));

    expect(report).toMatchObject({ weeks: [], rows: [], attrition: [], fromWeek: null, toWeek: null });
    expect(report.total.screenings).toBe(0);
  });
});

describe('screeningFunnelCounts', () => {
  it('counts the eligible and possibly eligible trial results of a new screening', () => {
    const counts = screeningFunnelCounts({
      outcome: 'matches',
      results: [
        { eligibility: 'eligible' },
        { eligibility: 'possibly_eligible' },
        { eligibility: 'possibly_eligible' },
        { eligibility: 'ineligible' },
      ],
    });

    expect(counts).toEqual({ urgentCare: 0, eligible: 1, possiblyEligible: 2 });
  });

  it('counts an urgent-care stop, which has no trial results', () => {
    expect(screeningFunnelCounts({ outcome: 'urgent_care', results: [] })).toEqual({
      urgentCare: 1,
      eligible: 0,
      possiblyEligible: 0,
    });
  });
});
