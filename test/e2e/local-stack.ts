/**
 * The local stack for the browser tests: the real one started by `local/launch.ts`, or one that is
 * already running (`npm start`) when `E2E_BASE_URL` is set, e.g. while working on the form.
 */
import { launchLocalStack } from '#local/launch';

export interface E2eStack {
  /** Where the form and the API are served (same origin). */
  baseUrl: string;
  /** The SES emulator: its inbox page, and `GET <sesUrl>/store` for the emails as JSON. */
  sesUrl: string;
  /** Everything the stack printed, for a failing test's message. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts the stack and resolves once it runs. The web form must already be built
 * (`npm run build:web`, which `npm test` and `npm start` run first). With `E2E_BASE_URL` (and
 * optionally `E2E_SES_URL`) set, uses that running stack instead and leaves it running.
 */
export async function startE2eStack(): Promise<E2eStack> {
  const external = process.env.E2E_BASE_URL;
  if (external) {
    const sesUrl = process.env.E2E_SES_URL ?? 'http://localhost:8005';
    return { baseUrl: external.replace(/\/+$/, ''), sesUrl, output: () => '', stop: async () => {} };
  }
  return launchLocalStack({ readyTimeoutMs: 90_000 });
}
