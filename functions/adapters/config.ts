/**
 * Function configuration: one zod schema over `process.env`, covering every variable the function
 * manifest knows. Each function parses only the variables the manifest lists for it, once per
 * cold start; a missing or invalid variable fails the cold start with its name (never its value).
 *
 * Each variable's schema is written as a function and built only for the functions that list the
 * variable: building zod schemas is most of what this module costs at a cold start, and no
 * function reads more than half of the variables.
 */
import * as z from '#core/zod';
import { FUNCTIONS, type EnvironmentVariable, type FunctionName } from '#functions/function-manifest';

import { DEFAULT_SITE_LINK_TTL_DAYS, DEFAULT_SITE_REMINDER_WORKING_DAYS, SITE_EMAIL_MODES } from '#core/site-leads';

// `zod/mini`: every function parses its configuration at cold start, and the functions that need
// no other schema (delivery) then carry no more of zod than this.

/** An empty string counts as unset: CDK and shells write `X=` for "no value". */
const unsetIfEmpty = (value: unknown) => (value === '' ? undefined : value);

const positiveInteger = (fallback: number) => z._default(z.pipe(z.coerce.number(), z.int().check(z.positive())), fallback);

/** A browser origin: scheme, host and optional port, nothing else (what the `Origin` header holds). */
const Origin = () =>
  z.string().check(
    z.refine(
      (value) => {
        try {
          return new URL(value).origin === value;
        } catch {
          return false;
        }
      },
      { error: 'must be an origin such as https://example.org (scheme, host, optional port; no path)' },
    ),
  );

const EnvironmentSchemas = {
  TABLE_NAME: () => z.string().check(z.minLength(1)),
  /** Comma-separated origins allowed by CORS; empty means same-origin only. */
  ALLOWED_ORIGINS: () =>
    z.pipe(
      z.pipe(
        z._default(z.string(), ''),
        z.transform((value) =>
          value
            .split(',')
            .map((origin) => origin.trim())
            .filter((origin) => origin.length > 0),
        ),
      ),
      z.array(Origin()),
    ),
  SCREENING_TTL_DAYS: () => positiveInteger(30),
  REFERRAL_RETENTION_DAYS: () => positiveInteger(365),
  SENDER_EMAIL: () => z.email(),
  SES_CONFIGURATION_SET: () => z.string().check(z.minLength(1)),
  /** When set, every email goes to this address instead (demos, staging). */
  RECIPIENT_OVERRIDE: () => z.pipe(z.transform(unsetIfEmpty), z.optional(z.email())),
  /** Whether the catalog's site contacts may receive real leads (an operator's explicit decision). */
  CATALOG_CONTACTS_APPROVED: () =>
    z.pipe(
      z.pipe(z.transform(unsetIfEmpty), z._default(z.enum(['true', 'false']), 'false')),
      z.transform((value) => value === 'true'),
    ),
  PUBLIC_APP_URL: () => z.url(),
  /** Claims abandoned by their workers (crash, timeout) before a message is FAILED. */
  LEAD_MAX_ATTEMPTS: () => positiveInteger(5),
  LEAD_STALE_SENDING_SECONDS: () => positiveInteger(300),
  /** The ClinicalTrials.gov API v2 base URL the registry sync reads. */
  REGISTRY_API_URL: () => z._default(z.url({ protocol: /^https?$/ }), 'https://clinicaltrials.gov/api/v2'),
  /** Conditions the registry sync searches for (`query.cond`), separated by `|`. */
  REGISTRY_CONDITIONS: () =>
    z.pipe(
      z.string().check(z.minLength(1)),
      z.transform((value) =>
        value
          .split('|')
          .map((condition) => condition.trim())
          .filter(Boolean),
      ),
    ),
  /** Screeners a trial new from the registry sync is screened by, separated by commas. */
  REGISTRY_SCREENER_IDS: () =>
    z.pipe(
      z._default(z.string(), 'lower-back-pain'),
      z.transform((value) =>
        value
          .split(',')
          .map((id) => id.trim())
          .filter(Boolean),
      ),
    ),
  /** Days a registry verification or an operator's confirmation keeps a trial referable (`core/freshness.ts`). */
  MAX_RECORD_AGE_DAYS: () => positiveInteger(365),
  /** Transient failures are retried for this long after a message was created, then it is FAILED. */
  LEAD_DELIVERY_WINDOW_HOURS: () => positiveInteger(24),
  /** The deployment's stage, a dimension of the delivery metrics so two stages in one account never mix. */
  DEPLOYMENT_STAGE: () => z._default(z.string().check(z.minLength(1)), 'local'),
  /** First wait after a transient failure; doubles per attempt (with jitter) up to the maximum. */
  LEAD_RETRY_BASE_SECONDS: () => positiveInteger(30),
  LEAD_RETRY_MAX_SECONDS: () => positiveInteger(900),
  /**
   * What the site email carries: `minimal` (default) only the trial, site, lead id and the lead
   * page link; `full` also the patient's contact details and answers (see the README's trade-off).
   */
  SITE_EMAIL_MODE: () => z.pipe(z.transform(unsetIfEmpty), z._default(z.enum(SITE_EMAIL_MODES), 'minimal')),
  /** Days a lead page link works after the email carrying it was sent. */
  SITE_LINK_TTL_DAYS: () => positiveInteger(DEFAULT_SITE_LINK_TTL_DAYS),
  /** Working days without an outcome before the site's one reminder; escalation at twice that. */
  SITE_REMINDER_WORKING_DAYS: () => positiveInteger(DEFAULT_SITE_REMINDER_WORKING_DAYS),
} satisfies Record<EnvironmentVariable, () => z.ZodMiniType>;

/** Every configuration value, typed; a function may read only those its manifest entry lists. */
export type Config = { [Name in EnvironmentVariable]: z.output<ReturnType<(typeof EnvironmentSchemas)[Name]>> };

export class ConfigError extends Error {
  constructor(
    readonly functionName: string,
    readonly variables: string[],
    detail: string,
  ) {
    super(`Invalid configuration for ${functionName}: ${detail}`);
    this.name = 'ConfigError';
  }
}

const cache = new Map<string, Readonly<Config>>();

/**
 * Parses the environment variables the manifest lists for `functionName` (once; later calls
 * return the cached result). Reading a variable the manifest does not list throws, so the
 * manifest (and therefore the CDK stack that sets the variables) cannot silently fall behind.
 */
export function loadConfig(functionName: FunctionName, env: NodeJS.ProcessEnv = process.env): Readonly<Config> {
  const cached = cache.get(functionName);
  if (cached) return cached;

  const spec = FUNCTIONS.find((candidate) => candidate.name === functionName);
  if (!spec) throw new ConfigError(functionName, [], 'the function is not in the manifest');
  const listed = spec.environment as readonly EnvironmentVariable[];

  // Only the listed variables' schemas are built: a function pays for nothing it does not read.
  const parsed = z.object(Object.fromEntries(listed.map((name) => [name, EnvironmentSchemas[name]()]))).safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? '');
      const reason = env[name] === undefined ? 'is missing' : `is invalid (${issue.message})`;
      return { name, text: `${name} ${reason}` };
    });
    throw new ConfigError(
      functionName,
      problems.map((problem) => problem.name),
      problems.map((problem) => problem.text).join('; '),
    );
  }

  const values = parsed.data as Partial<Config>;
  const config = {} as Config;
  for (const name of Object.keys(EnvironmentSchemas) as EnvironmentVariable[]) {
    if (listed.includes(name)) {
      Object.defineProperty(config, name, { value: values[name], enumerable: true });
    } else {
      Object.defineProperty(config, name, {
        enumerable: false,
        get() {
          throw new ConfigError(
            functionName,
            [name],
            `${name} is not listed for this function in functions/function-manifest.ts`,
          );
        },
      });
    }
  }
  const frozen = Object.freeze(config);
  cache.set(functionName, frozen);
  return frozen;
}

/** Forgets parsed configurations; for tests that change `process.env` between cases. */
export function resetConfigCache(): void {
  cache.clear();
}
