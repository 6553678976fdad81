/**
 * Builds the TrialScreener stack the way `npx cdk synth` does (the context defaults of cdk.json),
 * with a tiny stand-in for the built web app so tests do not depend on `npm run build:web`.
 * Bundling the functions is real (local esbuild), so each test file synthesizes once.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type Environment } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { loadStackConfig } from '../../lib/stack-config';
import { PROJECT_ROOT } from '../../lib/lambda-function';
import { TrialScreenerStack } from '../../lib/trial-screener-stack';

export interface SynthesizedStack {
  readonly app: App;
  readonly stack: TrialScreenerStack;
  readonly template: Template;
  /** The cloud assembly directory (bundled function code lives here). */
  readonly outdir: string;
  /** Removes the temporary folders. */
  readonly cleanUp: () => void;
}

/** The `context` block of cdk.json: the defaults operators start from. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  return cdkJson.context;
}

/** A folder that looks like a built web app (only `index.html`). */
export function fakeWebBuild(): string {
  const folder = mkdtempSync(join(tmpdir(), 'trial-screener-web-'));
  writeFileSync(join(folder, 'index.html'), '<!doctype html><title>trial-screener</title>');
  mkdirSync(join(folder, 'assets'));
  writeFileSync(join(folder, 'assets', 'app-1234.js'), 'console.log("form");');
  return folder;
}

export function synthesizeStack(options: { context?: Record<string, unknown>; env?: Environment } = {}): SynthesizedStack {
  const outdir = mkdtempSync(join(tmpdir(), 'trial-screener-cdk-'));
  const webAssetsPath = fakeWebBuild();
  // The CLI enables asset metadata; tests read it to find each function's bundle.
  const app = new App({ outdir, context: { ...cdkJsonContext(), 'aws:cdk:enable-asset-metadata': true, ...options.context } });
  const stack = new TrialScreenerStack(app, 'TrialScreener', {
    config: loadStackConfig(app.node),
    webAssetsPath,
    ...(options.env ? { env: options.env } : {}),
  });
  const template = Template.fromStack(stack);
  return {
    app,
    stack,
    template,
    outdir,
    cleanUp: () => {
      rmSync(outdir, { recursive: true, force: true });
      rmSync(webAssetsPath, { recursive: true, force: true });
    },
  };
}
