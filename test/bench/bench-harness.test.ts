/**
 * Runs the benchmark harness in quick mode (`npm run bench -- --quick`) so it cannot rot. It
 * asserts that every section produced sane figures and the reports were written; it never
 * asserts a time against a threshold (performance is measured by `npm run bench`, not tested).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { BenchResults } from '../../bench/report';

const REPOSITORY_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RUN_TIMEOUT_MS = 150_000;

const positive = (value: number) => Number.isFinite(value) && value > 0;

describe('the benchmark harness in quick mode', () => {
  let outDir: string;
  let results: BenchResults;
  let resultsMarkdown: string;
  let costMarkdown: string;

  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'trial-screener-bench-test-'));
    await promisify(execFile)(
      process.execPath,
      [join(REPOSITORY_ROOT, 'node_modules/tsx/dist/cli.mjs'), 'bench/run.ts', '--quick', '--out-dir', outDir],
      {
        cwd: REPOSITORY_ROOT,
        // The jest run's shared services must not leak into the benchmark: it starts its own stack.
        env: { ...process.env, AWS_ENDPOINT_URL_DYNAMODB: '', AWS_ENDPOINT_URL_SES: '' },
        timeout: RUN_TIMEOUT_MS,
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    results = JSON.parse(await readFile(join(outDir, 'results.json'), 'utf8')) as BenchResults;
    resultsMarkdown = await readFile(join(outDir, 'RESULTS.md'), 'utf8');
    costMarkdown = await readFile(join(outDir, 'COST.md'), 'utf8');
  }, RUN_TIMEOUT_MS + 10_000);

  afterAll(async () => {
    await rm(outDir, { recursive: true, force: true });
  });

  it('times every eligibility implementation on shared and all-distinct catalogs at each size, after checking they agree', () => {
    const rows = results.eligibility!.rows;

    expect(rows.map((row) => [row.trials, row.catalog])).toEqual([
      [20, 'shared'],
      [20, 'distinct'],
      [100, 'shared'],
      [100, 'distinct'],
    ]);
    for (const row of rows) {
      expect(row.resultsAgree).toBe(true);
      for (const figure of [
        row.engineMs,
        row.handWrittenMs,
        row.evaluateScreeningMs,
        row.handWrittenFullMs,
        row.partialEngineMs,
        row.partialHandWrittenMs,
        row.prepareMs!,
      ]) {
        expect(positive(figure)).toBe(true);
      }
      expect(row.resultCounts.met + row.resultCounts.not_met + row.resultCounts.unknown).toBe(row.trials * row.criteriaPerTrial);
      expect(row.partialUnknownCriteria).toBeGreaterThan(0);
    }
    // json-rules-engine runs beside the shared catalogs only; a distinct catalog shares no rule.
    expect(rows.filter((row) => row.catalog === 'shared').every((row) => positive(row.rulesEngineMs!))).toBe(true);
    expect(
      rows.filter((row) => row.catalog === 'distinct').every((row) => row.distinctRules === row.trials * row.criteriaPerTrial),
    ).toBe(true);
  });

  it('builds each measured bundle smaller than its naive build and reports where its bytes and load time go', () => {
    const bundles = results.bundles!.filter((bundle) => bundle.kind === 'function');

    expect(bundles.map((bundle) => bundle.name)).toEqual(['submit-screening', 'deliver-leads']);
    for (const bundle of bundles) {
      expect(bundle.gzipBytes).toBeGreaterThan(0);
      expect(bundle.gzipBytes).toBeLessThan(bundle.bytes);
      expect(bundle.bytes).toBeLessThan(bundle.naiveBytes);
      expect(
        positive(bundle.loadMs) &&
          positive(bundle.naiveLoadMs) &&
          positive(bundle.loadMsWithSourceMaps!) &&
          positive(bundle.loadCpuMs!) &&
          positive(bundle.firstRequestMs!) &&
          positive(bundle.secondRequestMs!),
      ).toBe(true);
      expect(bundle.awsSdkBytes).toBeGreaterThan(0);
      expect(bundle.topPackages.length).toBeGreaterThan(0);
      expect(bundle.loadSamples).toBeGreaterThan(0);
      expect(bundle.loadProfile.length).toBeGreaterThan(0);
    }
  });

  it('measures the floor bundles in the same rounds as the functions, and each function against the client floor', () => {
    const floors = results.bundles!.filter((bundle) => bundle.kind === 'floor');
    const functions = results.bundles!.filter((bundle) => bundle.kind === 'function');

    expect(floors.map((floor) => floor.name)).toEqual(['floor: empty ESM module', 'floor: DynamoDB document client']);
    expect(floors.every((floor) => positive(floor.loadMs) && positive(floor.loadMsWithSourceMaps!))).toBe(true);
    expect(floors[1]!.awsSdkBytes).toBeGreaterThan(0);
    expect(functions.every((bundle) => positive(bundle.floorLoadMs!) && positive(bundle.emptyLoadMs!))).toBe(true);
  });

  it("audits, for real requests on the local stack, which of each function's import-time schemas its request parses", () => {
    const [floor, ...rows] = results.schemaAudit!;

    expect(floor!.name).toBe('floor: DynamoDB document client');
    expect(floor!.coverage!.unexecutedChars).toBeGreaterThan(0);
    expect(rows.map((row) => row.name)).toEqual(['create-referral', 'get-site-lead']);
    for (const row of rows) {
      expect(row.coverage!.unexecutedChars).toBeLessThan(row.coverage!.sourceChars);
      expect(row.coverage!.ownUnexecutedChars).toBeLessThanOrEqual(row.coverage!.unexecutedChars);
      expect(row.status).toBeGreaterThanOrEqual(200);
      expect(row.status).toBeLessThan(300);
      expect(row.schemas.some((schema) => schema.parsed)).toBe(true);
      expect(row.schemas.every((schema) => schema.name.includes(':') && schema.buildMs >= 0)).toBe(true);
    }
    expect(resultsMarkdown).toContain("### What each function's cold start builds and runs that its request uses");
  });

  it('loads the local API at each connection level without errors', () => {
    const rows = results.load!;

    expect(rows.map((row) => row.connections)).toEqual([2, 5]);
    for (const row of rows) {
      expect(row.requests).toBeGreaterThan(0);
      expect(positive(row.requestsPerSecond) && positive(row.latencyP50Ms)).toBe(true);
      expect(row.latencyP99Ms).toBeGreaterThanOrEqual(row.latencyP50Ms);
      expect(row.errors).toBe(0);
    }
  });

  it('sees the site email of every referral arrive in the SES emulator', () => {
    const leads = results.leadLatency!;

    expect(leads.delivered).toBe(leads.referrals);
    expect(positive(leads.p50Ms)).toBe(true);
    expect(leads.p95Ms).toBeGreaterThanOrEqual(leads.p50Ms);
  });

  it('measures DynamoDB write units for a screening and a referral, and one email per outbox message', () => {
    const capacity = results.capacity!;

    expect(capacity.screening.transactionalWrite + capacity.screening.write).toBeGreaterThan(0);
    expect(capacity.referral.transactionalWrite + capacity.referral.write).toBeGreaterThan(0);
    expect(capacity.delivery.write).toBeGreaterThan(0);
    expect(capacity.screenerLoad.read).toBeGreaterThan(0);
    expect(capacity.delivery.emailsPerReferral).toBe(capacity.delivery.messagesPerReferral);
  });

  it('measures the web form JavaScript and CSS', () => {
    const web = results.web!;

    expect(web.js.gzipBytes).toBeGreaterThan(0);
    expect(web.css.gzipBytes).toBeGreaterThan(0);
    expect(web.js.gzipBytes).toBeLessThan(web.js.bytes);
  });

  it('writes RESULTS.md with every section and COST.md with its prices and formula', () => {
    for (const section of [
      '## 1. Eligibility engine',
      '## 2. Lambda bundles',
      '## 3. Local API under load',
      '## 4. Lead latency',
      '## 5.',
      '## 6. Web form',
    ]) {
      expect(resultsMarkdown).toContain(section);
    }
    expect(costMarkdown).toContain('## Prices assumed');
    expect(costMarkdown).toContain('## Formula');
    expect(costMarkdown).toMatch(/\| 10% \| \$\d+\.\d{4} \|/);
  });
});
