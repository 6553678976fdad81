import { describe, expect, it } from '@jest/globals';
import type { Trial } from '#core/model';
import { closedPairs, planRegistrySync, type RegistryFacts, registryFactsOf } from '#core/registry-sync';
import { aCriterion, aSite, aTrial } from '#test/factories/catalog';

const factsOf = (trial: Trial, change: Partial<RegistryFacts> = {}): RegistryFacts => ({ ...registryFactsOf(trial), ...change });
const asDraft = (facts: RegistryFacts): Trial => ({
  ...facts,
  screenerIds: ['lower-back-pain'],
  criteria: [],
  leftToStudyTeam: [],
  review: { status: 'draft' },
});

describe('planning a registry sync', () => {
  it('brings a new recruiting trial in as a draft', () => {
    const plan = planRegistrySync([], [factsOf(aTrial())], asDraft);

    expect(plan.summary).toMatchObject({ new: 1 });
    expect(plan.entries[0]!.review).toEqual({ status: 'draft' });
  });

  it('ignores a new trial that is not recruiting', () => {
    expect(planRegistrySync([], [factsOf(aTrial({ status: 'COMPLETED' }))], asDraft).entries).toEqual([]);
  });

  it('keeps authored criteria, screeners and confirmations when the registry facts change', () => {
    const trial = aTrial({
      criteria: [aCriterion()],
      screenerIds: ['lower-back-pain'],
      confirmations: [{ by: 'Kari', at: '2026-11-20T09:00:00Z' }],
    });

    const plan = planRegistrySync([trial], [factsOf(trial, { title: 'A new title' })], asDraft);

    expect(plan.changes).toEqual([{ nctId: trial.nctId, kind: 'updated', closedSiteIds: [] }]);
    expect(plan.entries[0]).toMatchObject({ title: 'A new title', criteria: trial.criteria, confirmations: trial.confirmations });
  });

  it('reports an unchanged record as unchanged, whatever file it came from', () => {
    const trial = aTrial({ source: { format: 'ctgov-classic-xml', file: 'NCT.xml' } });

    expect(
      planRegistrySync([trial], [factsOf(trial, { source: { format: 'ctgov-v2-json', file: 'api' } })], asDraft).summary
        .unchanged,
    ).toBe(1);
  });

  it('reports a trial that stopped recruiting as closed, with every site to hold', () => {
    const trial = aTrial();

    const plan = planRegistrySync([trial], [factsOf(trial, { status: 'ACTIVE_NOT_RECRUITING' })], asDraft);

    expect(plan.summary.closed).toBe(1);
    expect(closedPairs(plan)).toEqual([
      { trialId: trial.nctId, siteId: undefined, reason: `study ${trial.nctId} has stopped recruiting (registry sync)` },
    ]);
  });

  it('reports a site that stopped recruiting in a trial that still recruits', () => {
    const open = aSite();
    const closing = aSite();
    const trial = aTrial({ sites: [open, closing] });

    const plan = planRegistrySync([trial], [factsOf(trial, { sites: [open, { ...closing, status: 'COMPLETED' }] })], asDraft);

    expect(plan.changes[0]).toEqual({ nctId: trial.nctId, kind: 'updated', closedSiteIds: [closing.siteId] });
    expect(plan.summary.closedSites).toBe(1);
  });

  it('counts a trial returned by two searches once', () => {
    const trial = aTrial();

    expect(planRegistrySync([], [factsOf(trial), factsOf(trial)], asDraft).changes).toHaveLength(1);
  });
});
