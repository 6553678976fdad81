/**
 * The bundles `lib/lambda-function.ts` builds, run as Lambda runs them: each imported by a fresh
 * `node` process from its asset folder (no repository, no `node_modules` around it), with only the
 * environment's credentials, against DynamoDB Local and the SES emulator. Proves what the bundling
 * choices rely on: the Lambda credential chain signs requests, the runtime files copied beside a
 * bundle (postal-code coordinates, phone number metadata) are found there, and the precompiled
 * email templates render with the Handlebars runtime alone.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { marshall } from '@aws-sdk/util-dynamodb';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { FUNCTIONS, type EnvironmentVariable, type FunctionSpec, type HttpFunctionSpec } from '#functions/function-manifest';
import { createManifestFunction } from '#lib/lambda-function';
import { buildProxyEvent } from '#local/api-routes';
import { fetchEmulatorInbox } from '#local/ses-emulator';
import { aSite, aTrial } from '#test/factories/catalog';
import { aScreener, adultWithChronicBackPain } from '#test/factories/screener';
import { startTestApi, TEST_ORIGIN, type TestApi } from '#test/setup/api';

const run = promisify(execFile);
const BUNDLED = ['submit-screening', 'create-referral', 'deliver-leads'] as const;

let outdir: string;
const bundles = new Map<string, string>();
let api: TestApi;
const siteEmail = `site-${randomUUID().slice(0, 8)}@example.org`;
const trial = aTrial({ sites: [aSite({ contact: { name: 'Sam Coordinator', email: siteEmail } })] });

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
    createManifestFunction(stack, specOf(name), { table, key, logRetention: RetentionDays.ONE_DAY, environment });
  }
  const functions = Template.fromStack(stack).findResources('AWS::Lambda::Function');
  for (const resource of Object.values(functions)) {
    const spec = (FUNCTIONS as readonly FunctionSpec[]).find(
      (candidate) => candidate.description === resource.Properties.Description,
    )!;
    bundles.set(spec.name, join(outdir, resource.Metadata['aws:asset:path'] as string, 'index.mjs'));
  }

  api = await startTestApi({ screeners: [aScreener()], trials: [trial] });
}, 120_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

function specOf(name: string): FunctionSpec {
  return (FUNCTIONS as readonly FunctionSpec[]).find((spec) => spec.name === name)!;
}

/** Runs a bundle's handler on `event` in a fresh process with a Lambda-like environment. */
async function runBundle(name: (typeof BUNDLED)[number], event: unknown): Promise<any> {
  const marker = 'BUNDLE RESULT ';
  const script =
    `const { handler } = await import(${JSON.stringify(pathToFileURL(bundles.get(name)!).href)});` +
    `const context = { awsRequestId: 'bundle-test', functionName: ${JSON.stringify(name)}, getRemainingTimeInMillis: () => 10000 };` +
    `const result = await handler(${JSON.stringify(event)}, context);` +
    `process.stdout.write('\\n' + ${JSON.stringify(marker)} + JSON.stringify(result));` +
    // The SDK clients keep their sockets open, as in a warm Lambda.
    `process.exit(0);`;
  const { stdout } = await run(process.execPath, ['--enable-source-maps', '--input-type=module', '-e', script], {
    // Nothing of the repository is reachable from the working directory or the bundle's folder.
    cwd: tmpdir(),
    env: {
      PATH: process.env.PATH,
      NODE_OPTIONS: '--enable-source-maps',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY,
      AWS_SESSION_TOKEN: 'bundle-test-session',
      AWS_ENDPOINT_URL_DYNAMODB: process.env.AWS_ENDPOINT_URL_DYNAMODB,
      AWS_ENDPOINT_URL_SES: process.env.AWS_ENDPOINT_URL_SES,
      TABLE_NAME: api.tableName,
      ALLOWED_ORIGINS: TEST_ORIGIN,
      SENDER_EMAIL: 'leads@trial-screener.local',
      SES_CONFIGURATION_SET: 'trial-screener-test',
      CATALOG_CONTACTS_APPROVED: 'true',
      PUBLIC_APP_URL: 'http://localhost:3000/',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
    },
  });
  return JSON.parse(stdout.slice(stdout.lastIndexOf(marker) + marker.length));
}

/** Invokes an HTTP function's bundle as API Gateway would; returns its response. */
async function invokeBundle(
  name: 'submit-screening' | 'create-referral',
  request: { path: string; pathParameters?: Record<string, string>; body: unknown; token?: string },
): Promise<{ status: number; body: any }> {
  const spec = specOf(name) as HttpFunctionSpec;
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
  const result = (await runBundle(name, event)) as { statusCode: number; body: string };
  return { status: result.statusCode, body: JSON.parse(result.body) };
}

describe('bundled functions', () => {
  it.each(['submit-screening', 'create-referral'] as const)(
    '%s carries no email rendering (Handlebars), which only delivery needs',
    async (name) => {
      expect(await readFile(bundles.get(name)!, 'utf8')).not.toContain('Handlebars');
    },
  );

  it('deliver-leads carries the Handlebars runtime and the precompiled templates, not the compiler', async () => {
    const bundle = await readFile(bundles.get('deliver-leads')!, 'utf8');

    expect(bundle).toContain('Template was precompiled with');
    expect(bundle).not.toContain('Parse error on line');
    expect(bundle).not.toContain('You must pass a string or Handlebars AST');
  });

  it("submit-screening geocodes the patient's ZIP code from the postal data beside its bundle", async () => {
    const response = await invokeBundle('submit-screening', {
      path: '/screenings',
      body: { screenerId: 'lower-back-pain', answers: adultWithChronicBackPain({ postal_code: '21205' }) },
    });

    expect(response.status).toBe(201);
    // The site is in Baltimore, ZIP 21205: a distance exists only if the ZIP code was geocoded.
    expect(response.body.results[0].nearestSite.distanceKm).toBeLessThan(20);
  });

  it('submit-screening refuses a body that is not JSON with 415, its error named from node:http', async () => {
    const spec = specOf('submit-screening') as HttpFunctionSpec;
    const event = buildProxyEvent({
      method: 'POST',
      path: '/screenings',
      resource: spec.trigger.path,
      headers: { 'Content-Type': 'text/plain', Origin: TEST_ORIGIN },
      body: 'answers',
    });

    const response = (await runBundle('submit-screening', event)) as { statusCode: number; body: string };

    expect(response.statusCode).toBe(415);
    expect(JSON.parse(response.body).error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  /** A screening and a referral to `trial`, both through the bundles; returns the referral's response. */
  async function referThroughBundles(): Promise<{ status: number; body: any }> {
    const screening = await invokeBundle('submit-screening', {
      path: '/screenings',
      body: { screenerId: 'lower-back-pain', answers: adultWithChronicBackPain() },
    });
    return invokeBundle('create-referral', {
      path: `/screenings/${screening.body.screeningId}/referrals`,
      pathParameters: { screeningId: screening.body.screeningId },
      token: screening.body.token,
      body: {
        trialIds: [trial.nctId],
        contact: { name: 'Alex Patient', email: 'alex.patient@example.com', phone: '(410) 555-0199' },
        consent: { shareWithSites: true, phoneContact: true, textVersion: aScreener().consent.version },
      },
    });
  }

  const leadItem = async (leadId: string) => (await api.itemsOf('LEAD')).find((item) => item.leadId === leadId)!;

  it("create-referral stores the patient's phone number in E.164, with the phone metadata beside its bundle", async () => {
    const response = await referThroughBundles();

    expect(response.status).toBe(202);
    expect((await leadItem(response.body.leads[0].leadId)).contact.phone).toBe('+14105550199');
  });

  it('deliver-leads emails the site a lead rendered from the templates precompiled into its bundle', async () => {
    const referral = await referThroughBundles();
    const lead = await leadItem(referral.body.leads[0].leadId);
    const inserted = { eventID: 'bundle-test-1', eventName: 'INSERT', dynamodb: { NewImage: marshall(lead) } };

    const result = await runBundle('deliver-leads', { Records: [inserted] });

    expect(result).toEqual({ batchItemFailures: [] });
    const emails = (await fetchEmulatorInbox(process.env.SES_EMULATOR_URL!)).filter(
      (email) => email.destination.to.includes(siteEmail) && email.body.text?.includes(lead.leadId),
    );
    expect(emails).toHaveLength(1);
    expect(emails[0]!.body.text).toContain(trial.title);
    expect(emails[0]!.body.html).toContain(trial.title);
  });
});
