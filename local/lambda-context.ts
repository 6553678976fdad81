/**
 * The Lambda context the local runtime hands to a real handler, as AWS would for the manifest's
 * function: its name, memory and remaining time within its timeout.
 */
import type { Context } from 'aws-lambda';
import type { FunctionSpec } from '#functions/function-manifest';

/** A Lambda context for one local invocation of `spec`, starting now. */
export function lambdaContext(spec: FunctionSpec, requestId: string): Context {
  const deadline = Date.now() + spec.timeoutSeconds * 1000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: spec.name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${spec.name}`,
    memoryLimitInMB: String(spec.memoryMb),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${spec.name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
