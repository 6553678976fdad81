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
import { loadStackConfig } from '#lib/stack-config';
import { PROJECT_ROOT } from '#lib/lambda-function';
import { TrialScreenerStack, stackIdOf } from '#lib/trial-screener-stack';

export interface SynthesizedStack {
  readonly app: App;
  readonly stack: TrialScreenerStack;
  readonly template: Template;
  /** The cloud assembly directory (bundled function code lives here). */
  readonly outdir: string;
  /** Removes the temporary folders. */
  readonly cleanUp: () => void;
}

/** The sender the tests deploy with (cdk.json ships none: an operator must choose one). */
export const TEST_SENDER = 'leads@trial-screener.test';

/** The `context` block of cdk.json: the defaults operators start from. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> };
  return cdkJson.context;
}

/** A construct node that reads `context` (for the configuration of one of several stages). */
function contextNode(context: Record<string, unknown>) {
  return new App({ context }).node;
}

/** A folder that looks like a built web app (only `index.html`). */
export function fakeWebBuild(): string {
  const folder = mkdtempSync(join(tmpdir(), 'trial-screener-web-'));
  writeFileSync(join(folder, 'index.html'), '<!doctype html><title>trial-screener</title>');
  mkdirSync(join(folder, 'assets'));
  writeFileSync(join(folder, 'assets', 'app-1234.js'), 'console.log("form");');
  return folder;
}

export interface SynthesizeOptions {
  readonly context?: Record<string, unknown>;
  readonly env?: Environment;
  /**
   * Bundle the functions with esbuild (default). Tests that read only the template's resources and
   * names skip it: the stack is the same, each function's code asset is a placeholder.
   */
  readonly bundle?: boolean;
  /** Synthesize into this app (several stages side by side) instead of a new one. */
  readonly app?: App;
}

export function synthesizeStack(options: SynthesizeOptions = {}): SynthesizedStack {
  const outdir = mkdtempSync(join(tmpdir(), 'trial-screener-cdk-'));
  const webAssetsPath = fakeWebBuild();
  // The CLI enables asset metadata; tests read it to find each function's bundle.
  const context = {
    ...cdkJsonContext(),
    senderEmail: TEST_SENDER,
    'aws:cdk:enable-asset-metadata': true,
    ...(options.bundle === false ? { 'aws:cdk:bundling-stacks': [] } : {}),
    ...options.context,
  };
  const app = options.app ?? new App({ outdir, context });
  // A shared app holds the context of its first stage; each stage reads its own values.
  const config = loadStackConfig(options.app ? contextNode(context) : app.node);
  const stack = new TrialScreenerStack(app, stackIdOf(config.stage), {
    config,
    webAssetsPath,
    ...(options.env ? { env: options.env } : {}),
  });
  // Built on first use, so several stages can be added to one app before it synthesizes.
  let template: Template | undefined;
  return {
    app,
    stack,
    get template() {
      template ??= Template.fromStack(stack);
      return template;
    },
    outdir,
    cleanUp: () => {
      rmSync(outdir, { recursive: true, force: true });
      rmSync(webAssetsPath, { recursive: true, force: true });
    },
  };
}
