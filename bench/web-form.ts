/**
 * Benchmark 6, the web form: JavaScript and CSS bytes (raw and gzipped) of the static build in
 * `web/dist` (source maps excluded: browsers fetch them only with developer tools open).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';

const run = promisify(execFile);

export interface WebAsset {
  file: string;
  kind: 'js' | 'css';
  bytes: number;
  gzipBytes: number;
}

export interface WebReport {
  /** Whether this run built the form (`npm run build:web`) or measured an existing build. */
  built: boolean;
  assets: WebAsset[];
  js: { bytes: number; gzipBytes: number };
  css: { bytes: number; gzipBytes: number };
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
}

/** Measures `web/dist`, building it first when `build` is set or when there is no build yet. */
export async function runWebBenchmark(repositoryRoot: string, build: boolean): Promise<WebReport> {
  const dist = join(repositoryRoot, 'web/dist');
  const mustBuild = build || !existsSync(join(dist, 'index.html'));
  if (mustBuild) {
    await run(
      process.execPath,
      [join(repositoryRoot, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'],
      {
        cwd: repositoryRoot,
      },
    );
  }
  const assets: WebAsset[] = [];
  for (const file of await filesUnder(dist)) {
    const kind = file.endsWith('.js') || file.endsWith('.mjs') ? 'js' : file.endsWith('.css') ? 'css' : undefined;
    if (!kind) continue;
    const content = await readFile(file);
    assets.push({ file: relative(dist, file), kind, bytes: content.length, gzipBytes: gzipSync(content, { level: 9 }).length });
  }
  const total = (kind: 'js' | 'css') =>
    assets
      .filter((asset) => asset.kind === kind)
      .reduce((sum, asset) => ({ bytes: sum.bytes + asset.bytes, gzipBytes: sum.gzipBytes + asset.gzipBytes }), {
        bytes: 0,
        gzipBytes: 0,
      });
  return { built: mustBuild, assets, js: total('js'), css: total('css') };
}
