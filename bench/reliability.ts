/**
 * Reliability under faults, on the real local stack (`npm start` as a child process): the SES
 * endpoint behind a fault-injecting proxy (`local/fault-proxy.ts`) that drops every connection
 * for a while, or refuses every send as SES does for an unverified identity, while patients are
 * referred through the HTTP API. Used by the fault tests (`test/faults/`) and the benchmark report's
 * reliability section, so the figures in `bench/RESULTS.md` come from the same scenario the suite
 * checks.
 */
import { randomUUID } from 'node:crypto';
import type { Answers } from '#core/model';
import { startFaultProxy, type FaultMode } from '#local/fault-proxy';
import { launchLocalStack, type LocalStack } from '#local/launch';
import { fetchEmulatorInbox, type EmulatedEmail } from '#local/ses-emulator';

export interface SesFaultOptions {
  /** The SES emulator the proxy forwards to (`GET <url>/store` lists what it received). */
  sesEmulatorUrl: string;
  answers: Answers;
  referrals: number;
  fault: Exclude<FaultMode, 'pass'>;
  faultMs: number;
  /** Give up waiting for delivery this long after the fault ends. */
  settleTimeoutMs: number;
  /** Local reconciler interval and retry backoff (seconds): short, so the run stays short. */
  reconcileIntervalSeconds?: number;
  retryBaseSeconds?: number;
  retryMaxSeconds?: number;
}

export interface SesFaultReport {
  fault: Exclude<FaultMode, 'pass'>;
  faultSeconds: number;
  referrals: number;
  /** Referrals answered 202 (the rest are listed as errors). */
  accepted: number;
  leads: number;
  /** Leads whose status ended SENT, and those that ended FAILED. */
  leadsSent: number;
  leadsFailed: number;
  /** Emails the emulator received per lead and per patient confirmation. */
  siteEmailsPerLead: { min: number; max: number };
  confirmationsPerPatient: { min: number; max: number };
  /** Connections the proxy dropped and requests it refused during the fault. */
  droppedConnections: number;
  refusedRequests: number;
  /** From the end of the fault until the last lead and confirmation had arrived. */
  recoverySeconds: number;
  reconcileIntervalSeconds: number;
  retryBaseSeconds: number;
}

interface Referred {
  screeningId: string;
  token: string;
  patientEmail: string;
  leadIds: string[];
}

async function json<T>(response: Response, what: string): Promise<T> {
  if (!response.ok) throw new Error(`${what}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/**
 * Refers `referrals` patients through the API while SES is faulty, then waits until every lead is
 * SENT (or FAILED) and every email has arrived, and counts them.
 */
export async function runSesFaultScenario(options: SesFaultOptions): Promise<SesFaultReport> {
  const reconcileIntervalSeconds = options.reconcileIntervalSeconds ?? 1;
  const retryBaseSeconds = options.retryBaseSeconds ?? 2;
  const proxy = await startFaultProxy({ target: options.sesEmulatorUrl });
  let stack: LocalStack | undefined;
  try {
    stack = await launchLocalStack({
      env: {
        SES_ENDPOINT: proxy.url,
        RECONCILE_INTERVAL_S: String(reconcileIntervalSeconds),
        LEAD_RETRY_BASE_SECONDS: String(retryBaseSeconds),
        LEAD_RETRY_MAX_SECONDS: String(options.retryMaxSeconds ?? 8),
        POWERTOOLS_LOG_LEVEL: 'WARN',
      },
    });
    const base = stack.baseUrl;
    const consentVersion = (
      await json<{ consent: { version: string } }>(await fetch(`${base}/screeners/lower-back-pain`), 'GET screener')
    ).consent.version;
    const run = randomUUID().slice(0, 8);

    const screenings: { screeningId: string; token: string; trialIds: string[] }[] = [];
    for (let i = 0; i < options.referrals; i++) {
      const body = await json<{
        screeningId: string;
        token: string;
        results: { trialId: string; eligibility: string; nearestSite: { acceptsReferrals: boolean } | null }[];
      }>(
        await fetch(`${base}/screenings`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ screenerId: 'lower-back-pain', answers: options.answers }),
        }),
        'POST /screenings',
      );
      const trialIds = body.results
        .filter((result) => result.eligibility !== 'ineligible' && result.nearestSite?.acceptsReferrals)
        .map((result) => result.trialId);
      if (trialIds.length === 0) throw new Error('The scenario patient has no trial that accepts referrals');
      screenings.push({ screeningId: body.screeningId, token: body.token, trialIds: trialIds.slice(0, 1) });
    }

    // The fault starts, and the referrals are made during it.
    proxy.faultFor(options.fault, options.faultMs);
    const faultEndsAt = Date.now() + options.faultMs;
    const referred: Referred[] = [];
    for (const [i, screening] of screenings.entries()) {
      const patientEmail = `fault-${run}-${i}@example.org`;
      const response = await fetch(`${base}/screenings/${screening.screeningId}/referrals`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${screening.token}` },
        body: JSON.stringify({
          trialIds: screening.trialIds,
          contact: { name: `Fault Patient ${i}`, email: patientEmail },
          consent: { shareWithSites: true, phoneContact: false, textVersion: consentVersion },
        }),
      });
      if (response.status !== 202) continue;
      const body = (await response.json()) as { leads: { leadId: string }[] };
      referred.push({ ...screening, patientEmail, leadIds: body.leads.map((lead) => lead.leadId) });
      // Spread over the first part of the fault, as patients would be.
      await new Promise((resolve) => setTimeout(resolve, Math.min(500, options.faultMs / (2 * options.referrals))));
    }
    const droppedConnections = proxy.stats.dropped;
    const refusedRequests = proxy.stats.refused;

    const leadIds = referred.flatMap((referral) => referral.leadIds);
    const patients = referred.map((referral) => referral.patientEmail);
    const count = (emails: EmulatedEmail[]) => ({
      perLead: leadIds.map((leadId) => emails.filter((email) => (email.body.text ?? '').includes(leadId)).length),
      perPatient: patients.map((address) => emails.filter((email) => email.destination.to.includes(address)).length),
    });
    const statuses = async () =>
      (
        await Promise.all(
          referred.map(async (referral) => {
            const body = await json<{ referral?: { leads: { status: string }[] } }>(
              await fetch(`${base}/screenings/${referral.screeningId}`, {
                headers: { authorization: `Bearer ${referral.token}` },
              }),
              'GET screening',
            );
            return body.referral?.leads.map((lead) => lead.status) ?? [];
          }),
        )
      ).flat();

    await new Promise((resolve) => setTimeout(resolve, Math.max(0, faultEndsAt - Date.now())));
    const deadline = Date.now() + options.settleTimeoutMs;
    let finalStatuses: string[] = [];
    let counts = count([]);
    let recoveredAt = Date.now();
    while (Date.now() < deadline) {
      finalStatuses = await statuses();
      counts = count(await fetchEmulatorInbox(options.sesEmulatorUrl));
      const settled = finalStatuses.every((status) => status === 'SENT' || status === 'FAILED');
      if (settled && counts.perLead.every((n) => n >= 1) && counts.perPatient.every((n) => n >= 1)) {
        recoveredAt = Date.now();
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    // A little longer: a duplicate would arrive after the first copy.
    await new Promise((resolve) => setTimeout(resolve, 3 * reconcileIntervalSeconds * 1000));
    counts = count(await fetchEmulatorInbox(options.sesEmulatorUrl));
    finalStatuses = await statuses();

    const range = (values: number[]) => ({ min: Math.min(...values), max: Math.max(...values) });
    return {
      fault: options.fault,
      faultSeconds: options.faultMs / 1000,
      referrals: options.referrals,
      accepted: referred.length,
      leads: leadIds.length,
      leadsSent: finalStatuses.filter((status) => status === 'SENT').length,
      leadsFailed: finalStatuses.filter((status) => status === 'FAILED').length,
      siteEmailsPerLead: range(counts.perLead),
      confirmationsPerPatient: range(counts.perPatient),
      droppedConnections,
      refusedRequests,
      recoverySeconds: Math.round((recoveredAt - faultEndsAt) / 100) / 10,
      reconcileIntervalSeconds,
      retryBaseSeconds,
    };
  } catch (error) {
    if (stack) process.stderr.write(stack.output().slice(-4000));
    throw error;
  } finally {
    await stack?.stop();
    await proxy.stop();
  }
}
