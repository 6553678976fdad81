/**
 * Sends rendered emails with SES `SendEmail` (structured subject, text and HTML: SES builds the
 * MIME message and encodes the headers, so nothing here assembles raw mail). The SES client is
 * passed in as anything with `send`, so a test can wrap the real client in a failing decorator
 * and the local runtime can point it at the emulator through `AWS_ENDPOINT_URL_SES`.
 */
import { SendEmailCommand, SESClient, type SendEmailCommandOutput } from '@aws-sdk/client-ses';
import type { Mailer, SendResult } from '../core/delivery';
import type { RenderedEmail } from '../core/lead-email';

/** The one SES operation the mailer uses; `SESClient` satisfies it. */
export interface SesSender {
  send(command: SendEmailCommand): Promise<SendEmailCommandOutput>;
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

/** A mailer over SES `SendEmail` that reports failures as permanent or transient. */
export function createSesMailer(options: SesMailerOptions): Mailer {
  return {
    async send(email: RenderedEmail): Promise<SendResult> {
      const command = new SendEmailCommand({
        Source: options.sender,
        Destination: { ToAddresses: [email.to] },
        ReplyToAddresses: email.replyTo.length > 0 ? email.replyTo : undefined,
        Message: {
          Subject: { Data: email.subject, Charset: 'UTF-8' },
          Body: { Text: { Data: email.text, Charset: 'UTF-8' }, Html: { Data: email.html, Charset: 'UTF-8' } },
        },
        ConfigurationSetName: options.configurationSet,
      });
      try {
        const output = await options.ses.send(command);
        if (!output.MessageId) return { ok: false, permanent: false, reason: 'SES returned no message id' };
        return { ok: true, messageId: output.MessageId };
      } catch (error) {
        return { ok: false, ...classifySesError(error) };
      }
    },
  };
}

// Errors about this one message: sending it again cannot succeed.
const PERMANENT_ERRORS = new Set([
  'MessageRejected',
  'InvalidParameterValue',
  'ValidationError',
  'MailFromDomainNotVerifiedException',
  'ConfigurationSetDoesNotExistException',
]);
// Errors that pass: rate or quota limits, an account or configuration set paused by the
// operator, service faults. Retried by the stream and the reconciler up to LEAD_MAX_ATTEMPTS.
const TRANSIENT_ERRORS = new Set([
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'ServiceUnavailable',
  'InternalFailure',
  'AccountSendingPausedException',
  'ConfigurationSetSendingPausedException',
  'RequestTimeout',
  'TimeoutError',
]);

/**
 * Whether an SES error is worth retrying. The reason names the error class and status only:
 * SES messages can quote the recipient's address, which must not reach the table or a log.
 */
export function classifySesError(error: unknown): { permanent: boolean; reason: string } {
  const named = (typeof error === 'object' && error !== null ? error : {}) as {
    name?: string;
    $metadata?: { httpStatusCode?: number };
    $retryable?: unknown;
  };
  const name = named.name ?? 'UnknownError';
  const status = named.$metadata?.httpStatusCode;
  const reason = `SES ${name}${status ? ` (${status})` : ''}`;
  if (PERMANENT_ERRORS.has(name)) return { permanent: true, reason };
  if (TRANSIENT_ERRORS.has(name) || named.$retryable) return { permanent: false, reason };
  // Any other client error (4xx) is about the request; no status at all is a network failure.
  const permanent = status !== undefined && status >= 400 && status < 500 && status !== 429;
  return { permanent, reason };
}
