/**
 * The stand-in for the SDK's event-stream support in Lambda bundles: never used by DynamoDB or SES,
 * and a clear failure if an event-stream operation were ever called.
 */
import { describe, expect, it } from '@jest/globals';
import { EVENT_STREAMS_NOT_BUNDLED, EventStreamSerde, eventStreamSerdeProvider } from '#adapters/lambda-no-event-streams';

describe('event streams in Lambda bundles', () => {
  it('refuses to build an event-stream serializer, saying why and what to change', () => {
    expect(() => new EventStreamSerde()).toThrow(EVENT_STREAMS_NOT_BUNDLED);
  });

  it('refuses to provide an event-stream marshaller', () => {
    expect(() => eventStreamSerdeProvider()).toThrow(/not bundled/);
  });
});
