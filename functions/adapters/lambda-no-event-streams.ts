/**
 * Stands in for `@smithy/core/event-streams` in Lambda bundles only (an esbuild alias in
 * `lib/lambda-function.ts`). The SDK's HTTP protocol code imports event-stream support lazily,
 * for operations that stream events (Transcribe, Bedrock, S3 Select, ...). DynamoDB and SES have
 * no such operation, so in our functions that import never runs, yet a bundler must include what
 * it names: about 19 KB of every bundle. Should an event-stream operation ever be called from a
 * bundle, it fails with this message instead of misbehaving.
 */

/** Why event streams are missing, for the error an unexpected use raises. */
export const EVENT_STREAMS_NOT_BUNDLED =
  'AWS SDK event streams are not bundled in trial-screener Lambda functions (DynamoDB and SES have no event-stream operations); ' +
  'remove the alias in lib/lambda-function.ts to call a service that streams events.';

function notBundled(): never {
  throw new Error(EVENT_STREAMS_NOT_BUNDLED);
}

/** The two names the SDK's `HttpProtocol.loadEventStreamCapability` takes from the real module. */
export class EventStreamSerde {
  constructor() {
    notBundled();
  }
}

export const eventStreamSerdeProvider = (): never => notBundled();
