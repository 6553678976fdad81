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
  const refuse = (why: string): never => {
    throw new Error(
      `Refusing to run locally with SES endpoint ${JSON.stringify(endpoint ?? '')}: ${why}. Local runs deliver to ` +
        'the SES emulator only, because the catalog lists real study coordinators.',
    );
  };
  if (!endpoint) refuse('no endpoint is set, so the real SES would be used');
  let url: URL;
  try {
    url = new URL(endpoint as string);
  } catch {
    return refuse('it is not a URL');
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const loopback = host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
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

