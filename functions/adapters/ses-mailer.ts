/**
 * Sends rendered emails with SES `SendEmail` (structured subject, text and HTML: SES builds the
 * MIME message and encodes the headers, so nothing here assembles raw mail). The SES client is
 * passed in as anything with `send`, so a test can wrap the real client in a failing decorator
 * and the local runtime can point it at the emulator through `AWS_ENDPOINT_URL_SES`.
 */
import { SendEmailCommand, SESClient, type SendEmailCommandOutput } from '@aws-sdk/client-ses';
import type { Mailer, SendOptions, SendResult } from '#core/delivery';
import type { RenderedEmail } from '#core/lead-email';

/** The one SES operation the mailer uses; `SESClient` satisfies it. */
export interface SesSender {
  send(command: SendEmailCommand, options?: { abortSignal?: AbortSignal }): Promise<SendEmailCommandOutput>;
}

export interface SesMailerOptions {
  ses: SesSender;
  /** The verified `From` address (`SENDER_EMAIL`). */
  sender: string;
  /** The configuration set that requires TLS and publishes delivery events (`SES_CONFIGURATION_SET`). */
  configurationSet?: string | undefined;
}

let sharedClient: SESClient | undefined;

/**
 * The SES client, created once per process. The SDK's standard retry strategy already retries
 * throttling and 5xx errors with backoff inside one send; what still fails is classified below.
 */
export function sesClient(): SESClient {
  sharedClient ??= new SESClient({});
  return sharedClient;
}

/** A mailer over SES `SendEmail` that reports failures as permanent, transient or held. */
export function createSesMailer(options: SesMailerOptions): Mailer {
  return {
    async send(email: RenderedEmail, sendOptions: SendOptions): Promise<SendResult> {
      try {
        const command = new SendEmailCommand({
          Source: options.sender,
          Destination: { ToAddresses: [email.to] },
          ReplyToAddresses: email.replyTo.length > 0 ? email.replyTo : undefined,
          Message: {
            Subject: { Data: email.subject, Charset: 'UTF-8' },
            Body: { Text: { Data: email.text, Charset: 'UTF-8' }, Html: { Data: email.html, Charset: 'UTF-8' } },
          },
          ConfigurationSetName: options.configurationSet,
          // Delivery events (bounces, complaints) find their lead or confirmation by these tags.
          Tags: email.tags ? Object.entries(email.tags).map(([Name, Value]) => ({ Name, Value })) : undefined,
        });
        // Aborted at the claim's deadline, so a send never outlives what erasure waits for.
        if (Date.now() >= sendOptions.deadline.getTime()) return { ok: false, retry: 'later', reason: 'send deadline passed' };
        const abortSignal = AbortSignal.timeout(Math.max(1, sendOptions.deadline.getTime() - Date.now()));
        const output = await options.ses.send(command, { abortSignal });
        if (!output.MessageId) return { ok: false, retry: 'later', reason: 'SES returned no message id' };
        return { ok: true, messageId: output.MessageId };
      } catch (error) {
        return { ok: false, ...classifySesError(error) };
      }
    },
  };
}

/**
 * Errors about this one message: sending it again cannot succeed. `URIError` is the SDK's own
 * refusal to encode a string that is not well-formed Unicode (the API refuses such input, so
 * this only guards items written some other way).
 */
export const PERMANENT_SES_ERRORS = [
  'MessageRejected',
  'InvalidParameterValue',
  'InvalidParameterCombination',
  'MissingParameter',
  'ValidationError',
  'URIError',
] as const;

/**
 * Refusals the operator must fix, not the message: an unverified identity or the SES sandbox
 * (`MessageRejected` "Email address is not verified"), missing permission, an unverified MAIL
 * FROM domain, a missing or paused configuration set, a paused account. Held within the delivery
 * window (retried, counted as `MessagesHeld`) so the lead goes out once the operator fixes it.
 */
export const HELD_SES_ERRORS = [
  'AccessDenied',
  'AccessDeniedException',
  'NotAuthorized',
  'MailFromDomainNotVerifiedException',
  'ConfigurationSetDoesNotExistException',
  'ConfigurationSetSendingPausedException',
  'AccountSendingPausedException',
] as const;

/** SES's wording for an unverified sender or (in the sandbox) recipient, under `MessageRejected`. */
const NOT_VERIFIED = /\bnot verified\b/i;

export type SesErrorClass = { retry: 'never' | 'later' | 'held'; reason: string };

/**
 * What to do about an SES error: never retry (an explicit list of errors about the message),
 * hold (an explicit list of refusals the operator must fix), or retry later: everything else,
 * throttling, 5xx, timeouts, connection errors and any error not recognised, so that a new or
 * unknown error never loses a lead. The reason names the error class and status only: SES
 * messages can quote the recipient's address, which must not reach the table or a log.
 */
export function classifySesError(error: unknown): SesErrorClass {
  const named = (typeof error === 'object' && error !== null ? error : {}) as {
    name?: string;
    message?: string;
    $metadata?: { httpStatusCode?: number };
  };
  const name = typeof named.name === 'string' && named.name ? named.name : 'UnknownError';
  const status = named.$metadata?.httpStatusCode;
  const reason = `SES ${name}${status ? ` (${status})` : ''}`;
  if (name === 'MessageRejected' && NOT_VERIFIED.test(String(named.message ?? ''))) {
    return { retry: 'held', reason: `${reason}: identity not verified (SES sandbox or sender)` };
  }
  if ((HELD_SES_ERRORS as readonly string[]).includes(name)) return { retry: 'held', reason };
  if ((PERMANENT_SES_ERRORS as readonly string[]).includes(name)) return { retry: 'never', reason };
  return { retry: 'later', reason };
}
