import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const webRoot = fileURLToPath(new URL('.', import.meta.url));

/**
 * Builds the patient form as static files in `web/dist`. The production CSP is
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
  },
});
