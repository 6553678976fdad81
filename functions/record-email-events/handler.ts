/**
 * The email-event recorder's Lambda handler: SNS notifications (the SES configuration set's
 * topic) handed to the record-email-events use case (`functions/app/record-email-events.ts`),
 * with the recorder's metrics and log lines.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { SNSEvent } from 'aws-lambda';
import { type EmailEventSummary, recordEmailEvents } from '#app/record-email-events';
import { emailEventMonitor } from '#adapters/email-event-monitor';
import type { EmailEventStore, SitePauses } from '#core/ports';

export interface EmailEventPorts {
  events: EmailEventStore;
  pauses: Pick<SitePauses, 'pauseAddress'>;
  metrics: Metrics;
  logger: Logger;
  now: () => Date;
}

export function createEmailEventHandler(ports: EmailEventPorts): (event: SNSEvent) => Promise<EmailEventSummary> {
  const record = recordEmailEvents({
    events: ports.events,
    sitePauses: ports.pauses,
    monitor: emailEventMonitor(ports.metrics, ports.logger),
    clock: ports.now,
  });
  return (event) =>
    record((event.Records ?? []).map((entry) => ({ notificationId: entry.Sns?.MessageId, message: entry.Sns?.Message })));
}
