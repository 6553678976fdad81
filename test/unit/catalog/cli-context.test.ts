/**
 * Which table a CLI command talks to: the local `npm start` stack by default, AWS with --table.
 */
import { describe, expect, it } from '@jest/globals';
import { resolveTableTarget } from '#cli/context';

describe('resolveTableTarget', () => {
  it('targets the local stack on DynamoDB Local by default', () => {
    expect(resolveTableTarget({}, {})).toEqual({
      tableName: 'trial-screener-local',
      region: 'us-east-1',
      profile: undefined,
      endpoint: 'http://localhost:8000',
      local: true,
    });
  });

  it('follows DYNAMODB_PORT and TABLE_NAME as the local runtime does', () => {
    expect(resolveTableTarget({}, { DYNAMODB_PORT: '8100', TABLE_NAME: 'demo' })).toMatchObject({
      tableName: 'demo',
      endpoint: 'http://localhost:8100',
    });
  });

  it('targets an AWS table with the region and profile given', () => {
    expect(resolveTableTarget({ table: 'prod-table', region: 'eu-west-1', profile: 'ops' }, {})).toEqual({
      tableName: 'prod-table',
      region: 'eu-west-1',
      profile: 'ops',
      endpoint: undefined,
      local: false,
    });
  });

  it("takes an AWS table's region from the environment when not given", () => {
    expect(resolveTableTarget({ table: 'prod-table' }, { AWS_REGION: 'us-west-2' }).region).toBe('us-west-2');
  });
});
