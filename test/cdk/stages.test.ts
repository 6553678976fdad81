/**
 * Staging beside production, and redeploys that cannot replace data: two stages synthesized in one
 * app share no physical name, and the logical ids of the stateful resources are pinned (a changed
 * logical id makes CloudFormation create a new table or key and retain, not migrate, the old one).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { App } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { synthesizeStack, type SynthesizedStack } from './synthesize';

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

let outdir: string;
let production: SynthesizedStack;
let staging: SynthesizedStack;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'trial-screener-stages-'));
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
  production = synthesizeStack({ app, bundle: false });
  // A staging stack in the same account and region shares production's verified sender identity.
  staging = synthesizeStack({ app, bundle: false, context: { stage: 'staging', createSenderIdentity: false } });
});

afterAll(() => {
  production?.cleanUp();
  staging?.cleanUp();
  rmSync(outdir, { recursive: true, force: true });
});

/**
 * Names that need only be unique inside their parent resource, which has its own unique name: an
 * inline policy inside its role, a model or validator inside its API.
 */
const NAMES_SCOPED_TO_A_PARENT: Record<string, string> = {
  'AWS::IAM::Policy': 'PolicyName',
  'AWS::ApiGateway::Model': 'Name',
  'AWS::ApiGateway::RequestValidator': 'Name',
};

/**
 * Every physical name the template sets: a top-level property named `*Name` (or an SES identity),
 * or the `Name` of a `*Config` block (CloudFront policies and access controls). A name that refers
 * to something of its own stack (a `Ref`, `Fn::GetAtt`, or the stack's id or name) differs per
 * stack in AWS even when the template text is the same, so only literal names are compared.
 */
function physicalNames(template: Template): Map<string, string> {
  const names = new Map<string, string>();
  const add = (value: unknown, where: string) => {
    if (!refersToItsStack(value)) names.set(JSON.stringify(value), where);
  };
  for (const [logicalId, resource] of Object.entries(template.toJSON().Resources as Resources)) {
    for (const [key, value] of Object.entries(resource.Properties ?? {})) {
      const where = `${logicalId} (${resource.Type}).${key}`;
      if (isNameKey(key) && NAMES_SCOPED_TO_A_PARENT[resource.Type] !== key) add(value, where);
      if (key.endsWith('Config') && value && typeof value === 'object' && 'Name' in value)
        add((value as { Name: unknown }).Name, `${where}.Name`);
    }
  }
  return names;
}

/**
 * Keys that name a resource (`TableName`, `LogGroupName`, `Name`), and SES identities. Not names:
 * a display name, the metric an alarm reads (its dimensions say whose), the stage of an API.
 */
function isNameKey(key: string): boolean {
  return (key.endsWith('Name') && !['DisplayName', 'MetricName', 'StageName'].includes(key)) || key === 'EmailIdentity';
}

function refersToItsStack(value: unknown): boolean {
  const text = JSON.stringify(value);
  return (
    /"(Ref|Fn::GetAtt)":/.test(text.replace(/\{"Ref":"AWS::(Region|AccountId|Partition|URLSuffix)"\}/g, '')) ||
    text.includes('AWS::StackId') ||
    text.includes('AWS::StackName')
  );
}

describe('stages', () => {
  it('names each stage stack after its stage', () => {
    expect([production.stack.stackName, staging.stack.stackName]).toEqual(['TrialScreener-prod', 'TrialScreener-staging']);
  });

  it('finds names to compare in both stages (the test reads the templates)', () => {
    const where = [...physicalNames(production.template).values()].join(' ');

    expect(where).toMatch(/AWS::ApiGateway::RestApi\)\.Name/);
    expect(where).toMatch(/AWS::SES::EmailIdentity\)\.EmailIdentity/);
  });

  it('shares no physical name between two stages in one account', () => {
    const stagingNames = physicalNames(staging.template);
    const shared = [...physicalNames(production.template)].filter(([name]) => stagingNames.has(name));

    expect(shared).toEqual([]);
  });

  it('gives the CloudFront names and the WAF log group a part drawn when the stack is created', () => {
    const cloudFrontNames = ['AWS::CloudFront::ResponseHeadersPolicy', 'AWS::CloudFront::OriginAccessControl'].flatMap((type) =>
      Object.values(production.template.findResources(type)).map((resource) => JSON.stringify(resource.Properties)),
    );
    const logGroups = Object.values(production.template.findResources('AWS::Logs::LogGroup'))
      .map((group) => JSON.stringify(group.Properties?.LogGroupName ?? null))
      .filter((name) => name.includes('aws-waf-logs-'));

    expect(logGroups).toHaveLength(1);
    expect(logGroups[0]).toContain('AWS::StackId');
    expect(cloudFrontNames).toHaveLength(2);
    for (const properties of cloudFrontNames)
      expect(properties).toMatch(
        /"Name":\{"Fn::Join":\["",\["TrialScreener-prod-web-[a-z]+-",\{"Fn::Select":\[0,\{"Fn::Split":\["-",\{"Fn::Select":\[2,\{"Fn::Split":\["\/",\{"Ref":"AWS::StackId"\}/,
      );
  });

  it('leaves every other resource to CloudFormation to name', () => {
    const named = Object.entries(production.template.toJSON().Resources as Resources)
      .filter(([, resource]) =>
        [
          'AWS::DynamoDB::Table',
          'AWS::S3::Bucket',
          'AWS::SQS::Queue',
          'AWS::SNS::Topic',
          'AWS::IAM::Role',
          'AWS::Lambda::Function',
        ].includes(resource.Type),
      )
      .filter(([, resource]) => Object.keys(resource.Properties ?? {}).some((key) => isNameKey(key)));

    expect(named).toEqual([]);
  });
});

describe('stateful resources', () => {
  const logicalIds = (template: Template, type: string) => Object.keys(template.findResources(type)).sort();

  // Changing one of these replaces the resource: a new, empty table or key; the old one retained.
  it.each([
    ['AWS::DynamoDB::Table', ['DataTableFDBAD0F2']],
    ['AWS::KMS::Key', ['DataKey5F086070']],
    ['AWS::S3::Bucket', ['WebAccessLogBucketFF53D2BA', 'WebAssetBucketD3D82D05']],
    ['AWS::SES::EmailIdentity', ['LeadDeliverySenderIdentityAA1C43AB']],
  ])('keeps the logical ids of %s', (type, expected) => {
    expect(logicalIds(production.template, type)).toEqual(expected);
  });

  it('keeps the same logical ids in every stage, so a stage is the same stack under another name', () => {
    for (const type of ['AWS::DynamoDB::Table', 'AWS::KMS::Key', 'AWS::S3::Bucket']) {
      expect(logicalIds(staging.template, type)).toEqual(logicalIds(production.template, type));
    }
  });
});
