/**
 * The local runtime's email guard. The shipped catalog lists real study coordinators; locally
 * they are approved as recipients (`CATALOG_CONTACTS_APPROVED=true`) only because every email
 * goes to the SES emulator on this machine. This module makes that condition explicit: the
 * approval is never set unless the SES endpoint is a loopback address.
 *
 * No imports, so unit tests load it in microseconds.
 */

/** What the delivery services need from the local runtime's shared context. */
export interface DeliveryServiceContext {
  tableName: string;
  dataDir: string;
  origin: string;
  urls: string[];
}

/**
 * Throws unless `endpoint` is an http(s) URL on this machine. The local runtime approves the
 * catalog's contacts as recipients (`CATALOG_CONTACTS_APPROVED=true`) only behind this check.
 */
export function assertLoopbackSesEndpoint(endpoint: string | undefined): void {
  assertLoopbackEndpoint(
    endpoint,
    'SES',
    'Local runs deliver to the SES emulator only, because the catalog lists real study coordinators.',
  );
}

/**
 * Throws unless `endpoint` is an http(s) URL on this machine: what `npm start` accepts for
 * `SES_ENDPOINT` and `DYNAMODB_ENDPOINT` (a running emulator, DynamoDB Local, or a fault-injecting
 * proxy in front of one), never a real AWS endpoint.
 */
export function assertLoopbackEndpoint(
  endpoint: string | undefined,
  service: string,
  why = 'Local runs use services on this machine only.',
): void {
  const refuse = (reason: string): never => {
    throw new Error(`Refusing to run locally with ${service} endpoint ${JSON.stringify(endpoint ?? '')}: ${reason}. ${why}`);
  };
  if (!endpoint) refuse(`no endpoint is set, so the real ${service} would be used`);
  let url: URL;
  try {
    url = new URL(endpoint as string);
  } catch {
    return refuse('it is not a URL');
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const loopback = host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
  if (!/^https?:$/.test(url.protocol)) refuse('it is not an http(s) URL');
  if (!loopback) refuse('it is not a loopback address');
}

/** The local delivery configuration: the same variables the manifest lists for the functions. */
export function applyLocalDeliveryEnvironment(context: DeliveryServiceContext, env: NodeJS.ProcessEnv = process.env): void {
  assertLoopbackSesEndpoint(env.AWS_ENDPOINT_URL_SES);
  env.TABLE_NAME = context.tableName;
  env.SENDER_EMAIL ||= 'leads@trial-screener.local';
  env.SES_CONFIGURATION_SET ||= 'trial-screener-local';
  env.PUBLIC_APP_URL ||= `${context.origin}/`;
  // Safe only behind the loopback check above: the emulator is the only recipient there is.
  env.CATALOG_CONTACTS_APPROVED ||= 'true';
  // EMF metric lines are for CloudWatch; locally they would drown the log.
  env.POWERTOOLS_METRICS_DISABLED ||= 'true';
}

/** `RECONCILE_INTERVAL_S`: seconds between local reconciler runs (default 30). */
export function reconcileIntervalSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.RECONCILE_INTERVAL_S;
  if (raw === undefined || raw === '') return 30;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds < 0.1 || seconds > 3600) {
    throw new Error(`RECONCILE_INTERVAL_S must be a number of seconds between 0.1 and 3600, not ${JSON.stringify(raw)}`);
  }
  return seconds;
}
