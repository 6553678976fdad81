/**
 * A minified ESM bundle in memory, built as `lib/lambda-function.ts` builds a function's (esbuild,
 * Node 24, `module` before `main`, the Lambda module aliases), for tests that look at what a bundle
 * carries: the source text an entry's module is, or a function's entry file.
 */
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { LAMBDA_MODULE_ALIASES } from '#lib/lambda-function';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The bundle of `entry`: `{ source }` as an entry module's text (resolved from the repository root), or `{ file }`. */
export async function minifiedBundle(entry: { source: string } | { file: string }): Promise<string> {
  const result = await build({
    ...('source' in entry
      ? { stdin: { contents: entry.source, resolveDir: root, sourcefile: 'entry.ts', loader: 'ts' as const } }
      : { entryPoints: [entry.file] }),
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    minify: true,
    mainFields: ['module', 'main'],
    alias: { ...LAMBDA_MODULE_ALIASES },
    write: false,
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}
