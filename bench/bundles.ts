/**
 * Benchmark 2, the Lambda bundles: every function of the manifest built with esbuild's JS API
 * and the options `lib/lambda-function.ts` gives `NodejsFunction` (ESM, minified, source maps
 * without sources content, `module` before `main`, AWS SDK bundled, its module aliases and
 * externals, the `require` banner, the runtime files beside the bundle), beside a naive build of
 * the same entry (not minified, esbuild's default main fields for Node, no aliases).
 *
 * For each: bytes and gzipped bytes, which packages the bytes come from (esbuild's metafile),
 * the cold module-load time (a fresh `node` process importing the bundle with the production
 * `NODE_OPTIONS`, which are none: median of N, wall-clock and the process's CPU time), what
 * `--enable-source-maps` would add, the first and second request of that process (against a
 * DynamoDB and SES that refuse every call at once, so the figure is the function's own work:
 * parsing, validation, the SDK's first request, error mapping), and, from one `--cpu-prof` run
 * mapped back through the source map, which packages the load time goes to.
 *
 * Beside them, in the same rounds, two floor bundles built with the same options: an empty ESM
 * module (what importing anything costs) and an entry that only creates the DynamoDB document
 * client as every function does, and sends one GetItem as its request (what no function on this
 * stack can load or answer faster than).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { execFile } from 'node:child_process';
import { cp, mkdir, readFile, readdir, rm, stat } from 'node:fs/promises';
import { SourceMap } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { build, type BuildOptions, type Metafile, type Plugin } from 'esbuild';
import { FUNCTIONS, type FunctionSpec } from '#functions/function-manifest';
import { ESM_REQUIRE_BANNER, LAMBDA_EXTERNAL_MODULES, LAMBDA_MODULE_ALIASES } from '#lib/lambda-function';
import { buildProxyEvent } from '#local/api-routes';
import { adultWithChronicBackPain } from '#test/factories/screener';
import { median } from './stats';

const run = promisify(execFile);

/** The `NODE_OPTIONS` the functions run with in Lambda (`lib/lambda-function.ts` sets none). */
const PRODUCTION_NODE_FLAGS: readonly string[] = [];

/** The esbuild options `NodejsFunction` derives from `lib/lambda-function.ts`'s bundling props. */
export function productionOptions(repositoryRoot: string, entry: string, outfile: string): BuildOptions {
  return {
    entryPoints: [entry],
    outfile,
    // As NodejsFunction runs esbuild: from the project root, where the aliases' paths are relative to.
    absWorkingDir: repositoryRoot,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    mainFields: ['module', 'main'],
    external: [...LAMBDA_EXTERNAL_MODULES],
    alias: { ...LAMBDA_MODULE_ALIASES },
    banner: { js: ESM_REQUIRE_BANNER },
    metafile: true,
    logLevel: 'silent',
  };
}

/** The same entry built the way one would without thinking about it. */
function naiveOptions(repositoryRoot: string, entry: string, outfile: string): BuildOptions {
  const {
    minify: _minify,
    mainFields: _mainFields,
    alias: _alias,
    external: _external,
    ...rest
  } = productionOptions(repositoryRoot, entry, outfile);
  return rest;
}

/** Packages of the AWS SDK v3: its clients and their shared Smithy runtime. */
const isAwsSdkPackage = (name: string) => name.startsWith('@aws-sdk/') || name.startsWith('@smithy/') || name.startsWith('@aws/');

export interface PackageShare {
  /** `functions/core`, `zod`, `@aws-sdk/client-dynamodb`, ... */
  name: string;
  bytes: number;
}

export interface BundleRow {
  /** A manifest function, or a floor bundle measured beside them (absent in older results: a function). */
  kind?: 'function' | 'floor' | 'component';
  name: string;
  entry: string;
  bytes: number;
  gzipBytes: number;
  sourceMapBytes: number;
  /** The largest contributors to the minified output, from the metafile. */
  topPackages: PackageShare[];
  /** The largest single modules (files) in the minified output. */
  topModules: PackageShare[];
  /** Bytes of zod's message translations (`zod/v4/locales/*`), which only English ever uses. */
  zodLocalesBytes: number;
  /** Bytes of zod in all. */
  zodBytes: number;
  /** Bytes of the AWS SDK (`@aws-sdk/*`, `@smithy/*`, `@aws/*`). */
  awsSdkBytes: number;
  /** Median milliseconds to import the bundle in a fresh node process, with the production `NODE_OPTIONS` (none). */
  loadMs: number;
  /** Median CPU milliseconds (user + system) of that import: steadier than wall-clock on a shared machine. */
  loadCpuMs?: number;
  /** The import with `--enable-source-maps`, as the functions ran before (what Node's source maps cost at load). */
  loadMsWithSourceMaps?: number;
  /**
   * Median milliseconds of the first request in the same fresh process, and of the second, against a
   * DynamoDB and SES that refuse every call (so no network time is in it). Absent for floors' empty module.
   */
  firstRequestMs?: number;
  secondRequestMs?: number;
  naiveBytes: number;
  naiveGzipBytes: number;
  naiveLoadMs: number;
  /** Where one profiled load spent its samples, by package (self time, ms). */
  loadProfile: PackageShare[];
  loadSamples: number;
  /**
   * Median load of the DynamoDB-client floor bundle, and of the empty module, in the same rounds
   * as this function's loads (interleaved, so both see the same machine load). Functions only.
   */
  floorLoadMs?: number;
  emptyLoadMs?: number;
  /** The DynamoDB-client floor's CPU time and first request, in the same rounds. Functions only. */
  floorLoadCpuMs?: number;
  /**
   * Median over the rounds of this function's load divided by the client floor's load in the same
   * round (wall-clock, then CPU): the figure the 1.3x target is read from. The machine's speed
   * drifts over seconds to minutes, and a ratio taken within each round cancels that drift, which
   * the ratio of the two medians does not.
   */
  loadVsFloorInRounds?: number;
  cpuVsFloorInRounds?: number;
  floorFirstRequestMs?: number;
  /**
   * Median CPU milliseconds V8 takes to compile the bundle's source as a module (a fresh process
   * compiling it with `vm.SourceTextModule`, nothing run): the share of the load that grows with
   * the bytes. For functions, `floorCompileMs` is the client floor's in the same rounds.
   */
  compileMs?: number;
  floorCompileMs?: number;
  /**
   * The module-init profile: median CPU milliseconds each module's top-level code takes during the
   * import (zod schemas built, clients created, templates read ...), from a build in which every module
   * ends by reading the process's CPU clock (the time between two such marks is the later module's
   * own top-level work, the modules it imports excluded). Largest first, grouped by package or project
   * file; `beforeModulesMs` is the CPU time from the `import()` to the first module's end (compiling
   * and linking the bundle, loading Node's built-ins).
   */
  moduleBodies?: PackageShare[];
  moduleBodiesTotalMs?: number;
  beforeModulesMs?: number;
}

/**
 * The floor bundles: entries that are not manifest functions, built and loaded like them. The
 * client entry goes through our own adapter, so it creates the client with the functions' options.
 */
export const FLOOR_ENTRIES = [
  {
    name: 'floor: empty ESM module',
    entry: '(an empty module exporting a handler)',
    contents: 'export const handler = async () => undefined;\n',
  },
  {
    name: 'floor: DynamoDB document client',
    entry: '(imports functions/adapters/dynamo.ts, creates the document client; a request is one GetItem)',
    contents:
      "import { GetCommand } from '@aws-sdk/lib-dynamodb';\n" +
      "import { documentClient } from './functions/adapters/dynamo';\n" +
      'const client = documentClient();\n' +
      "export const handler = async () => client.send(new GetCommand({ TableName: 'bench', Key: { PK: 'floor', SK: 'floor' } })).catch(() => undefined);\n",
  },
] as const;

/** The client floor's source, which every component entry starts with. */
const CLIENT_FLOOR_PRELUDE =
  "import { documentClient } from './functions/adapters/dynamo';\nexport const client = documentClient();\n";

/**
 * Pieces a function adds to the floor, each built on top of the client floor (so Node built-ins
 * the SDK loads anyway, such as `node:crypto`, are not counted again) with the same options and
 * loaded in rounds of their own beside the floor: what the remaining distance is made of. zod's own
 * set-up is in every piece that uses zod.
 */
export const COMPONENT_ENTRIES = [
  {
    name: 'component: zod with one schema',
    entry: '(functions/core/zod.ts: zod/mini and its English messages, one object schema)',
    contents:
      CLIENT_FLOOR_PRELUDE +
      "import * as z from './functions/core/zod';\nconst schema = z.object({ id: z.string() });\nexport const handler = async () => schema;\n",
  },
  {
    name: 'component: the domain model',
    entry: '(functions/core/model.ts: every domain schema, built at import)',
    contents:
      CLIENT_FLOOR_PRELUDE + "import * as model from './functions/core/model';\nexport const handler = async () => model;\n",
  },
  {
    name: 'component: the logger',
    entry: '(functions/adapters/logger.ts: Powertools Logger, one instance)',
    contents:
      CLIENT_FLOOR_PRELUDE +
      "import { logger } from './functions/adapters/logger';\nexport const handler = async () => logger;\n",
  },
  {
    name: 'component: the HTTP stack',
    entry: '(functions/adapters/http-handler.ts: middy and its middlewares, the HTTP contract, config, logger)',
    contents:
      CLIENT_FLOOR_PRELUDE +
      "import { httpHandler } from './functions/adapters/http-handler';\nexport const handler = async () => httpHandler;\n",
  },
] as const;

export interface BundleOptions {
  repositoryRoot: string;
  workDir: string;
  /** Fresh processes per measurement (the median is reported). */
  loads: number;
  /** Only these functions (all when empty). */
  only?: readonly string[];
}

/** The package a bundled module path belongs to: `node_modules/<pkg>` or the project folder. */
export function packageOf(path: string): string {
  const normalized = path.replace(/\\/g, '/');
  const inModules = normalized.lastIndexOf('node_modules/');
  if (inModules >= 0) {
    const parts = normalized.slice(inModules + 'node_modules/'.length).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  const project = /(?:^|\/)(functions\/[^/]+|local|lib|data|templates)\//.exec(normalized);
  return project ? project[1]! : normalized;
}

function topShares(shares: Map<string, number>, count: number): PackageShare[] {
  return [...shares]
    .map(([name, bytes]) => ({ name, bytes }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, count);
}

function packageBytes(metafile: Metafile): Map<string, number> {
  const shares = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
      const name = packageOf(path);
      shares.set(name, (shares.get(name) ?? 0) + bytesInOutput);
    }
  }
  return shares;
}

/** Environment the manifest's functions need to pass their cold-start config check. */
export function functionEnvironment(refusingEndpoint?: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    ...(refusingEndpoint
      ? {
          AWS_ENDPOINT_URL_DYNAMODB: refusingEndpoint,
          AWS_ENDPOINT_URL_SES: refusingEndpoint,
          REGISTRY_API_URL: refusingEndpoint,
        }
      : {}),
    REGISTRY_CONDITIONS: 'Low Back Pain',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    // Delivery holds every message until contacts are approved: approved, so its request reaches DynamoDB.
    CATALOG_CONTACTS_APPROVED: 'true',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    TABLE_NAME: 'bench',
    ALLOWED_ORIGINS: 'https://example.org',
    SENDER_EMAIL: 'leads@example.org',
    SES_CONFIGURATION_SET: 'bench',
    PUBLIC_APP_URL: 'https://example.org/',
    POWERTOOLS_METRICS_DISABLED: 'true',
  };
}

/**
 * A script for `node --input-type=module -e`: imports the bundle, then (with an event) invokes its
 * handler twice, and prints the import's wall-clock ms, its CPU ms, its start and end on the
 * monotonic clock in µs (the clock of CPU profile timestamps), and the two requests' ms (-1 without).
 */
const loadScript = (file: string, event?: unknown) =>
  `const c=process.cpuUsage();const h=process.hrtime.bigint();const s=performance.now();const m=await import(${JSON.stringify(pathToFileURL(file).href)});` +
  `const e=performance.now();const d=process.cpuUsage(c);const g=process.hrtime.bigint();if(typeof m.handler!=='function')throw new Error('no handler');` +
  `let first=-1,second=-1;const event=${JSON.stringify(event ?? null)};` +
  `if(event){const context={awsRequestId:'bench',functionName:'bench',getRemainingTimeInMillis:()=>10000};` +
  // A refused call may make the handler throw (a stream batch whose every record failed): timed all the same.
  `const invoke=async()=>{const t=performance.now();try{await m.handler(structuredClone(event),context);}catch{}return performance.now()-t;};` +
  `first=await invoke();second=await invoke();}` +
  `process.stdout.write([e-s,(d.user+d.system)/1000,h/1000n,g/1000n,first,second].join(' '));process.exit(0);`;

/**
 * A script for `node --experimental-vm-modules --input-type=module -e`: compiles the bundle's source
 * as a module (no linking, nothing run) and prints the CPU milliseconds it took.
 */
const compileScript = (file: string) =>
  `import vm from 'node:vm';import {readFileSync} from 'node:fs';const source=readFileSync(${JSON.stringify(file)},'utf8');` +
  `const c=process.cpuUsage();new vm.SourceTextModule(source,{identifier:${JSON.stringify(pathToFileURL(file).href)}});` +
  `const d=process.cpuUsage(c);process.stdout.write(String((d.user+d.system)/1000));process.exit(0);`;

async function compileOnce(file: string): Promise<number> {
  const { stdout } = await run(
    process.execPath,
    ['--experimental-vm-modules', '--no-warnings', '--input-type=module', '-e', compileScript(file)],
    {
      env: functionEnvironment(),
    },
  );
  return Number(stdout);
}

/** The global a marked build calls at the end of every module (see `markModulesPlugin`). */
const MARK_GLOBAL = '__benchModuleEnd';

/**
 * An esbuild plugin that ends every source module with a call to `globalThis[MARK_GLOBAL](path)`, for
 * the module-init profile. The call is a side effect, so a module the production build drops whole
 * (imported, nothing of it used) is kept here: the marked bundle is slightly larger than the real one,
 * and the profile is read for where the time goes, not for the total.
 */
function markModulesPlugin(repositoryRoot: string): Plugin {
  return {
    name: 'bench-mark-modules',
    setup(pluginBuild) {
      pluginBuild.onLoad({ filter: /\.(?:[cm]?ts|[cm]?js)$/ }, async (args) => {
        const text = await readFile(args.path, 'utf8');
        const name = args.path.startsWith(repositoryRoot) ? args.path.slice(repositoryRoot.length).replace(/^\//, '') : args.path;
        return {
          contents: `${text}\n;globalThis.${MARK_GLOBAL}?.(${JSON.stringify(name)});\n`,
          loader: /\.[cm]?ts$/.test(args.path) ? 'ts' : 'js',
          resolveDir: dirname(args.path),
        };
      });
    },
  };
}

/** Imports a marked bundle; prints the CPU clock at the import's start and end and at each module's end. */
const markedLoadScript = (file: string) =>
  `const cpu=()=>{const u=process.cpuUsage();return (u.user+u.system)/1000;};const marks=[];` +
  `globalThis.${MARK_GLOBAL}=(name)=>marks.push([name,cpu()]);const start=cpu();` +
  `await import(${JSON.stringify(pathToFileURL(file).href)});const end=cpu();` +
  `process.stdout.write(JSON.stringify({start,end,marks}));process.exit(0);`;

/** A module's path grouped as the byte tables group it: the package, or the project file itself. */
function moduleGroup(path: string): string {
  const normalized = path.replace(/\\/g, '/');
  return normalized.includes('node_modules/') ? packageOf(normalized) : normalized;
}

/** The module-init profile of a marked bundle: medians over `runs` fresh processes (see `BundleRow.moduleBodies`). */
async function moduleInitProfile(
  file: string,
  runs: number,
): Promise<{ bodies: PackageShare[]; totalMs: number; beforeModulesMs: number }> {
  const perGroup = new Map<string, number[]>();
  const before: number[] = [];
  const totals: number[] = [];
  for (let i = 0; i < runs; i++) {
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', markedLoadScript(file)], {
      env: functionEnvironment(),
    });
    const { start, end, marks } = JSON.parse(stdout) as { start: number; end: number; marks: [string, number][] };
    const groups = new Map<string, number>();
    let previous = marks[0]?.[1] ?? end;
    before.push(previous - start);
    for (const [name, at] of marks.slice(1)) {
      groups.set(moduleGroup(name), (groups.get(moduleGroup(name)) ?? 0) + (at - previous));
      previous = at;
    }
    // The entry's own top-level code when it is not a marked file (the floors' entries are source text).
    groups.set('(the entry after its last import)', end - previous);
    totals.push(end - (marks[0]?.[1] ?? end));
    for (const [name, msSpent] of groups) perGroup.set(name, [...(perGroup.get(name) ?? []), msSpent]);
  }
  const bodies = [...perGroup]
    .map(([name, values]) => ({ name, bytes: median([...values, ...Array<number>(runs - values.length).fill(0)]) }))
    .filter((share) => share.bytes >= 0.05)
    .sort((a, b) => b.bytes - a.bytes)
    .map(({ name, bytes }) => ({ name, bytes: Math.round(bytes * 100) / 100 }));
  return { bodies, totalMs: median(totals), beforeModulesMs: median(before) };
}

interface LoadSample {
  wallMs: number;
  cpuMs: number;
  firstRequestMs: number;
  secondRequestMs: number;
}

async function loadOnce(
  file: string,
  nodeFlags: readonly string[],
  event?: unknown,
  refusingEndpoint?: string,
): Promise<LoadSample> {
  const { stdout } = await run(process.execPath, [...nodeFlags, '--input-type=module', '-e', loadScript(file, event)], {
    env: functionEnvironment(refusingEndpoint),
  });
  const [wallMs, cpuMs, , , firstRequestMs, secondRequestMs] = stdout.split(' ').map(Number) as number[];
  return { wallMs: wallMs!, cpuMs: cpuMs!, firstRequestMs: firstRequestMs!, secondRequestMs: secondRequestMs! };
}

/**
 * A DynamoDB (and SES) endpoint that refuses every call at once, as DynamoDB refuses a table that
 * does not exist: a function's first request then does all its own work (parsing, validation,
 * the SDK's first signed request and its error) with no network time in it.
 */
async function startRefusingEndpoint(): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      response.writeHead(400, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'bench' });
      response.end(
        JSON.stringify({
          __type: 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException',
          message: 'Requested resource not found',
        }),
      );
    });
  });
  await new Promise<void>((resolveListen) => server.listen(0, '127.0.0.1', resolveListen));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** The request a function's first and second invocation get: what it would serve most. */
function requestFor(spec: FunctionSpec): unknown {
  switch (spec.trigger.kind) {
    case 'http': {
      const screeningId = '3f0c2a8e-9b1d-4c5e-8f7a-1b2c3d4e5f60';
      const parameters: Record<string, string> = { screenerId: 'lower-back-pain', screeningId, leadId: 'bench-lead' };
      const pathParameters = Object.fromEntries(
        [...spec.trigger.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => [name!, parameters[name!] ?? 'bench']),
      );
      const path = spec.trigger.path.replace(/\{(\w+)\}/g, (_, name: string) => pathParameters[name]!);
      // Each POST route's own valid body, so its first request gets past validation as a real one does.
      const postBodies: Record<string, unknown> = {
        'submit-screening': { screenerId: 'lower-back-pain', answers: adultWithChronicBackPain() },
        'create-referral': {
          trialIds: ['NCT03535688'],
          contact: { name: 'Alex Patient', email: 'alex.patient@example.com' },
          consent: { shareWithSites: true, phoneContact: false, textVersion: 'bench' },
        },
        'record-site-outcome': { outcome: 'contacted' },
        'pause-site': { reason: 'Not taking new patients this month' },
      };
      const body = spec.trigger.method === 'POST' ? postBodies[spec.name] : undefined;
      if (spec.trigger.method === 'POST' && body === undefined) throw new Error(`No bench request body for ${spec.name}`);
      return buildProxyEvent({
        method: spec.trigger.method,
        path,
        resource: spec.trigger.path,
        pathParameters,
        headers: {
          'Content-Type': 'application/json',
          Origin: 'https://example.org',
          Authorization: 'Bearer bench-token-bench-token-bench-token-bench-token',
          'Idempotency-Key': 'bench-idempotency-key',
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    }
    case 'stream':
      return {
        Records: [
          {
            eventID: 'bench-1',
            eventName: 'INSERT',
            dynamodb: { NewImage: { entityType: { S: 'LEAD' }, leadId: { S: 'bench-lead' } } },
          },
        ],
      };
    case 'email-events':
      // SES's delivery event for one lead's email, as the configuration set's SNS topic delivers it.
      return {
        Records: [
          {
            EventSource: 'aws:sns',
            Sns: {
              MessageId: 'bench-notification',
              Message: JSON.stringify({
                eventType: 'Delivery',
                mail: { messageId: 'bench-message', tags: { 'outbox-kind': ['LEAD'], 'outbox-id': ['bench-lead'] } },
                delivery: { timestamp: new Date(0).toISOString() },
              }),
            },
          },
        ],
      };
    case 'schedule':
    case 'registry-sync':
      return {
        version: '0',
        id: 'bench',
        'detail-type': 'Scheduled Event',
        source: 'aws.events',
        time: new Date(0).toISOString(),
        detail: {},
      };
  }
}

interface CpuProfile {
  startTime: number;
  nodes: {
    id: number;
    children?: number[];
    callFrame: { url: string; lineNumber: number; columnNumber: number; functionName: string };
  }[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * Where one profiled load spends its time, by package. A sample is charged to the innermost frame
 * of the bundle on its stack, mapped through the source map to its original module's package, so
 * Node work a package triggers (loading `undici` for `fetch`, creating crypto objects) counts for
 * that package. Samples with no bundle frame are Node's own work, named by function
 * (`compileSourceTextModule` is V8 parsing and compiling the bundle; `(program)` is native work
 * outside JavaScript, mostly the same).
 */
async function loadProfile(file: string, workDir: string): Promise<{ shares: PackageShare[]; samples: number }> {
  const profileDir = join(workDir, 'cpu-profile');
  await rm(profileDir, { recursive: true, force: true });
  await mkdir(profileDir, { recursive: true });
  const { stdout } = await run(
    process.execPath,
    [
      ...PRODUCTION_NODE_FLAGS,
      '--cpu-prof',
      '--cpu-prof-interval',
      '100',
      '--cpu-prof-dir',
      profileDir,
      '--input-type=module',
      '-e',
      loadScript(file),
    ],
    { env: functionEnvironment() },
  );
  const [profileFile] = await readdir(profileDir);
  const profile = JSON.parse(await readFile(join(profileDir, profileFile!), 'utf8')) as CpuProfile;
  const sourceMap = new SourceMap(JSON.parse(await readFile(`${file}.map`, 'utf8')));
  const bundleUrl = pathToFileURL(file).href;

  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parents = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node.id);
  const chargeCache = new Map<number, string>();
  const chargeOf = (id: number): string => {
    const cached = chargeCache.get(id);
    if (cached) return cached;
    let name: string | undefined;
    for (let current: number | undefined = id; current !== undefined && name === undefined; current = parents.get(current)) {
      const frame = nodes.get(current)!.callFrame;
      if (frame.url !== bundleUrl) continue;
      const entry = sourceMap.findEntry(frame.lineNumber, frame.columnNumber) as { originalSource?: string };
      name = entry.originalSource ? packageOf(entry.originalSource) : '(bundle, unmapped)';
    }
    if (name === undefined) {
      const frame = nodes.get(id)!.callFrame;
      name = frame.functionName.startsWith('(') ? frame.functionName : `node: ${frame.functionName || '(anonymous)'}`;
    }
    chargeCache.set(id, name);
    return name;
  };

  // Only the import counts, not Node's own start-up before it or the exit after it.
  const [, , importStartUs, importEndUs] = stdout.split(' ').map(Number) as [number, number, number, number];
  const shares = new Map<string, number>();
  let timestamp = profile.startTime;
  let counted = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const deltaUs = profile.timeDeltas[i] ?? 0;
    timestamp += deltaUs;
    if (timestamp < importStartUs || timestamp > importEndUs) continue;
    counted += 1;
    const name = chargeOf(profile.samples[i]!);
    shares.set(name, (shares.get(name) ?? 0) + deltaUs / 1000);
  }
  return {
    shares: topShares(shares, 8).map(({ name, bytes }) => ({ name, bytes: Math.round(bytes * 10) / 10 })),
    samples: counted,
  };
}

async function buildOne(
  options: BuildOptions,
): Promise<{ bytes: number; gzipBytes: number; sourceMapBytes: number; metafile: Metafile }> {
  const result = await build(options);
  const code = await readFile(options.outfile!);
  const sourceMapBytes = options.sourcemap ? (await stat(`${options.outfile}.map`)).size : 0;
  return { bytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length, sourceMapBytes, metafile: result.metafile! };
}

/** Builds a floor entry (source text, resolved from the repository root) with the production options. */
export async function buildFloor(
  repositoryRoot: string,
  contents: string,
  sourcefile: string,
  outfile: string,
  plugins?: Plugin[],
) {
  const { entryPoints: _entryPoints, ...options } = productionOptions(repositoryRoot, '', outfile);
  return buildOne({
    ...options,
    ...(plugins ? { plugins } : {}),
    stdin: { contents, resolveDir: repositoryRoot, sourcefile, loader: 'ts' },
  });
}

/** Fresh processes for each module-init profile: half the load rounds, at least three. */
const moduleProfileRuns = (loads: number) => Math.max(3, Math.ceil(loads / 2));

function rowOf(
  kind: 'function' | 'floor' | 'component',
  name: string,
  entry: string,
  production: Awaited<ReturnType<typeof buildOne>>,
  profile: { shares: PackageShare[]; samples: number },
): Omit<BundleRow, 'loadMs' | 'loadMsWithoutSourceMaps' | 'naiveBytes' | 'naiveGzipBytes' | 'naiveLoadMs'> {
  const packages = packageBytes(production.metafile);
  const inputs = Object.values(production.metafile.outputs).flatMap((output) => Object.entries(output.inputs));
  return {
    kind,
    name,
    entry,
    bytes: production.bytes,
    gzipBytes: production.gzipBytes,
    sourceMapBytes: production.sourceMapBytes,
    topPackages: topShares(packages, 6),
    topModules: topShares(new Map(inputs.map(([path, input]) => [path, input.bytesInOutput] as const)), 5),
    zodLocalesBytes: inputs
      .filter(([path]) => /node_modules\/zod\/v4\/locales\//.test(path.replace(/\\/g, '/')))
      .reduce((sum, [, input]) => sum + input.bytesInOutput, 0),
    zodBytes: packages.get('zod') ?? 0,
    awsSdkBytes: [...packages].filter(([name]) => isAwsSdkPackage(name)).reduce((sum, [, bytes]) => sum + bytes, 0),
    loadProfile: profile.shares,
    loadSamples: profile.samples,
  };
}

export async function runBundleBenchmark(options: BundleOptions): Promise<BundleRow[]> {
  const rows: BundleRow[] = [];
  const specs = (FUNCTIONS as readonly FunctionSpec[]).filter(
    (spec) => !options.only?.length || options.only.includes(spec.name),
  );

  const floors: ((typeof FLOOR_ENTRIES)[number] & { file: string; build: Awaited<ReturnType<typeof buildOne>> })[] = [];
  for (const [index, floor] of FLOOR_ENTRIES.entries()) {
    const file = join(options.workDir, 'floor', String(index), 'index.mjs');
    floors.push({
      ...floor,
      file,
      build: await buildFloor(options.repositoryRoot, floor.contents, `bench-floor-${index}.ts`, file),
    });
  }
  const [emptyFloor, clientFloor] = floors as [(typeof floors)[number], (typeof floors)[number]];
  // Every floor sample of the run, for the floor rows; each function row keeps its own rounds' samples too.
  const floorSamples = new Map(floors.map((floor) => [floor.file, [] as LoadSample[]]));
  const floorWithMaps = new Map(floors.map((floor) => [floor.file, [] as number[]]));
  const floorRequest = (floor: (typeof floors)[number]) => (floor === clientFloor ? {} : undefined);
  const refusing = await startRefusingEndpoint();
  const clientFloorCompileMs: number[] = [];

  try {
    for (const spec of specs) {
      const entry = resolve(options.repositoryRoot, spec.entry);
      const productionDir = join(options.workDir, 'production', spec.name);
      const naiveDir = join(options.workDir, 'naive', spec.name);
      const production = await buildOne(productionOptions(options.repositoryRoot, entry, join(productionDir, 'index.mjs')));
      const naive = await buildOne(naiveOptions(options.repositoryRoot, entry, join(naiveDir, 'index.mjs')));
      // As the CDK command hook does: what a function reads at run time is beside its bundle.
      for (const path of spec.runtimeFiles) {
        for (const dir of [productionDir, naiveDir]) {
          await cp(resolve(options.repositoryRoot, path), join(dir, path), { recursive: true });
        }
      }

      const productionFile = join(productionDir, 'index.mjs');
      const naiveFile = join(naiveDir, 'index.mjs');
      const request = requestFor(spec);
      // Interleaved, so the figures and the floors see the same machine load.
      const samples: LoadSample[] = [];
      const withMaps: number[] = [];
      const naiveMs: number[] = [];
      const floorMs = new Map(floors.map((floor) => [floor.file, [] as LoadSample[]]));
      const compileMs: number[] = [];
      const floorCompileMs: number[] = [];
      for (let i = 0; i < options.loads; i++) {
        samples.push(await loadOnce(productionFile, PRODUCTION_NODE_FLAGS, request, refusing.url));
        compileMs.push(await compileOnce(productionFile));
        floorCompileMs.push(await compileOnce(clientFloor.file));
        clientFloorCompileMs.push(floorCompileMs.at(-1)!);
        naiveMs.push((await loadOnce(naiveFile, PRODUCTION_NODE_FLAGS)).wallMs);
        for (const floor of floors) {
          const sample = await loadOnce(floor.file, PRODUCTION_NODE_FLAGS, floorRequest(floor), refusing.url);
          floorMs.get(floor.file)!.push(sample);
          floorSamples.get(floor.file)!.push(sample);
        }
        // The what-if figures need fewer samples: every fourth round.
        if (i % 4 === 0) {
          withMaps.push((await loadOnce(productionFile, ['--enable-source-maps'])).wallMs);
          for (const floor of floors)
            floorWithMaps.get(floor.file)!.push((await loadOnce(floor.file, ['--enable-source-maps'])).wallMs);
        }
      }
      const profile = await loadProfile(productionFile, join(options.workDir, 'profiles', spec.name));
      const clientFloorSamples = floorMs.get(clientFloor.file)!;
      const markedDir = join(options.workDir, 'marked', spec.name);
      await build({
        ...productionOptions(options.repositoryRoot, entry, join(markedDir, 'index.mjs')),
        metafile: false,
        plugins: [markModulesPlugin(options.repositoryRoot)],
      });
      for (const path of spec.runtimeFiles)
        await cp(resolve(options.repositoryRoot, path), join(markedDir, path), { recursive: true });
      const moduleInit = await moduleInitProfile(join(markedDir, 'index.mjs'), moduleProfileRuns(options.loads));

      rows.push({
        ...rowOf('function', spec.name, spec.entry, production, profile),
        loadMs: median(samples.map((sample) => sample.wallMs)),
        loadCpuMs: median(samples.map((sample) => sample.cpuMs)),
        loadMsWithSourceMaps: median(withMaps),
        firstRequestMs: median(samples.map((sample) => sample.firstRequestMs)),
        secondRequestMs: median(samples.map((sample) => sample.secondRequestMs)),
        naiveBytes: naive.bytes,
        naiveGzipBytes: naive.gzipBytes,
        naiveLoadMs: median(naiveMs),
        floorLoadMs: median(clientFloorSamples.map((sample) => sample.wallMs)),
        floorLoadCpuMs: median(clientFloorSamples.map((sample) => sample.cpuMs)),
        loadVsFloorInRounds: median(samples.map((sample, round) => sample.wallMs / clientFloorSamples[round]!.wallMs)),
        cpuVsFloorInRounds: median(samples.map((sample, round) => sample.cpuMs / clientFloorSamples[round]!.cpuMs)),
        floorFirstRequestMs: median(clientFloorSamples.map((sample) => sample.firstRequestMs)),
        emptyLoadMs: median(floorMs.get(emptyFloor.file)!.map((sample) => sample.wallMs)),
        compileMs: median(compileMs),
        floorCompileMs: median(floorCompileMs),
        moduleBodies: moduleInit.bodies,
        moduleBodiesTotalMs: moduleInit.totalMs,
        beforeModulesMs: moduleInit.beforeModulesMs,
      });
    }
  } finally {
    refusing.server.close();
  }

  // The pieces, interleaved with the empty module in rounds of their own.
  const components = [];
  for (const [index, component] of COMPONENT_ENTRIES.entries()) {
    const file = join(options.workDir, 'component', String(index), 'index.mjs');
    components.push({
      ...component,
      file,
      build: await buildFloor(options.repositoryRoot, component.contents, `bench-component-${index}.ts`, file),
    });
  }
  const componentSamples = new Map(components.map((component) => [component.file, [] as LoadSample[]]));
  const componentFloor: LoadSample[] = [];
  for (let i = 0; i < options.loads; i++) {
    for (const component of components)
      componentSamples.get(component.file)!.push(await loadOnce(component.file, PRODUCTION_NODE_FLAGS));
    componentFloor.push(await loadOnce(clientFloor.file, PRODUCTION_NODE_FLAGS));
  }
  for (const component of components) {
    const samples = componentSamples.get(component.file)!;
    const wall = median(samples.map((sample) => sample.wallMs));
    rows.push({
      ...rowOf('component', component.name, component.entry, component.build, { shares: [], samples: 0 }),
      loadMs: wall,
      loadCpuMs: median(samples.map((sample) => sample.cpuMs)),
      floorLoadMs: median(componentFloor.map((sample) => sample.wallMs)),
      floorLoadCpuMs: median(componentFloor.map((sample) => sample.cpuMs)),
      naiveBytes: component.build.bytes,
      naiveGzipBytes: component.build.gzipBytes,
      naiveLoadMs: wall,
    });
  }

  for (const [index, floor] of floors.entries()) {
    const samples = floorSamples.get(floor.file)!;
    if (samples.length === 0) continue;
    const profile = await loadProfile(floor.file, join(options.workDir, 'profiles', `floor-${index}`));
    const wall = median(samples.map((sample) => sample.wallMs));
    const markedFile = join(options.workDir, 'marked', `floor-${index}`, 'index.mjs');
    await buildFloor(options.repositoryRoot, floor.contents, `bench-floor-${index}.ts`, markedFile, [
      markModulesPlugin(options.repositoryRoot),
    ]);
    const moduleInit = floor === clientFloor ? await moduleInitProfile(markedFile, moduleProfileRuns(options.loads)) : undefined;
    rows.push({
      ...rowOf('floor', floor.name, floor.entry, floor.build, profile),
      loadMs: wall,
      loadCpuMs: median(samples.map((sample) => sample.cpuMs)),
      loadMsWithSourceMaps: median(floorWithMaps.get(floor.file)!),
      ...(floor === clientFloor
        ? {
            firstRequestMs: median(samples.map((sample) => sample.firstRequestMs)),
            secondRequestMs: median(samples.map((sample) => sample.secondRequestMs)),
            ...(clientFloorCompileMs.length > 0 ? { compileMs: median(clientFloorCompileMs) } : {}),
          }
        : {}),
      ...(moduleInit
        ? {
            moduleBodies: moduleInit.bodies,
            moduleBodiesTotalMs: moduleInit.totalMs,
            beforeModulesMs: moduleInit.beforeModulesMs,
          }
        : {}),
      // Floors have no naive build: they are the comparison themselves.
      naiveBytes: floor.build.bytes,
      naiveGzipBytes: floor.build.gzipBytes,
      naiveLoadMs: wall,
    });
  }
  return rows;
}
