/**
 * Codemod: rewrites relative imports that leave their own folder (`../../functions/core/model`)
 * to the package's subpath imports (`#core/model`, see `imports` in package.json). Imports of a
 * sibling (`./model`) stay relative, and so does anything the `imports` map cannot name (a
 * `.tsx`, `.cts` or JSON file, the web form's own modules).
 *
 *   npx tsx scripts/subpath-imports.ts            # rewrite the tree
 *   npx tsx scripts/subpath-imports.ts --check    # list what would change, exit 1 if anything
 *
 * It is a one-off mass rewrite, run by the lead after the freeze (TEAM.md decision 8), not during
 * parallel work. Afterwards: `npm run typecheck && npm run lint`.
 */
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Folders whose sources are rewritten. */
const SOURCE_FOLDERS = ['bin', 'lib', 'functions', 'local', 'cli', 'test', 'bench', 'web/src', 'scripts'];

/** `#name/*` → folder, from package.json, most specific folder first. */
function subpathMap(): { alias: string; folder: string }[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { imports?: Record<string, string> };
  return Object.entries(pkg.imports ?? {})
    .filter(([alias, target]) => alias.endsWith('/*') && target.endsWith('/*.ts'))
    .map(([alias, target]) => ({ alias: alias.slice(0, -1), folder: target.replace(/^\.\//, '').slice(0, -'*.ts'.length) }))
    .sort((a, b) => b.folder.length - a.folder.length);
}

function sourceFiles(folder: string): string[] {
  const path = join(ROOT, folder);
  if (!existsSync(path)) return [];
  return readdirSync(path).flatMap((name) => {
    const child = join(folder, name);
    if (name === 'node_modules' || name === 'dist' || name === 'fixtures') return [];
    if (statSync(join(ROOT, child)).isDirectory()) return sourceFiles(child);
    return /\.(ts|tsx|mts)$/.test(name) && !name.endsWith('.d.ts') ? [child] : [];
  });
}

/** The subpath import for a relative specifier of `file`, or undefined to leave it as it is. */
export function subpathFor(file: string, specifier: string, map = subpathMap()): string | undefined {
  if (!specifier.startsWith('../')) return undefined;
  const target = relative(ROOT, resolve(ROOT, dirname(file), specifier))
    .split(sep)
    .join('/');
  // The map appends `.ts`: only an extensionless import of a `.ts` module can be named by it.
  if (/\.[a-z]+$/i.test(target) || !existsSync(join(ROOT, `${target}.ts`))) return undefined;
  const entry = map.find(({ folder }) => target.startsWith(folder));
  return entry ? `${entry.alias}${target.slice(entry.folder.length)}` : undefined;
}

/** Static imports and re-exports (`from '...'`), side-effect imports and dynamic `import('...')`. */
const SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.\.\/[^'"]+)\2/g;

export function rewrite(file: string, source: string, map = subpathMap()): string {
  return source.replace(SPECIFIER, (whole, lead: string, quote: string, specifier: string) => {
    const subpath = subpathFor(file, specifier, map);
    return subpath ? `${lead}${quote}${subpath}${quote}` : whole;
  });
}

function main(): void {
  const check = process.argv.includes('--check');
  const map = subpathMap();
  let changed = 0;
  for (const file of SOURCE_FOLDERS.flatMap(sourceFiles)) {
    const source = readFileSync(join(ROOT, file), 'utf8');
    const next = rewrite(file, source, map);
    if (next === source) continue;
    changed += 1;
    if (check) console.log(file);
    else writeFileSync(join(ROOT, file), next);
  }
  console.log(`${changed} file(s) ${check ? 'would change' : 'rewritten'}`);
  if (check && changed > 0) process.exitCode = 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
