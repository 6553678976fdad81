import { Aws, Fn, Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Physical names. Almost nothing here is named: CloudFormation generates names that cannot
 * collide. The few resources that must be named (a WAF log group needs the `aws-waf-logs-` prefix;
 * CloudFront's response-headers policies and origin access controls are unique per account, in
 * every region) get a name built by {@link uniquePhysicalName}, which holds the stack name (so the
 * stage) and a part of the stack's own id, a UUID CloudFormation draws when the stack is created.
 * A name therefore never repeats: not between stages, not between regions, and not after a
 * failed first create or a deleted stack left a retained resource behind.
 */
export function uniquePhysicalName(scope: IConstruct, purpose: string, options: { prefix?: string; maxLength: number }): string {
  const stack = Stack.of(scope);
  const readable = `${options.prefix ?? ''}${stack.stackName}-${purpose}`;
  // 1 hyphen + 8 hex digits of the stack id's UUID.
  const room = options.maxLength - 9;
  if (readable.length > room) {
    throw new Error(
      `The name "${readable}" is too long for its ${options.maxLength}-character limit: choose a shorter stage name.`,
    );
  }
  return `${readable}-${stackInstanceId()}`;
}

/**
 * The first group of the UUID at the end of `AWS::StackId`
 * (`arn:aws:cloudformation:<region>:<account>:stack/<name>/<uuid>`): 8 random hex digits,
 * fixed for the stack's life and new for every stack created.
 */
function stackInstanceId(): string {
  return Fn.select(0, Fn.split('-', Fn.select(2, Fn.split('/', Aws.STACK_ID))));
}
