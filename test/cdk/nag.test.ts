/**
 * The security gate: cdk-nag's AWS Solutions and HIPAA Security packs find nothing that is not
 * acknowledged beside its resource with a reason. Synthesized with a concrete account and region,
 * as `cdk deploy` does.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks, HIPAASecurityChecks, type NagPack } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { synthesizeStack, type SynthesizedStack } from './synthesize';

let synthesized: SynthesizedStack;

beforeAll(() => {
  synthesized = synthesizeStack({ env: { account: '123456789012', region: 'eu-west-1' } });
});

afterAll(() => synthesized?.cleanUp());

/** Every unacknowledged finding (errors and warnings), one line each, for a readable failure. */
function findings(pack: NagPack, scope: IConstruct): string[] {
  return pack
    .validateScope(scope)
    .violations.flatMap((violation) =>
      violation.violatingResources.map(
        (resource) => `${violation.severity} ${violation.ruleName} at ${resource.constructPath}: ${violation.description}`,
      ),
    );
}

describe('cdk-nag', () => {
  it('finds no unacknowledged AWS Solutions errors or warnings', () => {
    expect(findings(new AwsSolutionsChecks(), synthesized.stack)).toEqual([]);
  });

  it('finds no unacknowledged HIPAA Security errors or warnings', () => {
    expect(findings(new HIPAASecurityChecks(), synthesized.stack)).toEqual([]);
  });

  it('gives every acknowledgement a reason a reviewer can check', () => {
    const reasons = synthesized.stack.node
      .findAll()
      .flatMap((construct) => construct.node.metadata)
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>));

    expect(reasons.length).toBeGreaterThan(0);
    for (const [rule, reason] of reasons)
      expect(`${rule}: ${reason.length >= 40 ? 'explained' : reason}`).toBe(`${rule}: explained`);
  });

  it('stops synthesis at an unacknowledged finding when the packs run as validation plugins', () => {
    const app = new App();
    const stack = new Stack(app, 'Unsafe');
    new Bucket(stack, 'PlainBucket');
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new HIPAASecurityChecks(app));

    expect(() => app.synth()).toThrow(/AwsSolutions-S10/);
  });
});
