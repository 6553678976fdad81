/**
 * Jest global setup: starts ONE DynamoDB Local (in memory) and ONE SES emulator on free ports
 * for the whole run and exposes them through the environment, which the AWS SDK v3 reads
 * natively and jest workers inherit. Each test file then creates its own table (`table.ts`).
 *
 * A run that selects only unit or CDK tests skips the services, so it pays nothing for them.
 */
import type { Server } from 'node:http';
import * as sesEmulatorModule from 'aws-ses-v2-local';
import { findFreePort, startDynamoDbLocal, type RunningDynamoDbLocal } from '#local/dynamodb-local';

export interface TestServices {
  dynamoDb: RunningDynamoDbLocal;
  ses: Server;
}

declare global {
  var __TRIAL_SCREENER_TEST_SERVICES__: TestServices | undefined;
}

/**
 * The emulator is CommonJS with an `exports.default`: depending on the loader (jest's transform,
 * Node's ESM) the default import is the function itself or the module object around it.
 */
const startSesEmulator: typeof sesEmulatorModule.default =
  typeof sesEmulatorModule.default === 'function'
    ? sesEmulatorModule.default
    : (sesEmulatorModule.default as unknown as { default: typeof sesEmulatorModule.default }).default;

interface GlobalConfigLike {
  testPathPatterns?: { patterns?: string[] } | string[];
}

const SERVICE_FREE_FOLDERS = /(^|[\\/])test[\\/](unit|cdk)([\\/]|$)/;

/** True when every selected path is under test/unit or test/cdk (no services needed). */
function onlyServiceFreeTests(globalConfig: GlobalConfigLike): boolean {
  const selection = globalConfig.testPathPatterns;
  const patterns = Array.isArray(selection) ? selection : (selection?.patterns ?? []);
  return patterns.length > 0 && patterns.every((pattern) => SERVICE_FREE_FOLDERS.test(pattern));
}

export default async function globalSetup(globalConfig: GlobalConfigLike): Promise<void> {
  process.env.AWS_REGION = 'us-east-1';
  process.env.AWS_ACCESS_KEY_ID = 'local';
  process.env.AWS_SECRET_ACCESS_KEY = 'local';
  // Keep the handlers' request log lines out of the test output unless asked for.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  if (onlyServiceFreeTests(globalConfig)) return;

  const [dynamoDbPort, sesPort] = await Promise.all([findFreePort(), findFreePort()]);
  const [dynamoDbStart, sesStart] = await Promise.allSettled([
    startDynamoDbLocal({ port: dynamoDbPort }),
    startSesEmulator({ host: '127.0.0.1', port: sesPort }),
  ]);
  if (dynamoDbStart.status === 'rejected' || sesStart.status === 'rejected') {
    if (dynamoDbStart.status === 'fulfilled') await dynamoDbStart.value.stop();
    if (sesStart.status === 'fulfilled') sesStart.value.close();
    throw dynamoDbStart.status === 'rejected' ? dynamoDbStart.reason : (sesStart as PromiseRejectedResult).reason;
  }
  const dynamoDb = dynamoDbStart.value;
  const ses = sesStart.value;
  globalThis.__TRIAL_SCREENER_TEST_SERVICES__ = { dynamoDb, ses };

  process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamoDb.endpoint;
  process.env.AWS_ENDPOINT_URL_SES = `http://127.0.0.1:${sesPort}`;
  process.env.SES_EMULATOR_URL = `http://127.0.0.1:${sesPort}`;
}
