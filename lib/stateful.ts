import { RemovalPolicy } from 'aws-cdk-lib';

/**
 * The removal policy of everything that holds patient data or the evidence of what happened to it
 * (the key, the table, log groups, buckets, the SES identity). Retained when the stack is deleted
 * or the resource would be replaced, but removed when a first create rolls back: a plain `RETAIN`
 * would leave the half-created resources behind and the next deploy would stop at "already exists".
 */
export const RETAIN_STATEFUL = RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;
