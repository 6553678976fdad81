/**
 * A minified ESM bundle that installs `installSourceMappedStacks`, run in a fresh `node` process
 * without `--enable-source-maps` (as the functions run in Lambda): its stack traces name the
 * TypeScript source, line and function, and without the map beside it they stay as V8 gives them.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { build } from 'esbuild';

const run = promisify(execFile);
const INSTALLER = join(process.cwd(), 'functions/adapters/source-mapped-stacks.ts');
let dir: string;

/** Builds `entry` (TypeScript source) as a minified ESM bundle with its map; returns the bundle's path. */
async function bundle(name: string, entry: string): Promise<string> {
  const source = join(dir, `${name}.ts`);
  writeFileSync(source, entry);
  const outfile = join(dir, name, 'index.mjs');
  await build({
    entryPoints: [source],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    logLevel: 'silent',
  });
  return outfile;
}

/** The stack of the error the bundle's handler throws, formatted in a fresh process. */
async function stackOf(bundlePath: string, nodeFlags: string[] = []): Promise<string> {
  const script = `const { handler } = await import(${JSON.stringify(pathToFileURL(bundlePath).href)}); try { handler(); } catch (error) { process.stdout.write(error.stack); }`;
  const { stdout } = await run(process.execPath, [...nodeFlags, '--input-type=module', '-e', script], {
    env: { PATH: process.env.PATH },
  });
  return stdout;
}

const THROWING_ENTRY = `import { installSourceMappedStacks } from ${JSON.stringify(INSTALLER)};
installSourceMappedStacks(import.meta.url);

function refuseTheRequest(reason: string): never {
  throw new Error(reason);
}

export function handler(): void {
  refuseTheRequest('no table');
}
`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'trial-screener-stacks-'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('installSourceMappedStacks', () => {
  it('shows frames of the bundle at their TypeScript source, line and function name', async () => {
    const stack = await stackOf(await bundle('mapped', THROWING_ENTRY));

    expect(stack).toMatch(/^Error: no table\n/);
    expect(stack).toMatch(/at refuseTheRequest \(.*mapped\.ts:5:9\)/);
    expect(stack).toMatch(/at .*\(.*mapped\.ts:9:3\)/);
    expect(stack).not.toContain('index.mjs');
  });

  it('leaves stack traces as V8 gives them when no source map is beside the bundle', async () => {
    const bundlePath = await bundle('unmapped', THROWING_ENTRY);
    unlinkSync(`${bundlePath}.map`);

    expect(await stackOf(bundlePath)).toContain('index.mjs');
  });

  it("leaves stack traces to Node's own source maps when they are enabled", async () => {
    expect(await stackOf(await bundle('node-maps', THROWING_ENTRY), ['--enable-source-maps'])).toMatch(
      /at refuseTheRequest \(.*node-maps\.ts:5:9\)/,
    );
  });
});
