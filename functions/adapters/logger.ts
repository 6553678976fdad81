/**
 * The structured JSON logger every function uses. Log ids, outcomes and durations only: never an
 * event, a body, an answer, a name, an email address or a phone number (the product handles
 * health information). Powertools logs the event only through `injectLambdaContext({ logEvent })`
 * or `logEventIfEnabled`; neither is used anywhere, so POWERTOOLS_LOGGER_LOG_EVENT has no effect.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { installSourceMappedStacks } from './source-mapped-stacks';

// Every function imports this module, and in a Lambda bundle its URL is the bundle's own.
installSourceMappedStacks(import.meta.url);

/** The level comes from POWERTOOLS_LOG_LEVEL (Powertools reads it natively), INFO by default. */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'trial-screener',
});
