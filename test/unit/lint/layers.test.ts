/**
 * The layer rules of `npm run lint` (.dependency-cruiser.cjs) bite: each test lays out a small
 * project with the repository's real config and node_modules, adds one import, and runs
 * dependency-cruiser's command as `npm run lint` does.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from '@jest/globals';
import { FUNCTIONS, type FunctionSpec } from '#functions/function-manifest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const DEPCRUISE = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruiser.mjs');

interface Violation {
  rule: { name: string };
  from: string;
  to: string;
}

let project: string | undefined;

afterEach(() => {
  if (project) rmSync(project, { recursive: true, force: true });
  project = undefined;
});

/** A throwaway project holding `files` (path → source) beside the repository's config. */
function layOut(files: Record<string, string>): string {
  project = mkdtempSync(join(tmpdir(), 'layers-'));
  symlinkSync(join(ROOT, 'node_modules'), join(project, 'node_modules'), 'dir');
  copyFileSync(join(ROOT, 'tsconfig.json'), join(project, 'tsconfig.json'));
  copyFileSync(join(ROOT, 'package.json'), join(project, 'package.json'));
  for (const [path, source] of Object.entries(files)) {
    mkdirSync(dirname(join(project, path)), { recursive: true });
    writeFileSync(join(project, path), source);
  }
  return project;
}

function depcruise(cwd: string, outputType: 'json' | 'err', folders: string[]) {
  return spawnSync(
    process.execPath,
    [DEPCRUISE, '--config', join(ROOT, '.dependency-cruiser.cjs'), '--output-type', outputType, ...folders],
    {
      cwd,
      encoding: 'utf8',
    },
  );
}

/**
 * Runs the layer check over `folders` of `cwd`: the exit code of the command `npm run lint` runs
 * (the `err` reporter exits with the number of errors) and the violations the JSON reporter lists.
 */
function cruise(cwd: string, folders: string[]): { status: number | null; violations: Violation[] } {
  const report = JSON.parse(depcruise(cwd, 'json', folders).stdout) as { summary: { violations: Violation[] } };
  return { status: depcruise(cwd, 'err', folders).status, violations: report.summary.violations };
}

const ADAPTER = "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nexport const client = new DynamoDBClient({});\n";

describe('the layer rules', () => {
  it('fail when a core file imports @aws-sdk/client-dynamodb', () => {
    const cwd = layOut({
      'functions/core/screening.ts':
        "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';\nexport const c = DynamoDBClient;\n",
    });

    const { status, violations } = cruise(cwd, ['functions']);

    expect(status).not.toBe(0);
    expect(violations).toEqual([
      expect.objectContaining({ rule: expect.objectContaining({ name: 'core-is-pure' }), from: 'functions/core/screening.ts' }),
    ]);
    expect(violations[0]!.to).toMatch(/@aws-sdk\/client-dynamodb/);
  });

  it('fail when a core file imports an adapter, even for its types only', () => {
    const cwd = layOut({
      'functions/adapters/dynamo.ts': ADAPTER,
      'functions/core/screening.ts': "import type { client } from '../adapters/dynamo';\nexport type C = typeof client;\n",
    });

    const { status, violations } = cruise(cwd, ['functions']);

    expect(status).not.toBe(0);
    expect(violations.map((violation) => [violation.rule.name, violation.from, violation.to])).toEqual([
      ['core-is-pure', 'functions/core/screening.ts', 'functions/adapters/dynamo.ts'],
    ]);
  });

  it('fail when a core file imports a Node.js built-in', () => {
    const cwd = layOut({
      'functions/core/token.ts': "import { randomUUID } from 'node:crypto';\nexport const t = randomUUID;\n",
    });

    expect(cruise(cwd, ['functions']).violations.map((violation) => violation.rule.name)).toEqual(['core-is-pure']);
  });

  it("pass a core that imports only itself and zod through the core's entry point", () => {
    const cwd = layOut({
      'functions/core/zod.ts': "export * from 'zod/mini';\n",
      'functions/core/model.ts': "import * as z from './zod';\nexport const Id = z.string();\n",
      'functions/core/screening.ts':
        "import { Id } from './model';\nexport const parseId = (value: unknown) => Id.parse(value);\n",
    });

    expect(cruise(cwd, ['functions'])).toEqual({ status: 0, violations: [] });
  });

  it("fail when an adapter imports zod itself rather than through the core's entry point", () => {
    const cwd = layOut({ 'functions/adapters/config.ts': "import * as z from 'zod/mini';\nexport const Port = z.number();\n" });

    expect(cruise(cwd, ['functions']).violations.map((violation) => violation.rule.name)).toEqual(['one-zod-entry-point']);
  });

  it('fail when shipped code renders email with the full Handlebars package rather than its runtime', () => {
    const cwd = layOut({
      'functions/core/lead-email.ts':
        "import Handlebars from 'handlebars';\nexport const render = Handlebars.compile('{{x}}');\n",
    });

    expect(cruise(cwd, ['functions']).violations.map((violation) => violation.rule.name)).toEqual([
      'no-template-compiler-in-functions',
    ]);
  });

  it('pass email rendering with the Handlebars runtime alone', () => {
    const cwd = layOut({
      'functions/core/lead-email.ts':
        "import Handlebars from 'handlebars/runtime';\nexport const runtime = Handlebars.create();\n",
    });

    expect(cruise(cwd, ['functions'])).toEqual({ status: 0, violations: [] });
  });

  it('fail when a use case imports an adapter', () => {
    const cwd = layOut({
      'functions/adapters/dynamo.ts': ADAPTER,
      'functions/app/submit-screening.ts': "import { client } from '../adapters/dynamo';\nexport const c = client;\n",
    });

    expect(cruise(cwd, ['functions']).violations.map((violation) => violation.rule.name)).toEqual(['use-cases-import-only-core']);
  });

  it('fail when the web form imports an adapter', () => {
    const cwd = layOut({
      'functions/adapters/dynamo.ts': ADAPTER,
      'web/src/api.ts': "import { client } from '../../functions/adapters/dynamo';\nexport const c = client;\n",
    });

    expect(cruise(cwd, ['web/src']).violations.map((violation) => violation.rule.name)).toEqual([
      'web-imports-core-and-contract-only',
    ]);
  });

  it('fail when the function manifest imports anything', () => {
    const cwd = layOut({
      'functions/core/model.ts': 'export const NAME = 1;\n',
      'functions/function-manifest.ts': "import { NAME } from './core/model';\nexport const FUNCTIONS = [NAME];\n",
    });

    expect(cruise(cwd, ['functions']).violations.map((violation) => violation.rule.name)).toEqual([
      'leaf-modules-import-nothing',
    ]);
  });

  it('fail when an HTTP entry file imports domain code from the core', () => {
    const cwd = layOut({
      'functions/core/site-pauses.ts': 'export const indexPauses = (pauses: string[]) => new Set(pauses);\n',
      'functions/get-site-lead/index.ts':
        "import { indexPauses } from '../core/site-pauses';\nexport const handler = async () => indexPauses([]).size;\n",
    });

    expect(cruise(cwd, ['functions']).violations.map((violation) => violation.rule.name)).toEqual(['entry-files-are-wiring']);
  });

  it('fail when an entry file reads the table with the AWS SDK itself', () => {
    const cwd = layOut({
      'functions/remind-sites/index.ts':
        "import { GetCommand } from '@aws-sdk/lib-dynamodb';\nexport const handler = async () => new GetCommand({ TableName: 't', Key: {} });\n",
    });

    expect(cruise(cwd, ['functions']).violations.map((violation) => violation.rule.name)).toEqual(['entry-files-are-wiring']);
  });

  it('fail when an HTTP entry keeps its workflow in a second file of its folder', () => {
    const cwd = layOut({
      'functions/pause-site/workflow.ts': 'export const pause = async (leadId: string) => leadId;\n',
      'functions/pause-site/index.ts':
        "import { pause } from './workflow';\nexport const handler = async () => pause('lead-1');\n",
    });

    expect(cruise(cwd, ['functions']).violations.map((violation) => violation.rule.name)).toEqual(['http-entries-are-one-file']);
  });

  it('pass an HTTP entry that wires a use case, an adapter and the contract', () => {
    const cwd = layOut({
      'functions/core/ports.ts': 'export type Clock = () => Date;\n',
      'functions/app/pause-site.ts':
        "import type { Clock } from '../core/ports';\nexport const pauseSite = (clock: Clock) => async () => clock().toISOString();\n",
      'functions/adapters/http-handler.ts': 'export const ok = (body: unknown) => ({ statusCode: 200, body });\n',
      'functions/contract/api.ts': 'export const toResponse = (at: string) => ({ at });\n',
      'functions/pause-site/index.ts': [
        "import { pauseSite } from '../app/pause-site';",
        "import { ok } from '../adapters/http-handler';",
        "import { toResponse } from '../contract/api';",
        'const pause = pauseSite(() => new Date());',
        'export const handler = async () => ok(toResponse(await pause()));',
        '',
      ].join('\n'),
    });

    expect(cruise(cwd, ['functions'])).toEqual({ status: 0, violations: [] });
  });

  it('name every HTTP entry of the function manifest as one-file wiring, and no other entry', () => {
    const config = createRequire(import.meta.url)(join(ROOT, '.dependency-cruiser.cjs')) as {
      forbidden: { name: string; from: { path: string } }[];
    };
    const rule = config.forbidden.find((candidate) => candidate.name === 'http-entries-are-one-file')!;
    const pattern = new RegExp(rule.from.path);

    for (const spec of FUNCTIONS as readonly FunctionSpec[]) {
      expect([spec.entry, pattern.test(spec.entry)]).toEqual([spec.entry, spec.trigger.kind === 'http']);
    }
  });

  it('hold for the repository itself', () => {
    expect(cruise(ROOT, ['functions', 'lib', 'bin', 'local', 'web/src', 'cli'])).toEqual({ status: 0, violations: [] });
  });
});
