/**
 * The bundles `lib/lambda-function.ts` builds, run as Lambda runs them: each imported by a fresh
 * `node` process from its asset folder (no repository, no `node_modules` around it), with only the
 * environment's credentials, against DynamoDB Local. Proves what the bundling changes rely on: the
 * Lambda credential chain signs requests, and the runtime files copied beside a bundle (postal-code
 * coordinates, phone number metadata) are found there.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { FUNCTIONS, type EnvironmentVariable, type FunctionSpec, type HttpFunctionSpec } from '../../functions/catalogue';
import { createCatalogueFunction } from '../../lib/lambda-function';
import { buildProxyEvent } from '../../local/api-routes';
import { aTrial } from '../factories/catalog';
import { aScreener, adultWithChronicBackPain } from '../factories/screener';
import { startTestApi, TEST_ORIGIN, type TestApi } from '../setup/api';

const run = promisify(execFile);
const BUNDLED = ['submit-screening', 'create-referral'] as const;

let outdir: string;
const bundles = new Map<string, string>();
let api: TestApi;
const trial = aTrial();

beforeAll(async () => {
  outdir = mkdtempSync(join(tmpdir(), 'trial-screener-bundles-'));
  const app = new App({ outdir, context: { 'aws:cdk:enable-asset-metadata': true } });
  const stack = new Stack(app, 'Bundles');
  const table = new Table(stack, 'Table', { partitionKey: { name: 'PK', type: AttributeType.STRING } });
  const key = new Key(stack, 'Key');
  const environment = Object.fromEntries(
    (FUNCTIONS as readonly FunctionSpec[]).flatMap((spec) => spec.environment).map((name) => [name, 'set-per-test']),
  ) as Record<EnvironmentVariable, string>;
  for (const name of BUNDLED) {
    createCatalogueFunction(stack, specOf(name), { table, key, logRetention: RetentionDays.ONE_DAY, environment });
  }
  const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function');
  for (const resource of Object.values(functions)) {
    const spec = (FUNCTIONS as readonly FunctionSpec[]).find((candidate) => candidate.description === resource.Properties.Description)!;
    bundles.set(spec.name, join(outdir, resource.Metadata['aws:asset:path'] as string, 'index.mjs'));
  }

  api = await startTestApi({ screeners: [aScreener()], trials: [trial] });
}, 120_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

function specOf(name: string): HttpFunctionSpec {
  return (FUNCTIONS as readonly FunctionSpec[]).find((spec) => spec.name === name) as HttpFunctionSpec;
}

/** Invokes a bundle's handler in a fresh process with a Lambda-like environment; returns its response. */
async function invokeBundle(
  name: (typeof BUNDLED)[number],
  request: { path: string; pathParameters?: Record<string, string>; body: unknown; token?: string },
): Promise<{ status: number; body: any }> {
  const spec = specOf(name);
  const event = buildProxyEvent({
    method: spec.trigger.method,
    path: request.path,
    resource: spec.trigger.path,
    pathParameters: request.pathParameters ?? null,
    headers: {
      'Content-Type': 'application/json',
      Origin: TEST_ORIGIN,
      ...(request.token ? { Authorization: `Bearer ${request.token}` } : {}),
    },
    body: JSON.stringify(request.body),
  });
  const script =
    `const { handler } = await import(${JSON.stringify(pathToFileURL(bundles.get(name)!).href)});` +
    `const context = { awsRequestId: 'bundle-test', functionName: ${JSON.stringify(name)}, getRemainingTimeInMillis: () => 10000 };` +
    `process.stdout.write(JSON.stringify(await handler(${JSON.stringify(event)}, context)));` +
    // The SDK client keeps its sockets open, as in a warm Lambda.
    `process.exit(0);`;
  const { stdout } = await run(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', script], {
    // Lambda's working directory is the function's folder; nothing of the repository is reachable.
    cwd: tmpdir(),
    env: {
      PATH: process.env.PATH,
      NODE_OPTIONS: '--enable-source-maps',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY,
      AWS_SESSION_TOKEN: 'bundle-test-session',
      AWS_ENDPOINT_URL_DYNAMODB: process.env.AWS_ENDPOINT_URL_DYNAMODB,
      TABLE_NAME: api.tableName,
      ALLOWED_ORIGINS: TEST_ORIGIN,
      POWERTOOLS_LOG_LEVEL: 'ERROR',
    },
  });
  const result = JSON.parse(stdout) as { statusCode: number; body: string };
  return { status: result.statusCode, body: JSON.parse(result.body) };
}

describe('bundled functions', () => {
  it("submit-screening geocodes the patient's ZIP code from the postal data beside its bundle", async () => {
    const response = await invokeBundle('submit-screening', {
      path: '/screenings',
      body: { screenerId: 'lower-back-pain', answers: adultWithChronicBackPain({ postal_code: '21205' }) },
    });

    expect(response.status).toBe(201);
    // The site is in Baltimore, ZIP 21205: a distance exists only if the ZIP code was geocoded.
    expect(response.body.results[0].nearestSite.distanceKm).toBeLessThan(20);
  });

  it("create-referral stores the patient's phone number in E.164, with the phone metadata beside its bundle", async () => {
    const screening = await invokeBundle('submit-screening', {
      path: '/screenings',
      body: { screenerId: 'lower-back-pain', answers: adultWithChronicBackPain() },
    });

    const response = await invokeBundle('create-referral', {
      path: `/screenings/${screening.body.screeningId}/referrals`,
      pathParameters: { screeningId: screening.body.screeningId },
      token: screening.body.token,
      body: {
        trialIds: [trial.nctId],
        contact: { name: 'Alex Patient', email: 'alex.patient@example.com', phone: '(410) 555-0199' },
        consent: { shareWithSites: true, phoneContact: true, textVersion: aScreener().consent.version },
      },
    });

    expect(response.status).toBe(202);
    const [lead] = await api.itemsOf('LEAD');
    expect(lead?.contact.phone).toBe('+14105550199');
  });
});
