/**
 * `trial-screener leads ...` against DynamoDB Local: the commands run in-process on a commander
 * program, with `--table` and `--endpoint` naming this file's table, and their output captured.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Command } from 'commander';
import type { Context } from 'aws-lambda';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { registerLeadCommands } from '#cli/commands/leads';
import { documentClient } from '#adapters/dynamo';
import { OUTBOX_INDEX, itemKeys } from '#functions/table-schema';
import { createDeliverLeadsHandler } from '#functions/deliver-leads/stream-handler';
import { createTestTable, deleteTestTable } from '#test/setup/table';
import {
  deliveryConfig,
  failingSes,
  outboxOf,
  readDeliveryRecords,
  rejectedError,
  testDelivery,
  uniqueAddress,
  writeReferral,
} from './delivery-fixtures';

const context = { awsRequestId: 'cli', getRemainingTimeInMillis: () => 60_000 } as Context;
let tableName: string;
let failedLeadId: string;
let sentLeadId: string;
const patient = { name: '=HYPERLINK("http://evil.example")', email: uniqueAddress('patient'), phone: '+14105550123' };

/** Runs `trial-screener <args>` against this file's table; returns what it printed. */
async function cli(...args: string[]): Promise<{ stdout: string; stderr: string; exitCode: number | undefined }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...parts: unknown[]) => void stdout.push(parts.join(' ')));
  const error = jest.spyOn(console, 'error').mockImplementation((...parts: unknown[]) => void stderr.push(parts.join(' ')));
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
    stdout.push(String(chunk));
    return true;
  });
  process.exitCode = undefined;
  try {
    const program = new Command().exitOverride();
    registerLeadCommands(program);
    await program.parseAsync([
      'node',
      'trial-screener',
      ...args,
      '--table',
      tableName,
      '--endpoint',
      process.env.AWS_ENDPOINT_URL_DYNAMODB!,
    ]);
    return { stdout: stdout.join('\n'), stderr: stderr.join('\n'), exitCode: process.exitCode as number | undefined };
  } finally {
    process.exitCode = undefined;
    log.mockRestore();
    error.mockRestore();
    write.mockRestore();
  }
}

beforeAll(async () => {
  tableName = await createTestTable();
  const rejected = uniqueAddress('rejecting-site');
  const referral = await writeReferral(tableName, patient, [
    { trialId: 'NCT00000001', recipientEmail: uniqueAddress('site') },
    { trialId: 'NCT00000002', recipientEmail: rejected },
  ]);
  [sentLeadId, failedLeadId] = referral.leadIds as [string, string];
  const ses = failingSes((command) => (command.input.Destination?.ToAddresses?.includes(rejected) ? rejectedError() : undefined));
  const handler = createDeliverLeadsHandler(testDelivery(deliveryConfig(tableName), { ses }).delivery);
  await handler({ Records: await readDeliveryRecords(tableName) }, context);
});

afterEach(() => {
  jest.restoreAllMocks();
});

afterAll(async () => {
  await deleteTestTable(tableName);
});

describe('leads list', () => {
  it('lists the failed lead with its error when asked for FAILED ones', async () => {
    const { stdout } = await cli('leads', 'list', '--status', 'failed', '--json');

    const rows = stdout.split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(rows).toEqual([
      expect.objectContaining({ id: failedLeadId, status: 'FAILED', lastError: 'SES MessageRejected (400)' }),
    ]);
  });

  it("reads the outbox index, which holds each message's delivery state and none of its content", async () => {
    const { Items = [] } = await documentClient().send(
      new QueryCommand({
        TableName: tableName,
        IndexName: OUTBOX_INDEX.name,
        KeyConditionExpression: 'GSI1PK = :pk',
        ExpressionAttributeValues: { ':pk': 'OUTBOX#FAILED' },
      }),
    );

    expect(Items).toEqual([expect.objectContaining({ leadId: failedLeadId, status: 'FAILED', trialId: 'NCT00000002' })]);
    expect(Object.keys(Items[0]!)).not.toEqual(expect.arrayContaining(['contact']));
    expect(JSON.stringify(Items)).not.toContain(patient.email);
  });

  it('lists leads and the confirmation of every status without patient details', async () => {
    const { stdout } = await cli('leads', 'list', '--json');

    expect(stdout.split('\n')).toHaveLength(3);
    expect(stdout).not.toContain(patient.email);
  });
});

describe('leads show', () => {
  it('shows where a lead went and its delivery state', async () => {
    const { stdout } = await cli('leads', 'show', sentLeadId, '--json');

    expect(JSON.parse(stdout)).toMatchObject({ id: sentLeadId, status: 'SENT', trial: { nctId: 'NCT00000001' } });
    expect(stdout).not.toContain(patient.email);
  });

  it("adds the patient's contact details only with --with-patient", async () => {
    const { stdout } = await cli('leads', 'show', sentLeadId, '--json', '--with-patient');

    expect(JSON.parse(stdout)).toMatchObject({ contact: { email: patient.email } });
  });

  it('names what does not read in a stored lead, rather than saying there is none', async () => {
    await documentClient().send(
      new PutCommand({
        TableName: tableName,
        Item: { ...itemKeys.lead('broken-lead'), entityType: 'LEAD', leadId: 'broken-lead', status: 'PENDING', attempts: 'many' },
      }),
    );

    await expect(cli('leads', 'show', 'broken-lead')).rejects.toThrow(/LEAD#broken-lead .*does not read as one \(at attempts\)/);
  });

  it('exits non-zero for an unknown lead', async () => {
    const { exitCode, stderr } = await cli('leads', 'show', 'no-such-lead');

    expect(exitCode).toBe(1);
    expect(stderr).toContain('no lead or confirmation no-such-lead');
  });
});

describe('leads export', () => {
  it('exports leads as CSV without patient columns by default', async () => {
    const { stdout } = await cli('leads', 'export', '--csv');

    const [header, ...rows] = stdout.trim().split('\r\n');
    expect(header?.split(',')).toContain('recipientEmail');
    expect(header).not.toContain('patientEmail');
    expect(rows).toHaveLength(2);
  });

  it('neutralises a patient-typed formula when patient columns are exported', async () => {
    const { stdout } = await cli('leads', 'export', '--csv', '--with-patient', '--status', 'SENT');

    expect(stdout).toContain(`"'=HYPERLINK(""http://evil.example"")"`);
    expect(stdout).toContain(patient.email);
  });
});

describe('leads redrive', () => {
  it('puts every FAILED lead back to PENDING with a fresh attempt budget', async () => {
    const { stdout } = await cli('leads', 'redrive', '--failed', '--json');

    expect(JSON.parse(stdout)).toEqual({ redriven: [failedLeadId], refused: [] });
    expect((await outboxOf(tableName).get({ kind: 'LEAD', id: failedLeadId }))?.summary).toMatchObject({
      status: 'PENDING',
      attempts: 0,
    });
  });

  it('refuses to re-drive a lead that was sent', async () => {
    const { exitCode } = await cli('leads', 'redrive', sentLeadId);

    expect(exitCode).toBe(1);
    expect((await outboxOf(tableName).get({ kind: 'LEAD', id: sentLeadId }))?.summary.status).toBe('SENT');
  });
});
