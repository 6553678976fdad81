/**
 * DynamoDB Local killed (SIGKILL) and restarted on its data folder while 200 screenings are
 * submitted through the real handler: every 201 is a screening that can be read back afterwards,
 * and every request that met the outage got a 503 JSON error with Retry-After, never a 500.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { findFreePort, startDynamoDbLocal, type RunningDynamoDbLocal } from '#local/dynamodb-local';
import { aTrial } from '#test/factories/catalog';
import { aScreener, adultWithChronicBackPain } from '#test/factories/screener';
import { startTestApi, type ApiResponse, type TestApi } from '#test/setup/api';

let dataDir: string;
let port: number;
let dynamoDb: RunningDynamoDbLocal | undefined;
let api: TestApi;

beforeAll(async () => {
  // This file's own DynamoDB Local, on disk, so a restart finds what was acknowledged before.
  dataDir = await mkdtemp(join(tmpdir(), 'trial-screener-fault-'));
  port = await findFreePort();
  dynamoDb = await startDynamoDbLocal({ port, dataDir });
  process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamoDb.endpoint;
  api = await startTestApi({ screeners: [aScreener()], trials: [aTrial()] });
}, 120_000);

afterAll(async () => {
  await dynamoDb?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

async function killDynamoDb(): Promise<void> {
  const running = dynamoDb!;
  dynamoDb = undefined;
  const exited = new Promise((resolve) => running.process.once('exit', resolve));
  running.process.kill('SIGKILL');
  await exited;
}

describe('a DynamoDB outage during screenings', () => {
  it('loses no acknowledged screening and answers the outage with 503 and Retry-After', async () => {
    const responses: ApiResponse[] = [];
    let next = 0;
    const submitAll = async () => {
      while (next < 200) {
        next += 1;
        responses.push(
          await api.request('POST', '/screenings', {
            body: { screenerId: 'lower-back-pain', answers: adultWithChronicBackPain() },
          }),
        );
      }
    };
    const outage = (async () => {
      while (responses.length < 40) await new Promise((resolve) => setTimeout(resolve, 20));
      await killDynamoDb();
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      dynamoDb = await startDynamoDbLocal({ port, dataDir });
    })();

    await Promise.all([submitAll(), submitAll(), submitAll(), submitAll(), outage]);

    const created = responses.filter((response) => response.status === 201);
    const refused = responses.filter((response) => response.status !== 201);
    expect(responses).toHaveLength(200);
    expect(refused.length).toBeGreaterThan(0);
    for (const response of refused) {
      expect(response.status).toBe(503);
      expect(response.headers['retry-after']).toBe('5');
      expect(response.body.error.code).toBe('SERVICE_UNAVAILABLE');
    }
    const readBack = await Promise.all(
      created.map((response) => api.request('GET', `/screenings/${response.body.screeningId}`, { token: response.body.token })),
    );
    expect(readBack.filter((response) => response.status !== 200)).toEqual([]);
  }, 180_000);
});
