/**
 * A fresh clone (cdk.json ships no sender) synthesizes, and the template cannot be deployed with
 * a made-up From address: the sender becomes the `SenderEmail` parameter, with no default, which
 * `cdk deploy` refuses to leave empty and CloudFormation checks against the same rules as `-c`.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { SENDER_EMAIL_PARAMETER_PATTERN } from '#lib/stack-config';
import { synthesizeStack, type SynthesizedStack } from './synthesize';

let synthesized: SynthesizedStack;

beforeAll(() => {
  // cdk.json's own value: an empty sender.
  synthesized = synthesizeStack({ context: { senderEmail: '' }, bundle: false });
});

afterAll(() => synthesized.cleanUp());

describe('a stack synthesized without a sender', () => {
  it('asks for the sender as a parameter with no default, so a deploy without one is refused', () => {
    const parameter = synthesized.template.toJSON().Parameters?.SenderEmail;

    expect(parameter).toEqual(expect.objectContaining({ Type: 'String', AllowedPattern: SENDER_EMAIL_PARAMETER_PATTERN }));
    expect(parameter).not.toHaveProperty('Default');
  });

  it('lets the functions send only from the address given at deploy', () => {
    synthesized.template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'ses:SendEmail',
            Condition: { StringEquals: { 'ses:FromAddress': { Ref: 'SenderEmail' } } },
          }),
        ]),
      },
    });
    synthesized.template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ SENDER_EMAIL: { Ref: 'SenderEmail' } }) },
    });
  });

  it("verifies the given sender's domain as the SES identity", () => {
    synthesized.template.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: { 'Fn::Select': [1, { 'Fn::Split': ['@', { Ref: 'SenderEmail' }] }] },
    });
  });

  it('warns at synth that deploying needs a sender', () => {
    Annotations.fromStack(synthesized.stack).hasWarning('*', Match.stringLikeRegexp('No senderEmail is set'));
  });
});

describe('the SenderEmail parameter', () => {
  const pattern = new RegExp(SENDER_EMAIL_PARAMETER_PATTERN);

  it.each(['leads@your-hospital.org', 'trial.leads@mail.examples-hospital.org'])('accepts %s', (address) => {
    expect(pattern.test(address)).toBe(true);
  });

  it.each(['leads@example.org', 'leads@mail.example.net', 'leads@hospital.example', 'leads', 'leads@localhost', 'a b@x.org'])(
    'refuses %s',
    (address) => {
      expect(pattern.test(address)).toBe(false);
    },
  );
});

describe('a stack synthesized with -c senderEmail', () => {
  it('has no sender parameter and no warning', () => {
    const withSender = synthesizeStack({ bundle: false });
    try {
      expect(withSender.template.toJSON().Parameters ?? {}).not.toHaveProperty('SenderEmail');
      Annotations.fromStack(withSender.stack).hasNoWarning('*', Match.stringLikeRegexp('No senderEmail is set'));
    } finally {
      withSender.cleanUp();
    }
  });
});
