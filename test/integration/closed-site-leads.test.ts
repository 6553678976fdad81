/**
 * Publishing a catalog in which a trial or site has closed holds that trial's or site's leads
 * not yet sent, with the reason, and leaves the others alone.
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { holdLeadsOfClosedSites } from '#adapters/closed-site-leads';
import { OutboxRepository } from '#adapters/outbox-repository';
import { aSite, aTrial } from '#test/factories/catalog';
import { aScreener, adultWithChronicBackPain } from '#test/factories/screener';
import { startTestApi, type TestApi } from '#test/setup/api';

describe('holding the unsent leads of closed trials and sites', () => {
  let api: TestApi;
  const closing = aTrial({ title: 'Yoga for lower back pain', sites: [aSite({ facility: 'Harbor Spine Center' })] });
  const staying = aTrial({ title: 'Exercise for lower back pain', sites: [aSite({ facility: 'Bay Clinic' })] });

  beforeAll(async () => {
    api = await startTestApi({ screeners: [aScreener()], trials: [closing, staying] });
  });

  async function leadsFor(): Promise<Record<string, any>[]> {
    const screening = await api.request('POST', '/screenings', {
      body: { screenerId: 'lower-back-pain', answers: adultWithChronicBackPain() },
    });
    const referral = await api.request('POST', `/screenings/${screening.body.screeningId}/referrals`, {
      token: screening.body.token,
      body: {
        trialIds: [closing.nctId, staying.nctId],
        contact: { name: 'Alex Patient', email: 'alex.patient@example.com' },
        consent: { shareWithSites: true, phoneContact: false, textVersion: aScreener().consent.version },
      },
    });
    expect(referral.status).toBe(202);
    return referral.body.leads;
  }

  const lead = async (leadId: string) => (await api.itemsOf('LEAD')).find((item) => item.leadId === leadId)!;

  it('holds the lead of a trial that stopped recruiting and keeps the other pending', async () => {
    const [closingLead, stayingLead] = await leadsFor();

    const held = await holdLeadsOfClosedSites(new OutboxRepository(api.table), [{ ...closing, status: 'COMPLETED' }, staying]);

    expect(held.map((h) => h.leadId)).toEqual([closingLead!.leadId]);
    const stored = await lead(closingLead!.leadId);
    expect(stored.status).toBe('FAILED');
    expect(stored.lastError).toMatch(new RegExp(`^held: Study ${closing.nctId} has stopped recruiting`));
    expect((await lead(stayingLead!.leadId)).status).toBe('PENDING');
  });

  it("takes a held lead that was waiting for a retry out of the reconciler's due index", async () => {
    const [closingLead] = await leadsFor();
    const outbox = new OutboxRepository(api.table);
    // As after a failed attempt: due again later, in the due index.
    await outbox.defer({ kind: 'LEAD', id: closingLead!.leadId }, new Date(Date.now() + 60_000));
    expect(await lead(closingLead!.leadId)).toHaveProperty('GSI2PK');

    await holdLeadsOfClosedSites(outbox, [{ ...closing, status: 'COMPLETED' }, staying]);

    const stored = await lead(closingLead!.leadId);
    expect(stored.status).toBe('FAILED');
    expect(stored).not.toHaveProperty('GSI2PK');
    expect(stored).not.toHaveProperty('nextAttemptAt');
  });

  it('holds the lead of a site that stopped recruiting', async () => {
    const [closingLead] = await leadsFor();
    const siteClosed = {
      ...closing,
      sites: closing.sites.map((site) => ({ ...site, status: 'ACTIVE_NOT_RECRUITING' as const })),
    };

    const held = await holdLeadsOfClosedSites(new OutboxRepository(api.table), [siteClosed, staying]);

    expect(held).toContainEqual(expect.objectContaining({ leadId: closingLead!.leadId, siteId: closing.sites[0]!.siteId }));
    expect((await lead(closingLead!.leadId)).lastError).toContain('study site you were matched with');
  });
});
