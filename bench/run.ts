/**
 * `npm run bench`: runs every benchmark and rewrites `bench/RESULTS.md`, `bench/COST.md` and
 * `bench/results.json`. Performance is measured here, never asserted in tests.
 *
 *   npm run bench                      full run (a few minutes)
 *   npm run bench -- --quick           tiny sizes, for CI (test/bench runs it so the harness cannot rot);
 *                                      writes to a temp folder unless --out-dir is given
 *   npm run bench -- --out-dir <dir>   write the reports elsewhere (the quick test writes to a temp folder)
 *   npm run bench -- --only engine,bundles,schemas,load,leads,capacity,web
 *   npm run bench -- --only engine --merge   measure some sections, keep the others of the existing results.json
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, Option } from 'commander';
import { Screener } from '#core/model';
import { launchLocalStack, type LocalStack } from '#local/launch';
import { runLoadBenchmark } from './api-load';
import { runBundleBenchmark } from './bundles';
import { runCapacityBenchmark } from './capacity';
import { runEligibilityBenchmark } from './eligibility';
import { runLeadLatencyBenchmark } from './lead-latency';
import { renderCost, renderResults, type BenchResults } from './report';
import { machineInfo } from './stats';
import { adultWithChronicBackPain } from '#test/factories/screener';
import { runWebBenchmark } from './web-form';
import { runSchemaAudit } from './schema-audit';

const REPOSITORY_ROOT = fileURLToPath(new URL('..', import.meta.url));

export const SECTIONS = ['engine', 'bundles', 'schemas', 'load', 'leads', 'capacity', 'web', 'reliability'] as const;
type Section = (typeof SECTIONS)[number];
/** The results.json keys each section writes. */
const SECTION_KEYS: readonly (readonly string[])[] = [
  ['eligibility'],
  ['bundles'],
  ['schemaAudit'],
  ['load'],
  ['leadLatency'],
  ['capacity'],
  ['web'],
  ['reliability'],
];

/** Sizes per mode: full gives stable medians in a few minutes; quick only proves the harness works. */
const SETTINGS = {
  full: {
    sizes: [100, 1_000, 10_000],
    rounds: 21,
    minSampleMs: 2,
    warmupMs: 200,
    rulesEngineBudgetMs: 30_000,
    profileMs: 2_000,
    loads: 30,
    loadSeconds: 10,
    warmupSeconds: 3,
    connections: [10, 50],
    referrals: 100,
    referralIntervalMs: 100,
    capacityScreenings: 20,
    capacityReferrals: 10,
    buildWeb: true,
    bundleFunctions: [] as string[],
    auditFunctions: [] as string[],
  },
  quick: {
    sizes: [20, 100],
    rounds: 3,
    minSampleMs: 1,
    warmupMs: 10,
    rulesEngineBudgetMs: 2_000,
    profileMs: 100,
    loads: 1,
    // Long enough that a loaded CI machine still completes requests inside the window.
    loadSeconds: 3,
    warmupSeconds: 2,
    connections: [2, 5],
    referrals: 3,
    referralIntervalMs: 50,
    capacityScreenings: 3,
    capacityReferrals: 2,
    buildWeb: false,
    // One HTTP function and one that sends email (templates copied beside the bundle).
    bundleFunctions: ['submit-screening', 'deliver-leads'],
    // The audit's two kinds of staging: a screening made through the API, a lead link from its site email.
    auditFunctions: ['create-referral', 'get-site-lead'],
  },
} as const;

/**
 * The patient of the API benchmarks: a 70-year-old with chronic back pain in Baltimore, eligible for
 * a recruiting trial whose nearby site takes referrals, so every screening can be referred.
 */
function referablePatient() {
  return adultWithChronicBackPain({ age: 70 });
}

async function versionOf(name: string): Promise<string> {
  // Read from the installed package: some packages do not export their package.json.
  try {
    return (
      JSON.parse(await readFile(join(REPOSITORY_ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }
    ).version;
  } catch {
    return 'unknown';
  }
}

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

async function main(): Promise<void> {
  const program = new Command()
    .name('bench')
    .option('--quick', 'tiny sizes and two bundles: proves the harness works in about a minute')
    .option(
      '--out-dir <dir>',
      'where to write RESULTS.md, COST.md and results.json (default: bench/, or a temp folder with --quick)',
    )
    .addOption(new Option('--only <sections>', `comma-separated subset of ${SECTIONS.join(',')}`))
    .option('--render <results.json>', "measure nothing: rewrite the reports from an earlier run's results.json")
    .option('--merge', 'with --only: replace only these sections in the existing results.json, noting when each was measured')
    .parse();
  const options = program.opts<{ quick?: boolean; outDir?: string; only?: string; render?: string; merge?: boolean }>();
  if (options.render) {
    const earlier = JSON.parse(await readFile(options.render, 'utf8')) as BenchResults;
    const dir = resolve(options.outDir ?? join(REPOSITORY_ROOT, 'bench'));
    await writeFile(join(dir, 'RESULTS.md'), renderResults(earlier));
    if (earlier.capacity) await writeFile(join(dir, 'COST.md'), renderCost(earlier));
    return;
  }
  const mode = options.quick ? 'quick' : 'full';
  const settings = SETTINGS[mode];
  // The reliability scenarios take minutes of real outage time and already run in `npm test`: a
  // quick run (the harness test) leaves them out unless asked for.
  const only =
    options.only?.split(',').map((section) => section.trim()) ??
    SECTIONS.filter((section) => mode === 'full' || section !== 'reliability');
  for (const section of only)
    if (!(SECTIONS as readonly string[]).includes(section)) throw new Error(`Unknown section ${section}`);
  const wanted = (section: Section) => only.includes(section);

  const started = Date.now();
  let results: BenchResults = {
    mode,
    startedAt: new Date(started).toISOString(),
    durationSeconds: 0,
    machine: { ...machineInfo(), loadAverage: loadavg() },
    versions: Object.fromEntries(
      await Promise.all(
        ['esbuild', 'json-logic-engine', 'json-rules-engine', 'zod', 'autocannon', '@aws-sdk/client-dynamodb', 'aws-cdk-lib'].map(
          async (name) => [name, await versionOf(name)] as const,
        ),
      ),
    ),
  };
  const screener = Screener.parse(
    JSON.parse(await readFile(join(REPOSITORY_ROOT, 'data/screeners/lower-back-pain.json'), 'utf8')),
  );

  if (wanted('engine')) {
    log(`eligibility engine: ${settings.sizes.join(', ')} trials`);
    results.eligibility = await runEligibilityBenchmark(
      {
        repositoryRoot: REPOSITORY_ROOT,
        sizes: settings.sizes,
        rounds: settings.rounds,
        minSampleMs: settings.minSampleMs,
        warmupMs: settings.warmupMs,
        rulesEngineBudgetMs: settings.rulesEngineBudgetMs,
        profileMs: settings.profileMs,
      },
      screener,
    );
  }

  if (wanted('bundles')) {
    log('Lambda bundles');
    const workDir = await mkdtemp(join(tmpdir(), 'trial-screener-bundles-'));
    try {
      results.bundles = await runBundleBenchmark({
        repositoryRoot: REPOSITORY_ROOT,
        workDir,
        loads: settings.loads,
        only: settings.bundleFunctions,
      });
    } finally {
      await rm(workDir, { recursive: true, force: true });
    }
  }

  if (wanted('web')) {
    log('web form');
    results.web = await runWebBenchmark(REPOSITORY_ROOT, settings.buildWeb);
  }

  if (wanted('load') || wanted('leads') || wanted('capacity') || wanted('schemas')) {
    log('starting the local stack');
    let stack: LocalStack | undefined;
    try {
      // Request log lines would cost the load test more than the requests themselves.
      stack = await launchLocalStack({ env: { POWERTOOLS_LOG_LEVEL: 'WARN' } });
      if (wanted('load')) {
        log(`API load: ${settings.connections.join(', ')} connections`);
        results.load = await runLoadBenchmark({
          baseUrl: stack.baseUrl,
          answers: adultWithChronicBackPain(),
          connectionLevels: settings.connections,
          durationSeconds: settings.loadSeconds,
          warmupSeconds: settings.warmupSeconds,
        });
      }
      if (wanted('leads')) {
        log(`lead latency: ${settings.referrals} referrals`);
        results.leadLatency = await runLeadLatencyBenchmark({
          baseUrl: stack.baseUrl,
          sesUrl: stack.sesUrl,
          answers: referablePatient(),
          referrals: settings.referrals,
          intervalMs: settings.referralIntervalMs,
          pollMs: 25,
          timeoutMs: 30_000,
        });
      }
      if (wanted('capacity')) {
        log('DynamoDB units and handler durations');
        results.capacity = await runCapacityBenchmark({
          repositoryRoot: REPOSITORY_ROOT,
          dynamoDbEndpoint: stack.dynamoDbEndpoint,
          sesUrl: stack.sesUrl,
          answers: referablePatient(),
          screenings: settings.capacityScreenings,
          referrals: settings.capacityReferrals,
        });
      }
      // Last on this stack: its site functions record an outcome and pause a site.
      if (wanted('schemas')) {
        log('schemas built at cold start and parsed by each request');
        const workDir = await mkdtemp(join(tmpdir(), 'trial-screener-audit-'));
        try {
          results.schemaAudit = await runSchemaAudit({
            repositoryRoot: REPOSITORY_ROOT,
            workDir,
            stack,
            answers: referablePatient(),
            only: settings.auditFunctions,
          });
        } finally {
          await rm(workDir, { recursive: true, force: true });
        }
      }
    } finally {
      await stack?.stop();
    }
  }

  if (wanted('reliability')) {
    // The fault tests' scenarios (bench/reliability.ts), on an SES emulator of their own.
    log('reliability: SES outage and sandbox refusal on the local stack');
    const { startSesEmulator } = await import('#local/ses-emulator');
    const { findFreePort } = await import('#local/dynamodb-local');
    const { runSesFaultScenario } = await import('./reliability');
    const emulator = await startSesEmulator({ port: await findFreePort() });
    try {
      const common = { sesEmulatorUrl: emulator.endpoint, answers: referablePatient(), settleTimeoutMs: 120_000 };
      results.reliability = [
        await runSesFaultScenario({ ...common, referrals: 20, fault: 'drop', faultMs: 30_000 }),
        await runSesFaultScenario({ ...common, referrals: 5, fault: 'refuse-unverified', faultMs: 15_000 }),
      ];
    } finally {
      await emulator.stop();
    }
  }

  results.durationSeconds = (Date.now() - started) / 1000;
  // A quick run's tiny figures must never replace the committed results.
  const outDir = resolve(
    options.outDir ?? (options.quick ? join(tmpdir(), 'trial-screener-bench-quick') : join(REPOSITORY_ROOT, 'bench')),
  );
  await mkdir(outDir, { recursive: true });
  const measured = { startedAt: results.startedAt, mode: results.mode, loadAverage: results.machine.loadAverage };
  const sectionRuns: NonNullable<BenchResults['sectionRuns']> = Object.fromEntries(only.map((section) => [section, measured]));
  if (options.merge) {
    const earlier = JSON.parse(await readFile(join(outDir, 'results.json'), 'utf8')) as BenchResults;
    const earlierRun = { startedAt: earlier.startedAt, mode: earlier.mode, loadAverage: earlier.machine.loadAverage };
    const earlierRuns: NonNullable<BenchResults['sectionRuns']> =
      earlier.sectionRuns ?? Object.fromEntries(SECTIONS.map((section) => [section, earlierRun]));
    const kept = Object.fromEntries(
      Object.entries(earlier).filter(([key]) => !SECTION_KEYS.some((keys) => keys.includes(key)) || !(key in results)),
    );
    results = { ...kept, ...results, sectionRuns: { ...earlierRuns, ...sectionRuns } } as BenchResults;
  } else {
    results.sectionRuns = sectionRuns;
  }
  await writeFile(join(outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(join(outDir, 'RESULTS.md'), renderResults(results));
  if (results.capacity) await writeFile(join(outDir, 'COST.md'), renderCost(results));
  log(`done in ${Math.round(results.durationSeconds)} s; wrote ${outDir}/RESULTS.md`);
}

main().then(
  // The handlers' SDK clients keep sockets open; the run is over.
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
