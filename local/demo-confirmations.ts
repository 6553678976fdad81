/**
 * Demo confirmations for the local runtime and the benchmarks (see withDemoConfirmations).
 */
import type { Trial } from '#core/model';

/** Who the local demo's confirmations say confirmed a trial: a name nobody can mistake for a person. */
export const DEMO_CONFIRMER = 'Local demo (npm start), not checked with the study';

/**
 * The shipped records are from 2019-2020, so under the freshness rule none of them may take a
 * referral, and `npm start` could never show the journey to the inbox. Rather than treat old
 * records as current, the local runtime records a demo confirmation for each recruiting trial
 * when it seeds (unless DEMO_CONFIRMATIONS=false): results show "demo confirmation" beside the
 * study, and every email goes to the local SES emulator only (`local/email-guard.ts`). The
 * catalog version gets a `-demo` suffix so it never passes for the files' version.
 */
export function withDemoConfirmations(
  trials: Trial[],
  catalogVersion: string,
  now: Date = new Date(),
  enabled: boolean = process.env.DEMO_CONFIRMATIONS !== 'false',
): { trials: Trial[]; catalogVersion: string; confirmed: number } {
  if (!enabled) return { trials, catalogVersion, confirmed: 0 };
  let confirmed = 0;
  const demo = trials.map((trial) => {
    if (trial.status !== 'RECRUITING') return trial;
    confirmed += 1;
    const confirmation = {
      by: DEMO_CONFIRMER,
      at: now.toISOString(),
      demo: true as const,
      note: 'Made up at start so the local demo can send a lead',
    };
    return { ...trial, confirmations: [...(trial.confirmations ?? []), confirmation] };
  });
  // A day's demo confirmations share a version, so a restart the same day reuses the seeded catalog.
  return { trials: demo, catalogVersion: `${catalogVersion}-demo-${now.toISOString().slice(0, 10)}`, confirmed };
}
