import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, ServicePrincipal, type Role } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  ConfigurationSet,
  ConfigurationSetTlsPolicy,
  DkimIdentity,
  EasyDkimSigningKeyLength,
  EmailIdentity,
  EmailSendingEvent,
  EventDestination,
  Identity,
  MailFromBehaviorOnMxFailure,
} from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  scheduleFunctions,
  streamFunctions,
  type FunctionSpec,
  type ScheduleFunctionSpec,
  type StreamFilterPattern,
  type StreamFunctionSpec,
} from '#functions/function-manifest';
import { senderDomain } from './stack-config';
import { createManifestFunction, type EnvironmentValues } from './lambda-function';
import { RETAIN_STATEFUL } from './stateful';

export interface LeadDeliveryConstructProps {
  readonly table: ITable;
  readonly key: IKey;
  readonly logRetention: RetentionDays;
  /** Everything delivery functions read except `SES_CONFIGURATION_SET`, which is created here. */
  readonly environment: EnvironmentValues;
  /** The From address of every email. */
  readonly senderEmail: string;
  /** Create the SES identity for the sender (false when it or its domain is already verified). */
  readonly createSenderIdentity: boolean;
  /** `domain`: the sender's domain with Easy DKIM and a custom MAIL FROM; `email`: the address only. */
  readonly senderIdentity: 'domain' | 'email';
  /** MAIL FROM domain of a domain identity (default `mail.<sender domain>`). */
  readonly mailFromDomain?: string | undefined;
  /** Seconds after which a `SENDING` lead may be re-claimed; must exceed every delivery timeout. */
  readonly leadStaleSendingSeconds: number;
}

export interface StreamDelivery {
  readonly spec: StreamFunctionSpec;
  readonly fn: NodejsFunction;
}

export interface ScheduledDelivery {
  readonly spec: ScheduleFunctionSpec;
  readonly fn: NodejsFunction;
}

/**
 * Lead delivery: the table stream (new leads and confirmations, filtered in the event source
 * mapping exactly as the manifest says) invokes the delivery function, which emails through SES;
 * failed batches land in an encrypted dead-letter queue, and a scheduled reconciler re-drives
 * whatever the table still shows as undelivered.
 */
export class LeadDeliveryConstruct extends Construct {
  readonly deadLetterQueue: Queue;
  readonly configurationSet: ConfigurationSet;
  /**
   * SES publishes every delivery, bounce, complaint, reject, delay and rendering failure of mail
   * sent through the configuration set here (KMS-encrypted). Attach consumers with
   * `fn.addEventSource(new SnsEventSource(delivery.emailEvents))`; the message is SES's event JSON.
   */
  readonly emailEvents: Topic;
  /** The identity the stack created for the sender (absent with `createSenderIdentity=false`). */
  readonly senderIdentity?: EmailIdentity;
  readonly streamDeliveries: readonly StreamDelivery[];
  readonly scheduledDeliveries: readonly ScheduledDelivery[];

  constructor(scope: Construct, id: string, props: LeadDeliveryConstructProps) {
    super(scope, id);
    assertStaleSendingOutlastsDelivery(props.leadStaleSendingSeconds);

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the lead stream; it has an alarm instead of a further queue.',
    });

    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      // Lead emails carry health information: never hand them to a server without TLS.
      tlsPolicy: ConfigurationSetTlsPolicy.REQUIRE,
      reputationMetrics: true,
      sendingEnabled: true,
    });
    this.emailEvents = this.createEmailEventDestination(props.key);
    if (props.createSenderIdentity) this.senderIdentity = this.createSenderIdentity(props);

    const environment: EnvironmentValues = {
      ...props.environment,
      SES_CONFIGURATION_SET: this.configurationSet.configurationSetName,
    };
    const sendEmail = this.sendEmailStatement(props.senderEmail);
    const createFunction = (spec: FunctionSpec): NodejsFunction => {
      const fn = createManifestFunction(this, spec, { ...props, environment });
      if (spec.sendsEmail) fn.addToRolePolicy(sendEmail);
      return fn;
    };

    this.streamDeliveries = streamFunctions().map((spec) => {
      const fn = createFunction(spec);
      fn.addEventSource(
        new DynamoEventSource(props.table, {
          startingPosition: StartingPosition.LATEST,
          filters: spec.trigger.filterPatterns.map(streamFilter),
          batchSize: spec.trigger.batchSize,
          maxBatchingWindow: Duration.seconds(spec.trigger.maxBatchingWindowSeconds),
          reportBatchItemFailures: true,
          bisectBatchOnError: spec.trigger.bisectBatchOnError,
          retryAttempts: spec.trigger.retryAttempts,
          maxRecordAge: Duration.seconds(spec.trigger.maxRecordAgeSeconds),
          parallelizationFactor: spec.trigger.parallelizationFactor,
          onFailure: new SqsDlq(this.deadLetterQueue),
        }),
      );
      const role = fn.role as Role;
      Validations.of(role).acknowledge(
        {
          id: 'AwsSolutions-IAM5[Resource::*]',
          reason:
            'dynamodb:ListStreams (granted by the DynamoDB event source) has no resource-level permissions; ' +
            "reading records is limited to this table's stream ARN.",
        },
        ...['kms:ReEncrypt*', 'kms:GenerateDataKey*'].map((action) => ({
          id: `AwsSolutions-IAM5[Action::${action}]`,
          reason:
            'Granted by the SqsDlq on-failure destination (queue.grantSendMessages) so failed batches can be ' +
            'written to the KMS-encrypted dead-letter queue; limited to that one key.',
        })),
      );
      Validations.of(fn).acknowledge({
        id: 'HIPAA.Security-LambdaDLQ',
        reason:
          'Invoked synchronously by the stream event source mapping, where a function DLQ never applies; ' +
          "failed batches go to the mapping's on-failure SQS destination (the dead-letter queue).",
      });
      return { spec, fn };
    });

    this.scheduledDeliveries = scheduleFunctions().map((spec) => {
      const fn = createFunction(spec);
      new Rule(this, `${fn.node.id}Schedule`, {
        description: `Runs ${spec.name} every ${spec.trigger.everyMinutes} minutes`,
        schedule: Schedule.rate(Duration.minutes(spec.trigger.everyMinutes)),
        // A missed run is not worth retrying: the next one starts within minutes and reads the table.
        targets: [new LambdaFunction(fn, { retryAttempts: 0, maxEventAge: Duration.minutes(spec.trigger.everyMinutes) })],
      });
      Validations.of(fn).acknowledge({
        id: 'HIPAA.Security-LambdaDLQ',
        reason:
          'The scheduled event carries no data and the reconciler is idempotent: a failed run is retried ' +
          'by the next scheduled run, and failures alarm through the function Errors alarm.',
      });
      return { spec, fn };
    });
  }

  /**
   * The sender's SES identity. The domain identity (the documented path) signs with Easy DKIM
   * (2048-bit keys SES rotates) and sends with a MAIL FROM subdomain, so both SPF and DKIM align
   * with the From domain and mail passes DMARC; its DNS records are stack outputs. The email
   * identity (the quick path) is verified by a link SES mails to the address; its mail is signed
   * by amazonses.com only, which strict DMARC receivers may reject.
   *
   * Retained on delete and on replacement: a verified identity is the operator's, it may serve
   * other stacks, and deleting it would stop every send. Redeploying after a stack deletion then
   * needs `createSenderIdentity=false`.
   */
  private createSenderIdentity(props: LeadDeliveryConstructProps): EmailIdentity {
    const domain = senderDomain(props.senderEmail);
    const identity =
      props.senderIdentity === 'domain'
        ? new EmailIdentity(this, 'SenderIdentity', {
            identity: Identity.domain(domain),
            configurationSet: this.configurationSet,
            dkimSigning: true,
            dkimIdentity: DkimIdentity.easyDkim(EasyDkimSigningKeyLength.RSA_2048_BIT),
            mailFromDomain: props.mailFromDomain ?? `mail.${domain}`,
            // Until the MAIL FROM records exist, send with amazonses.com rather than refuse mail.
            mailFromBehaviorOnMxFailure: MailFromBehaviorOnMxFailure.USE_DEFAULT_VALUE,
          })
        : new EmailIdentity(this, 'SenderIdentity', {
            identity: Identity.email(props.senderEmail),
            configurationSet: this.configurationSet,
          });
    identity.applyRemovalPolicy(RETAIN_STATEFUL);
    return identity;
  }

  /**
   * The configuration set's event destination: an SNS topic encrypted with the data key, which
   * only SES may publish to, and only for this configuration set. Events name recipients (site and
   * patient addresses), hence the key. Sends and opens/clicks are not published: the first are in
   * the delivery logs, and the mail has no tracking.
   */
  private createEmailEventDestination(key: IKey): Topic {
    const stack = Stack.of(this);
    const topic = new Topic(this, 'EmailEvents', {
      displayName: 'trial-screener email delivery events',
      masterKey: key,
      enforceSSL: true,
    });
    const configurationSetArn = stack.formatArn({
      service: 'ses',
      resource: 'configuration-set',
      resourceName: this.configurationSet.configurationSetName,
    });
    const fromThisConfigurationSet = {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: { 'aws:SourceArn': configurationSetArn },
    };
    topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'SesPublishesThisConfigurationSetsEvents',
        principals: [new ServicePrincipal('ses.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: fromThisConfigurationSet,
      }),
    );
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'SesEncryptsEmailEventsOfThisConfigurationSet',
        principals: [new ServicePrincipal('ses.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
        conditions: fromThisConfigurationSet,
      }),
    );
    const destination = this.configurationSet.addEventDestination('EmailEventsToTopic', {
      destination: EventDestination.snsTopic(topic),
      events: EMAIL_EVENTS,
    });
    destination.node.addDependency(topic);
    return topic;
  }

  /**
   * `ses:SendEmail` only with the sender as From (`ses:FromAddress`), only on the sender's
   * identity (its address, or its domain when the domain is the verified identity) and only
   * through this configuration set.
   */
  private sendEmailStatement(senderEmail: string): PolicyStatement {
    const stack = Stack.of(this);
    const identityArn = (identity: string) => stack.formatArn({ service: 'ses', resource: 'identity', resourceName: identity });
    return new PolicyStatement({
      actions: ['ses:SendEmail'],
      resources: [
        identityArn(senderEmail),
        identityArn(senderDomain(senderEmail)),
        stack.formatArn({
          service: 'ses',
          resource: 'configuration-set',
          resourceName: this.configurationSet.configurationSetName,
        }),
      ],
      conditions: { StringEquals: { 'ses:FromAddress': senderEmail } },
    });
  }
}

/** The SES events the email-event topic receives (see {@link LeadDeliveryConstruct.emailEvents}). */
export const EMAIL_EVENTS = [
  EmailSendingEvent.DELIVERY,
  EmailSendingEvent.BOUNCE,
  EmailSendingEvent.COMPLAINT,
  EmailSendingEvent.REJECT,
  EmailSendingEvent.DELIVERY_DELAY,
  EmailSendingEvent.RENDERING_FAILURE,
];

/** The manifest's filter pattern as Lambda event filter criteria (the manifest is the only copy). */
function streamFilter(pattern: StreamFilterPattern): { [key: string]: unknown } {
  return FilterCriteria.filter(pattern as { [key: string]: unknown });
}

/**
 * A lead is re-claimable once it has been `SENDING` for the stale period; if that were shorter
 * than a delivery function's timeout, a live delivery could be claimed twice and email twice.
 */
function assertStaleSendingOutlastsDelivery(leadStaleSendingSeconds: number): void {
  const longest = Math.max(
    ...[...streamFunctions(), ...scheduleFunctions()].filter((spec) => spec.sendsEmail).map((spec) => spec.timeoutSeconds),
  );
  if (leadStaleSendingSeconds <= longest) {
    throw new Error(
      `leadStaleSendingSeconds (${leadStaleSendingSeconds}) must exceed the longest delivery function timeout (${longest} s), ` +
        'or a lead still being sent could be claimed and emailed twice.',
    );
  }
}
