/** Small factories for the web form's unit tests: trial results as the API returns them. */
import type { CriterionEvaluation, SiteSummary, TrialResult } from '#core/model';

export function aSite(overrides: Partial<SiteSummary> = {}): SiteSummary {
  return {
    siteId: 'site-1',
    facility: 'Johns Hopkins Hospital',
    city: 'Baltimore',
    state: 'Maryland',
    country: 'United States',
    distanceKm: 3.2,
    distanceMiles: 2,
    acceptsReferrals: true,
    ...overrides,
  };
}

export function aCriterion(overrides: Partial<CriterionEvaluation> = {}): CriterionEvaluation {
  return { id: 'age', kind: 'inclusion', text: 'You are 18 or older', result: 'met', basedOn: ['age'], ...overrides };
}

export function aTrialResult(overrides: Partial<TrialResult> = {}): TrialResult {
  return {
    trialId: 'NCT01234567',
    title: 'Exercise for chronic low back pain',
    summary: 'A study of a 12-week exercise programme.',
    recordDate: '2026-03-12',
    eligibility: 'eligible',
    criteria: [aCriterion()],
    leftToStudyTeam: [],
    nearestSite: aSite(),
    referable: true,
    ...overrides,
  };
}
