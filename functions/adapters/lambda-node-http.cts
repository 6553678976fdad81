/**
 * `node:http` for Lambda bundles only (an esbuild alias in `lib/lambda-function.ts`), taken with
 * `process.getBuiltinModule` instead of an ESM `import`. Node builds the ESM view of a built-in by
 * reading every one of its exports, and `node:http`'s lazy `WebSocket`, `CloseEvent` and
 * `MessageEvent` getters then load Node's bundled undici: tens of milliseconds of every cold
 * start, for a module whose only importer here (`@middy/util`) reads `STATUS_CODES`. CommonJS on
 * purpose: importers get this very object, and nothing enumerates it.
 */
export = process.getBuiltinModule('node:http');
