/**
 * The email-event recorder: the SES configuration set publishes delivery, bounce and complaint
 * events to an SNS topic, which invokes this function. Each event is kept on its message; a hard
 * bounce marks the message BOUNCED and, for a lead, pauses the address that bounced (no new leads
 * go to it; results say the site is not taking referrals) and raises the `LeadsBounced` alarm.
 *
 * A table error is thrown, so Lambda's asynchronous retries deliver the event again; recording
 * is idempotent where it matters (BOUNCED and the pause happen once).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { SNSEvent } from 'aws-lambda';
import { readEmailEvent } from '#core/email-events';
import type { EmailEventRepository } from '#adapters/email-event-repository';
import { SITE_METRIC_NAMES } from '#adapters/site-metrics';
import type { SitePauseRepository } from '#adapters/site-pause-repository';

export interface EmailEventPorts {
  events: EmailEventRepository;
  pauses: SitePauseRepository;
  metrics: Metrics;
  logger: Logger;
  now: () => Date;
}

export interface EmailEventSummary {
  recorded: number;
  bounced: number;
  ignored: number;
}

export function createEmailEventHandler(ports: EmailEventPorts): (event: SNSEvent) => Promise<EmailEventSummary> {
  return async (event) => {
    const summary: EmailEventSummary = { recorded: 0, bounced: 0, ignored: 0 };
    try {
      for (const record of event.Records ?? []) {
        const parsed = readEmailEvent(safeJson(record.Sns?.Message));
        if (!parsed?.ref) {
          // Mail this system did not tag (or not an SES event): nothing to record it on.
          ports.logger.warn('Ignored an email event with no outbox message', { messageId: record.Sns?.MessageId });
          summary.ignored += 1;
          continue;
        }
        const { ref, entry } = parsed;
        if (await ports.events.record(ref, entry)) summary.recorded += 1;
        if (parsed.delivered) ports.metrics.addMetric(SITE_METRIC_NAMES.delivered, MetricUnit.Count, 1);
        if (parsed.complaint) {
          ports.metrics.addMetric(SITE_METRIC_NAMES.complained, MetricUnit.Count, 1);
          ports.logger.warn('Email complaint reported by SES', { kind: ref.kind, id: ref.id, sesMessageId: entry.messageId });
        }
        if (parsed.hardBounce && (await ports.events.markBounced(ref, ports.now()))) {
          summary.bounced += 1;
          ports.metrics.addMetric(SITE_METRIC_NAMES.bounced, MetricUnit.Count, 1);
          // A patient's address that bounces is the patient's to fix; a site's stops new leads.
          if (ref.kind === 'LEAD') {
            for (const address of parsed.bouncedAddresses) {
              await ports.pauses.pauseAddress(
                address,
                { pausedBy: 'bounce', reason: entry.bounceSubType ?? 'hard bounce', leadId: ref.id },
                ports.now(),
              );
            }
          }
          ports.logger.error('Email hard-bounced: marked BOUNCED' + (ref.kind === 'LEAD' ? ' and the address paused' : ''), {
            kind: ref.kind,
            id: ref.id,
            sesMessageId: entry.messageId,
            bounceSubType: entry.bounceSubType,
          });
        }
      }
    } finally {
      if (ports.metrics.hasStoredMetrics()) ports.metrics.publishStoredMetrics();
    }
    if (summary.recorded + summary.ignored > 0) ports.logger.info('Email events recorded', { ...summary });
    return summary;
  };
}

function safeJson(text: string | undefined): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
