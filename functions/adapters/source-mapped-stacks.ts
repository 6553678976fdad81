/**
 * Stack traces that point at the TypeScript sources, at no cost to a cold start.
 *
 * Node's `--enable-source-maps` reads and parses a bundle's source map, and measures every line of
 * the bundle, when the bundle is *loaded*: 7 to 14 ms of CPU at each cold start of these functions
 * (bench/RESULTS.md), spent for stack traces that most invocations never format. Instead the
 * bundle installs `Error.prepareStackTrace`, which V8 calls only when an error's `stack` is first
 * read: the source map beside the bundle is read then, once per process, with `node:module`'s own
 * `SourceMap`, and frames in the bundle are shown at their original file, line and name.
 *
 * Installed only when running as a bundle with its map beside it (`index.mjs.map`): under `tsx`
 * and jest, Node's own source-map support (which a user-defined `Error.prepareStackTrace` would
 * replace) keeps working.
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

type CallSite = NodeJS.CallSite;

/**
 * Installs lazily source-mapped stack traces for the bundle at `bundleUrl` (the bundle's
 * `import.meta.url`), if its source map is beside it. Returns whether it did.
 */
export function installSourceMappedStacks(bundleUrl: string): boolean {
  if (!bundleUrl.startsWith('file:') || !bundleUrl.endsWith('.mjs')) return false;
  const bundlePath = fileURLToPath(bundleUrl);
  const mapPath = `${bundlePath}.map`;
  // Node's own support is on (the flag was given after all): leave stack traces to it.
  if (process.sourceMapsEnabled || !existsSync(mapPath)) return false;

  let sourceMap: SourceMap | null | undefined;
  const loadSourceMap = (): SourceMap | null => {
    if (sourceMap === undefined) {
      try {
        sourceMap = new SourceMap(JSON.parse(readFileSync(mapPath, 'utf8')));
      } catch {
        sourceMap = null;
      }
    }
    return sourceMap;
  };
  const isBundle = (file: string | null | undefined) => file === bundleUrl || file === bundlePath;

  Error.prepareStackTrace = (error: Error, callSites: CallSite[]) => {
    const header = errorHeader(error);
    const map = callSites.some((site) => isBundle(site.getFileName())) ? loadSourceMap() : null;
    const frames = callSites.map(
      (site, index) =>
        `\n    at ${map && isBundle(site.getFileName()) ? mappedFrame(site, callSites[index + 1], map) : String(site)}`,
    );
    return header + frames.join('');
  };
  return true;
}

function errorHeader(error: Error): string {
  try {
    return Error.prototype.toString.call(error);
  } catch {
    return 'Error';
  }
}

/** One frame of the bundle as Node's `--enable-source-maps` shows it: original name, file, line, column. */
function mappedFrame(site: CallSite, caller: CallSite | undefined, map: SourceMap): string {
  const line = site.getLineNumber();
  const column = site.getColumnNumber();
  if (line === null || column === null) return String(site);
  const entry = map.findEntry(line - 1, column - 1) as {
    originalSource?: string;
    originalLine?: number;
    originalColumn?: number;
  };
  if (entry.originalSource === undefined || entry.originalLine === undefined || entry.originalColumn === undefined)
    return String(site);
  const location = `${sourcePath(entry.originalSource)}:${entry.originalLine + 1}:${entry.originalColumn + 1}`;
  const name = originalName(site, caller, map) ?? site.getFunctionName();
  const prefix = `${site.isAsync() ? 'async ' : ''}${site.isConstructor() ? 'new ' : ''}`;
  return name ? `${prefix}${name} (${location})` : `${prefix}${location}`;
}

/**
 * The function's name in the sources, found as Node finds it: the source map's name at the start
 * of the enclosing function, else at the call to it in the caller's frame (when the caller is in
 * the bundle too).
 */
function originalName(site: CallSite, caller: CallSite | undefined, map: SourceMap): string | undefined {
  const line = site.getEnclosingLineNumber();
  const column = site.getEnclosingColumnNumber();
  if (line !== null && line !== undefined && column !== null && column !== undefined) {
    const { name } = map.findEntry(line - 1, column - 1) as { name?: string };
    if (name) return name;
  }
  if (caller === undefined || caller.getFileName() !== site.getFileName()) return undefined;
  const callerLine = caller.getLineNumber();
  const callerColumn = caller.getColumnNumber();
  if (callerLine === null || callerColumn === null) return undefined;
  return (map.findEntry(callerLine - 1, callerColumn - 1) as { name?: string }).name;
}

/** Sources are recorded relative to the bundle (`../../functions/core/x.ts`): shown as written, without the climb. */
function sourcePath(source: string): string {
  if (source.startsWith('file:')) return fileURLToPath(source);
  return source.replace(/^(\.\.\/)+/, '');
}
