/**
 * The layer table of the house style (STYLE.md, "Who may import whom"), enforced by
 * `npm run lint`. A rule here is the table's row; change the table and this file together, and
 * say why in the README's design decisions. `test/unit/lint/layers.test.ts` proves the rules bite.
 *
 * Paths are relative to the repository root. npm packages resolve into `node_modules/`; Node's
 * built-in modules (`node:fs`, `fs`) have no path under the root, so a `pathNot` list that does
 * not name them forbids them too.
 */

/** What the pure core may import besides itself: small pure libraries, no I/O. */
const PURE_LIBRARIES = '(^|/)node_modules/(zod|json-logic-engine|handlebars)/';
/** Clinical reference data the core bundles as it is (no I/O): each country's emergency numbers, with sources. */
const CORE_DATA = '^data/care-numbers[.]json$';
/** Modules that must import nothing at all, so CDK, the local runtime and the web can load them cheaply. */
const LEAF_MODULES = '^functions/(function-manifest[.]ts|table-schema[.]ts|contract/http[.]ts)$';
/** A Lambda entry folder: anything under `functions/` that is not a layer. */
const ENTRY = '^functions/(?!core/|app/|adapters/|contract/)([^/]+)/';
/**
 * The Lambda entries API routes invoke (`kind: 'http'` in functions/function-manifest.ts, which
 * this CommonJS file cannot import): `test/unit/lint/layers.test.ts` checks the list against it.
 */
const HTTP_ENTRY_NAMES = [
  'get-openapi',
  'list-screeners',
  'get-screener',
  'submit-screening',
  'create-referral',
  'get-screening',
  'erase-screening',
  'get-site-lead',
  'record-site-outcome',
  'pause-site',
];
const HTTP_ENTRY = `^functions/(${HTTP_ENTRY_NAMES.join('|')})/`;

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'core-is-pure',
      comment:
        'functions/core/ is the domain: it imports only itself, small pure libraries (zod, json-logic-engine, handlebars) and the clinical data file data/care-numbers.json; never an adapter, the AWS SDK, node:* or a Lambda entry.',
      severity: 'error',
      from: { path: '^functions/core/' },
      to: { pathNot: ['^functions/core/', PURE_LIBRARIES, CORE_DATA] },
    },
    {
      name: 'use-cases-import-only-core',
      comment:
        'A use case (functions/app/) is orchestration over the ports the core declares: it imports the core and nothing else.',
      severity: 'error',
      from: { path: '^functions/app/' },
      to: { pathNot: ['^functions/(core|app)/'] },
    },
    {
      name: 'leaf-modules-import-nothing',
      comment: 'The function manifest, the table schema and the HTTP contract import nothing (CDK, local and web load them).',
      severity: 'error',
      from: { path: LEAF_MODULES },
      to: {},
    },
    {
      name: 'adapters-serve-the-entries',
      comment: 'Adapters implement ports: they may use the core and the leaf modules, never a use case or a Lambda entry.',
      severity: 'error',
      from: { path: '^functions/adapters/' },
      to: { path: ['^functions/app/', ENTRY] },
    },
    {
      name: 'contract-schemas-over-core',
      comment:
        'The API schemas (functions/contract/) are built from the core model, zod and the function manifest (routes, for OpenAPI); never from an adapter or a use case.',
      severity: 'error',
      from: { path: '^functions/contract/' },
      to: { pathNot: ['^functions/(core|contract)/', '^functions/function-manifest[.]ts$', PURE_LIBRARIES] },
    },
    {
      name: 'entries-are-independent',
      comment: 'A Lambda entry is wiring; one entry never imports another (shared code belongs in a layer).',
      severity: 'error',
      from: { path: ENTRY },
      to: { path: ENTRY, pathNot: '^functions/$1/' },
    },
    {
      name: 'entry-files-are-wiring',
      comment:
        "A Lambda entry file (functions/<entry>/index.ts) is wiring: it imports use cases (functions/app/), adapters (their factories and the HTTP handler stack), the contract and its own folder; never the core's domain code, the AWS SDK or any other library directly. Workflow is a use case; I/O is an adapter.",
      severity: 'error',
      from: { path: `${ENTRY}index[.]ts$` },
      to: { pathNot: ['^functions/(app|adapters|contract)/', '^functions/$1/', '^docs/openapi[.]json$'] },
    },
    {
      name: 'http-entries-are-one-file',
      comment:
        'An HTTP entry is its index.ts alone (parse, call the use case, map the result): a second module in its folder would be workflow outside the use cases.',
      severity: 'error',
      from: { path: HTTP_ENTRY },
      to: { path: '^functions/$1/' },
    },
    {
      name: 'web-imports-core-and-contract-only',
      comment:
        "The patient form imports its own code, preact, the core's pure rule evaluation and the HTTP contract (and the API schemas' types); never an adapter or the AWS SDK.",
      severity: 'error',
      from: { path: '^web/src/' },
      to: {
        pathNot: ['^web/src/', '^functions/core/', '^functions/contract/', '(^|/)node_modules/preact/'],
      },
    },
    {
      name: 'cdk-reads-manifest-and-contract',
      comment: 'CDK constructs read the function manifest, the table schema and the HTTP contract; never function code.',
      severity: 'error',
      from: { path: '^(lib|bin)/' },
      to: { path: '^functions/', pathNot: LEAF_MODULES },
    },
    {
      name: 'one-zod-entry-point',
      comment:
        "Shipped code imports zod only through functions/core/zod.ts (zod/mini with zod's English messages), so no bundle carries classic zod or an unconfigured zod. CDK (lib/) is not bundled and keeps classic zod.",
      severity: 'error',
      from: { path: '^(functions|local|cli|web/src)/', pathNot: '^functions/core/zod[.]ts$' },
      to: { path: '(^|/)node_modules/zod/' },
    },
    {
      name: 'no-template-compiler-in-functions',
      comment:
        'The email templates are precompiled (npm run templates): functions/ renders them with handlebars/runtime, so no bundle carries the Handlebars compiler and parser. Only functions/core/email-template-compiler.ts (for the generator script and tests) loads the full package.',
      severity: 'error',
      from: { path: '^functions/', pathNot: '^functions/core/email-template-compiler[.]ts$' },
      to: { path: ['(^|/)node_modules/handlebars/lib/', '^functions/core/email-template-compiler[.]ts$'] },
    },
    {
      name: 'nothing-imports-tests-or-tools',
      comment: 'Shipped code (functions, lib, local, web, cli) never imports tests or benchmarks.',
      severity: 'error',
      from: { path: '^(functions|lib|bin|local|web|cli)/' },
      to: { path: '^(test|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|cdk[.]out|[.]tools|web/dist|[.]local)/' },
    // TypeScript 7 has no JS API yet, so dependency-cruiser parses TypeScript with swc (already here for
    // jest); swc reports type-only imports too, so a type import across a layer is caught as well.
    parser: 'swc',
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.cts', '.mts', '.js', '.mjs', '.cjs', '.d.ts'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
