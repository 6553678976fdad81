import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const webRoot = fileURLToPath(new URL('.', import.meta.url));

/**
 * Builds the patient form and the study team's lead page as static files in `web/dist`. The production CSP is
 * `default-src 'self'; script-src 'self'; style-src 'self'`, so the build must not inline
 * scripts, styles or assets (no data: URLs), and it must not pull in anything third-party.
 */
export default defineConfig({
  root: webRoot,
  // Relative asset URLs: the same build works at the site root and under a path prefix.
  base: './',
  publicDir: 'public',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: true,
    target: 'es2022',
    reportCompressedSize: false,
    // Two pages, one app: the patient form, and the study team's lead page (served for every
    // `site/leads/<leadId>` path by CloudFront and the local server). Relative asset URLs keep
    // working from two folders down.
    rollupOptions: {
      input: { form: resolve(webRoot, 'index.html'), siteLead: resolve(webRoot, 'site/leads/index.html') },
    },
  },
});
