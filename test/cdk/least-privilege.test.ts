/**
 * Honest least privilege: each function may use exactly the table actions its manifest entry
 * declares, each only on the partitions it declares (`dynamodb:LeadingKeys` with the table
 * schema's key patterns); and no policy in the template allows an action on `*` unless it is on a
 * short allow-list whose every entry says why nothing narrower exists.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Template } from 'aws-cdk-lib/assertions';
import { FUNCTIONS, type FunctionSpec, type TableItemAction } from '#functions/function-manifest';
import { DUE_INDEX, OUTBOX_INDEX, PARTITION_KEY_PATTERNS } from '#functions/table-schema';
import { synthesizeStack, type SynthesizedStack } from './synthesize';

type Statement = { Sid?: string; Effect: string; Action: string | string[]; Resource?: unknown; Condition?: Record<string, any> };
type Resource = { Type: string; Properties: Record<string, any> };

let synthesized: SynthesizedStack;
let template: Template;

beforeAll(() => {
  synthesized = synthesizeStack({ bundle: false, env: { account: '123456789012', region: 'eu-west-1' } });
  template = synthesized.template;
});

afterAll(() => synthesized?.cleanUp());

const manifest = FUNCTIONS as readonly FunctionSpec[];
const list = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

function resourcesOf(type: string): [string, Resource][] {
  return Object.entries(template.findResources(type)) as [string, Resource][];
}

/** Every statement the role of a manifest function is given (its inline policies). */
function statementsOf(spec: FunctionSpec): Statement[] {
  const [, fn] = resourcesOf('AWS::Lambda::Function').find(
    ([, candidate]) => candidate.Properties.Description === spec.description,
  ) as [string, Resource];
  const roleId = fn.Properties.Role['Fn::GetAtt'][0] as string;
  return resourcesOf('AWS::IAM::Policy')
    .filter(([, policy]) => JSON.stringify(policy.Properties.Roles).includes(`"${roleId}"`))
    .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as Statement[]);
}

/** Reading the table stream, granted by the DynamoDB event source on the stream only. */
const STREAM_ACTIONS = ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'];

const tableActionsOf = (statements: Statement[]) =>
  statements.filter((statement) =>
    list(statement.Action).some((action) => action.startsWith('dynamodb:') && !STREAM_ACTIONS.includes(action)),
  );

describe('table access', () => {
  it.each(manifest.map((spec) => [spec.name, spec] as const))(
    'lets %s use each table action only on the partitions its manifest entry declares',
    (_name, spec) => {
      const granted = tableActionsOf(statementsOf(spec)).filter(
        (statement) => !JSON.stringify(statement.Resource).includes('/index/'),
      );
      const expected = Object.entries(spec.table.items).map(([action, partitions]) => ({
        action: `dynamodb:${action}`,
        leadingKeys: [...new Set((partitions ?? []).flatMap((partition) => PARTITION_KEY_PATTERNS[partition]))].sort(),
      }));

      // CDK merges statements that differ only in their actions, so compare action by action.
      expect(
        granted
          .flatMap((statement) =>
            list(statement.Action).map((action) => ({
              action,
              leadingKeys: [...list(statement.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'] ?? [])].sort(),
            })),
          )
          .sort((a, b) => a.action.localeCompare(b.action)),
      ).toEqual(expected.sort((a, b) => a.action.localeCompare(b.action)));
      for (const statement of granted) expect(Object.keys(statement.Condition ?? {})).toEqual(['ForAllValues:StringLike']);
    },
  );

  it('lets a function query only the indexes its manifest entry declares, and only Query', () => {
    const indexName = { outbox: OUTBOX_INDEX.name, due: DUE_INDEX.name };
    for (const spec of manifest) {
      const indexStatements = tableActionsOf(statementsOf(spec)).filter((statement) =>
        JSON.stringify(statement.Resource).includes('/index/'),
      );
      const queried = spec.table.queriesIndexes ?? [];
      const granted = indexStatements
        .flatMap((statement) => list(statement.Resource as unknown))
        .map((resource) => JSON.stringify(resource));

      expect([spec.name, indexStatements.flatMap((statement) => list(statement.Action))]).toEqual([
        spec.name,
        queried.length ? ['dynamodb:Query'] : [],
      ]);
      expect([spec.name, granted.length]).toEqual([spec.name, queried.length]);
      for (const index of queried) expect(granted.join(' ')).toContain(`/index/${indexName[index]}`);
    }
  });

  it('lets only the reconciler read the due index', () => {
    const readers = manifest.filter((spec) => spec.table.queriesIndexes?.includes('due')).map((spec) => spec.name);

    expect(readers).toEqual(['reconcile-leads']);
  });

  it('gives no function Scan, PartiQL, table management or a wildcard DynamoDB action', () => {
    const forbidden = (action: string) =>
      /^dynamodb:(Scan|PartiQL.*|Create.*|Delete(Table|Backup)|Update(Table|TimeToLive)|Restore.*|Export.*|Import.*|.*\*.*)$/.test(
        action,
      );
    for (const spec of manifest) {
      const actions = statementsOf(spec).flatMap((statement) => list(statement.Action));
      expect([spec.name, actions.filter(forbidden)]).toEqual([spec.name, []]);
    }
  });

  it('declares only what each use case needs: readers write nothing', () => {
    const writes: TableItemAction[] = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'];
    const writers = manifest.filter((spec) => writes.some((action) => spec.table.items[action])).map((spec) => spec.name);

    expect(writers.sort()).toEqual([
      'create-referral',
      'deliver-leads',
      'erase-screening',
      'get-site-lead',
      'pause-site',
      'reconcile-leads',
      'record-email-events',
      'record-site-outcome',
      'remind-sites',
      'submit-screening',
      'sync-registry',
    ]);
  });
});

/**
 * Statements allowed to name `*` as their resource, each with the reason nothing narrower exists.
 * Matched by the policy's owner (resource type) and the statement's actions.
 */
const WILDCARD_RESOURCE_ALLOW_LIST: { owner: string; actions: RegExp; reason: string }[] = [
  {
    owner: 'AWS::KMS::Key',
    actions: /^kms:/,
    reason: 'In a key policy, "*" means the key itself: a key policy cannot name any other resource.',
  },
  {
    owner: 'AWS::IAM::Policy',
    actions: /^dynamodb:ListStreams$/,
    reason:
      'dynamodb:ListStreams has no resource-level permissions (granted by the DynamoDB event source); reading records is limited to the table stream ARN.',
  },
];

/** Every Allow statement of every policy in the template, with the type of the resource that holds it. */
function everyStatement(): { owner: string; where: string; statement: Statement }[] {
  const found: { owner: string; where: string; statement: Statement }[] = [];
  const documentsOf = (resource: Resource): unknown[] => [
    resource.Properties.PolicyDocument,
    resource.Properties.KeyPolicy,
    ...list(resource.Properties.Policies ?? []).map((policy: { PolicyDocument: unknown }) => policy.PolicyDocument),
  ];
  for (const [logicalId, resource] of Object.entries(template.toJSON().Resources as Record<string, Resource>)) {
    for (const document of documentsOf(resource)) {
      for (const statement of ((document as { Statement?: Statement[] } | undefined)?.Statement ?? []) as Statement[]) {
        if (statement.Effect === 'Allow') found.push({ owner: resource.Type, where: logicalId, statement });
      }
    }
  }
  return found;
}

describe('wildcard resources', () => {
  it('reads every policy of the template (key, role, topic and bucket policies)', () => {
    const owners = new Set(everyStatement().map(({ owner }) => owner));

    for (const type of ['AWS::KMS::Key', 'AWS::IAM::Policy', 'AWS::SNS::TopicPolicy', 'AWS::S3::BucketPolicy']) {
      expect(owners).toContain(type);
    }
  });

  it('finds the wildcards it allows (so the test sees them)', () => {
    const wildcards = everyStatement().filter(({ statement }) => list(statement.Resource ?? []).includes('*'));

    expect(wildcards.map(({ owner }) => owner)).toEqual(expect.arrayContaining(['AWS::KMS::Key', 'AWS::IAM::Policy']));
  });

  it('allows an action on * only where the allow-list says why nothing narrower exists', () => {
    const unexplained = everyStatement()
      .filter(({ statement }) => list(statement.Resource ?? []).some((resource) => resource === '*'))
      .filter(
        ({ owner, statement }) =>
          !WILDCARD_RESOURCE_ALLOW_LIST.some(
            (entry) => entry.owner === owner && list(statement.Action).every((action) => entry.actions.test(action)),
          ),
      )
      .map(({ where, statement }) => `${where}: ${list(statement.Action).join(', ')}`);

    expect(unexplained).toEqual([]);
  });

  it('keeps the allow-list short and every entry explained', () => {
    expect(WILDCARD_RESOURCE_ALLOW_LIST.length).toBeLessThanOrEqual(5);
    for (const entry of WILDCARD_RESOURCE_ALLOW_LIST) expect(entry.reason.length).toBeGreaterThan(40);
  });
});
