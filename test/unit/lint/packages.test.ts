/**
 * package.json says what ships: `dependencies` are exactly the packages the Lambda functions
 * import at run time; CDK, the CLI, the local runtime and the test tools are devDependencies. The
 * AWS SDK and Smithy packages are pinned exactly and resolve to one SDK release, because the
 * Lambda build's aliases reach into their internals (`lib/lambda-function.ts`).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { LAMBDA_MODULE_ALIASES } from '#lib/lambda-function';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string }>;
};

function sourceFiles(folder: string): string[] {
  return readdirSync(join(ROOT, folder)).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(join(ROOT, path)).isDirectory()) return sourceFiles(path);
    return /\.(ts|cts|mts)$/.test(name) ? [path] : [];
  });
}

/** The npm packages a source imports at run time (type-only imports ship nothing). */
function runtimePackages(source: string): string[] {
  const specifiers = [
    ...source.matchAll(/^\s*(?:import|export)\s+(?!type\b)[^'";]*?\bfrom\s+'([^']+)'/gm),
    ...source.matchAll(/^\s*import\s+'([^']+)'/gm),
    ...source.matchAll(/\b(?:import|require)\(\s*'([^']+)'\s*\)/g),
  ].map((match) => match[1]!);
  return specifiers
    .filter((specifier) => !specifier.startsWith('.') && !specifier.startsWith('#') && !specifier.startsWith('node:'))
    .filter((specifier) => !builtinModules.includes(specifier))
    .map((specifier) =>
      specifier
        .split('/')
        .slice(0, specifier.startsWith('@') ? 2 : 1)
        .join('/'),
    );
}

const lambdaPackages = new Set(
  sourceFiles('functions').flatMap((file) => runtimePackages(readFileSync(join(ROOT, file), 'utf8'))),
);

describe('package.json', () => {
  it('lists every package the Lambda functions import at run time in dependencies', () => {
    expect([...lambdaPackages].filter((name) => !(name in pkg.dependencies)).sort()).toEqual([]);
  });

  it('lists in dependencies only what the Lambda functions import, or the SDK modules their build replaces', () => {
    // A replaced module stays a pinned dependency: the SDK clients require it, the build swaps it.
    const replaced = new Set(
      runtimePackages(
        Object.keys(LAMBDA_MODULE_ALIASES)
          .map((name) => `import '${name}';`)
          .join('\n'),
      ),
    );

    expect(Object.keys(pkg.dependencies).filter((name) => !lambdaPackages.has(name) && !replaced.has(name))).toEqual([]);
  });

  it('keeps CDK, the CLI and the test tools in devDependencies', () => {
    for (const tool of ['aws-cdk-lib', 'cdk-nag', 'constructs', 'commander', 'tsx', 'jest', 'esbuild']) {
      expect(pkg.devDependencies).toHaveProperty([tool]);
      expect(pkg.dependencies).not.toHaveProperty([tool]);
    }
  });

  it('pins every @aws-sdk and @smithy package to an exact version', () => {
    const sdk = Object.entries({ ...pkg.dependencies, ...pkg.devDependencies }).filter(([name]) =>
      /^@(aws-sdk|smithy)\//.test(name),
    );

    expect(sdk.length).toBeGreaterThan(0);
    expect(sdk.filter(([, range]) => !/^\d+\.\d+\.\d+$/.test(range))).toEqual([]);
  });

  it('resolves one release of the SDK core packages the build reaches into', () => {
    for (const name of ['@aws-sdk/core', '@smithy/core', '@aws-sdk/credential-provider-node']) {
      const versions = new Set(
        Object.entries(lock.packages)
          .filter(([path]) => path.endsWith(`node_modules/${name}`))
          .map(([, entry]) => entry.version),
      );
      expect([name, versions.size]).toEqual([name, 1]);
    }
  });
});
