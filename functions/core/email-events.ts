/**
 * SES email sending events (delivery, bounce, complaint...), as the configuration set publishes
 * them to SNS: the message is SES's event record, `{eventType, mail, bounce?, complaint?,
 * delivery?}` (AWS, "Contents of event data that Amazon SES publishes to Amazon SNS"). Each email
 * the pipeline sends carries message tags naming its outbox message, so an event finds its lead
 * or confirmation without an index on SES message ids.
 *
 * Pure: parsing and the decision of what an event means; the adapter records it. The schemas are
 * wrapped in `z.defineSchema` (see `zod.ts`): the delivery functions import `emailTagsFor` from
 * here and never parse an event, so their bundles leave the schemas out.
 */
import * as z from './zod';

/** The message tags every outbound email carries (SES tag names and values: letters, digits, `_`, `-`). */
export const EMAIL_TAGS = { kind: 'outbox-kind', id: 'outbox-id' } as const;

/** The message tags of one outbox message, for SES `SendEmail`'s `Tags`. */
export function emailTagsFor(kind: 'LEAD' | 'CONFIRMATION', id: string): Record<string, string> {
  return { [EMAIL_TAGS.kind]: kind, [EMAIL_TAGS.id]: id };
}

const Recipients = /* @__PURE__ */ z.defineSchema(() => z.array(z.object({ emailAddress: z.string() })));

/** The part of SES's event record this system reads; everything else is ignored. */
export const SesEventRecord = /* @__PURE__ */ z.defineSchema(() =>
  z.object({
    eventType: z.string(),
    mail: z.object({
      messageId: z.string(),
      timestamp: z.optional(z.string()),
      tags: z.optional(z.record(z.string(), z.array(z.string()))),
    }),
    bounce: z.optional(
      z.object({
        bounceType: z.string(),
        bounceSubType: z.optional(z.string()),
        bouncedRecipients: z._default(Recipients, []),
        timestamp: z.optional(z.string()),
      }),
    ),
    complaint: z.optional(
      z.object({
        complainedRecipients: z._default(Recipients, []),
        complaintFeedbackType: z.optional(z.string()),
        timestamp: z.optional(z.string()),
      }),
    ),
    delivery: z.optional(z.object({ timestamp: z.optional(z.string()) })),
  }),
);
export type SesEventRecord = z.infer<typeof SesEventRecord>;

/** What is kept on the message: the event's kind and time, never an address or a diagnostic. */
export interface EmailEventEntry {
  type: string;
  at: string;
  messageId: string;
  bounceType?: string | undefined;
  bounceSubType?: string | undefined;
  complaintType?: string | undefined;
}

/** An event, understood: which message, what to keep, and what must follow. */
export interface EmailEvent {
  ref: { kind: 'LEAD' | 'CONFIRMATION'; id: string } | undefined;
  entry: EmailEventEntry;
  /** A permanent bounce: the address does not exist or refuses mail for good. */
  hardBounce: boolean;
  /** Addresses that bounced permanently (to pause), in the event's words. */
  bouncedAddresses: string[];
  complaint: boolean;
  delivered: boolean;
}

/**
 * Reads one SES event record (the SNS message, parsed). Undefined when it is not one.
 * A `Permanent` bounce is hard; `Transient` and `Undetermined` are not (SES retries those).
 */
export function readEmailEvent(record: unknown): EmailEvent | undefined {
  const parsed = SesEventRecord.safeParse(record);
  if (!parsed.success) return undefined;
  const event = parsed.data;
  const tags = event.mail.tags ?? {};
  const kind = tags[EMAIL_TAGS.kind]?.[0];
  const id = tags[EMAIL_TAGS.id]?.[0];
  const hardBounce = event.eventType === 'Bounce' && event.bounce?.bounceType === 'Permanent';
  const at = event.bounce?.timestamp ?? event.complaint?.timestamp ?? event.delivery?.timestamp ?? event.mail.timestamp ?? '';
  return {
    ref: (kind === 'LEAD' || kind === 'CONFIRMATION') && id ? { kind, id } : undefined,
    entry: {
      type: event.eventType,
      at,
      messageId: event.mail.messageId,
      ...(event.bounce ? { bounceType: event.bounce.bounceType, bounceSubType: event.bounce.bounceSubType } : {}),
      ...(event.complaint?.complaintFeedbackType ? { complaintType: event.complaint.complaintFeedbackType } : {}),
    },
    hardBounce,
    bouncedAddresses: hardBounce ? (event.bounce?.bouncedRecipients ?? []).map((recipient) => recipient.emailAddress) : [],
    complaint: event.eventType === 'Complaint',
    delivered: event.eventType === 'Delivery',
  };
}
