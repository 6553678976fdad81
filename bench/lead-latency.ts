/**
 * Benchmark 4, lead latency on the local stack: referrals sent at a steady pace, and for each the
 * time from its `202 Accepted` to the site's email arriving in the SES emulator (table write ->
 * stream -> poller -> `deliver-leads` -> SES). The emulator stamps emails in whole seconds, so the
 * arrival is observed by polling its store every `pollMs` (the figures include up to that much).
 */
import type { Answers } from '#core/model';
import { median, percentile } from './stats';

export interface LeadLatencyOptions {
  baseUrl: string;
  sesUrl: string;
  answers: Answers;
  referrals: number;
  /** Pause between two referrals. */
  intervalMs: number;
  pollMs: number;
  /** Give up on emails that have not arrived this long after the last referral. */
  timeoutMs: number;
}

export interface LeadLatencyReport {
  referrals: number;
  delivered: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  pollMs: number;
  intervalMs: number;
}

interface StoredEmail {
  destination: { to: string[] };
  body: { text?: string; html?: string };
}

async function json<T>(response: Response, what: string): Promise<T> {
  if (!response.ok) throw new Error(`${what}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** A screening the patient can be referred from, and the trials offering a referral. */
async function referableScreening(
  options: LeadLatencyOptions,
): Promise<{ screeningId: string; token: string; trialIds: string[] }> {
  const response = await fetch(`${options.baseUrl}/screenings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ screenerId: 'lower-back-pain', answers: options.answers }),
  });
  const body = await json<{
    screeningId: string;
    token: string;
    results: { trialId: string; eligibility: string; nearestSite: { acceptsReferrals: boolean } | null }[];
  }>(response, 'POST /screenings');
  const trialIds = body.results
    .filter((result) => result.eligibility !== 'ineligible' && result.nearestSite?.acceptsReferrals)
    .map((result) => result.trialId);
  if (trialIds.length === 0) throw new Error('The benchmark patient has no trial that accepts referrals: pick other answers');
  return { screeningId: body.screeningId, token: body.token, trialIds: trialIds.slice(0, 1) };
}

export async function runLeadLatencyBenchmark(options: LeadLatencyOptions): Promise<LeadLatencyReport> {
  const consentVersion = (
    await json<{ consent: { version: string } }>(await fetch(`${options.baseUrl}/screeners/lower-back-pain`), 'GET screener')
  ).consent.version;
  const screenings = [];
  for (let i = 0; i < options.referrals; i++) screenings.push(await referableScreening(options));

  // The lead id identifies a referral's site email: the (minimal) site email names the lead, not the patient.
  const leadIds: string[] = [];
  const acceptedAt = new Map<string, number>();
  const arrivedAt = new Map<string, number>();
  const sinceSeconds = Math.floor(Date.now() / 1000) - 1;

  let sending = true;
  const watcher = (async () => {
    let lastReferralAt = Date.now();
    while (sending || (arrivedAt.size < acceptedAt.size && Date.now() - lastReferralAt < options.timeoutMs)) {
      if (sending) lastReferralAt = Date.now();
      const store = await json<{ emails: StoredEmail[] }>(
        await fetch(`${options.sesUrl}/store?since=${sinceSeconds}`),
        'SES store',
      );
      const seen = performance.now();
      for (const email of store.emails) {
        const text = email.body.text ?? email.body.html ?? '';
        for (const leadId of leadIds) {
          if (arrivedAt.has(leadId) || !text.includes(leadId)) continue;
          // Only the site's email counts; the patient's own confirmation goes to their address.
          if (email.destination.to.some((address) => address.startsWith('bench-patient-'))) continue;
          arrivedAt.set(leadId, seen);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, options.pollMs));
    }
  })();

  try {
    for (let i = 0; i < screenings.length; i++) {
      const { screeningId, token, trialIds } = screenings[i]!;
      const response = await fetch(`${options.baseUrl}/screenings/${screeningId}/referrals`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({
          trialIds,
          contact: { name: `Bench Patient ${i}`, email: `bench-patient-${i}@example.org` },
          consent: { shareWithSites: true, phoneContact: false, textVersion: consentVersion },
        }),
      });
      const referral = await json<{ leads: { leadId: string }[] }>(response, 'POST referral');
      const acceptedNow = performance.now();
      const firstLead = referral.leads[0]!.leadId;
      leadIds.push(firstLead);
      acceptedAt.set(firstLead, acceptedNow);
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
    }
  } finally {
    sending = false;
    await watcher;
  }

  const latencies = [...arrivedAt].map(([leadId, at]) => at - acceptedAt.get(leadId)!);
  return {
    referrals: options.referrals,
    delivered: latencies.length,
    p50Ms: latencies.length ? median(latencies) : Number.NaN,
    p95Ms: latencies.length ? percentile(latencies, 95) : Number.NaN,
    maxMs: latencies.length ? Math.max(...latencies) : Number.NaN,
    pollMs: options.pollMs,
    intervalMs: options.intervalMs,
  };
}
