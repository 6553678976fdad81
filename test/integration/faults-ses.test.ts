/**
 * SES faults on the whole local stack (`npm start` with `SES_ENDPOINT` behind the fault proxy):
 * patients are referred through the HTTP API while SES is unreachable, or while it refuses every
 * send as the SES sandbox does; once it comes back every lead and confirmation goes out exactly
 * once. The reconciler runs every second and retries back off from 2 s, so this takes about the
 * outage plus a few seconds.
 */
import { describe, expect, it } from '@jest/globals';
import { runSesFaultScenario } from '../../bench/reliability';
import { adultWithChronicBackPain } from '#test/factories/screener';

const answers = adultWithChronicBackPain({ age: 70 });

describe('the local stack with SES behind a faulty network', () => {
  it('sends every lead and confirmation exactly once after a 30-second SES outage during 20 referrals', async () => {
    const report = await runSesFaultScenario({
      sesEmulatorUrl: process.env.SES_EMULATOR_URL!,
      answers,
      referrals: 20,
      fault: 'drop',
      faultMs: 30_000,
      settleTimeoutMs: 60_000,
    });

    expect(report.accepted).toBe(20);
    expect(report.droppedConnections).toBeGreaterThan(0);
    expect(report.leadsFailed).toBe(0);
    expect(report.leadsSent).toBe(report.leads);
    expect(report.siteEmailsPerLead).toEqual({ min: 1, max: 1 });
    expect(report.confirmationsPerPatient).toEqual({ min: 1, max: 1 });
  }, 240_000);

  it('holds leads SES refuses because the sender is not verified, and delivers them once the refusal stops', async () => {
    const report = await runSesFaultScenario({
      sesEmulatorUrl: process.env.SES_EMULATOR_URL!,
      answers,
      referrals: 3,
      fault: 'refuse-unverified',
      faultMs: 8_000,
      settleTimeoutMs: 60_000,
    });

    expect(report.refusedRequests).toBeGreaterThan(0);
    expect(report.leadsFailed).toBe(0);
    expect(report.leadsSent).toBe(report.leads);
    expect(report.siteEmailsPerLead).toEqual({ min: 1, max: 1 });
    expect(report.confirmationsPerPatient).toEqual({ min: 1, max: 1 });
  }, 240_000);
});
