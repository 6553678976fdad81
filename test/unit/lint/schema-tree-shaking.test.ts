/**
 * The shared schema modules (`core/model.ts`, the contract, `core/email-events.ts`) wrap every schema in
 * `/* @__PURE__ *\/ z.defineSchema(...)` so that a Lambda bundle builds, at its cold start, only
 * the schemas its function parses. These bundle small entries the way `lib/lambda-function.ts`
 * does (esbuild, ESM, minified) and look for text only one schema carries. A schema written
 * without the wrapper is built by every bundle that imports its module, and fails here.
 */
import { describe, expect, it } from '@jest/globals';
import { minifiedBundle } from '#test/setup/minified-bundle';

/** Text that only one schema's definition carries. */
const TRIAL_SCHEMA = 'ctgov-classic-xml';
const QUESTION_SCHEMA = 'is reserved for the "Not sure" answer';
const TRIAL_RESULT_BODY = 'possibly_eligible';
const ANY_OBJECT_SCHEMA = 'ZodMiniObject';
/** The item kind the pause reader names in a refusal (`SitePauseRepository.list`). */
const PAUSE_READER = 'Site pause';
/** The claim's update, which only the delivery lifecycle (`OutboxRepository`) makes. */
const DELIVERY_LIFECYCLE_SCHEMA = 'if_not_exists(attempts';
/** A value of the stored screening's outcome, which only the whole screening's reader checks. */
const SCREENING_CONTENT_SCHEMA = 'no_matches';
/** The lead page's view record, written only by `SiteLeadRepository` (beside the lead page's reader). */
const LEAD_PAGE_SCHEMA = 'lastViewedBy';
/** A field of the lead's stored consent (the outbox's message readers), also in the screener's and the request's schemas. */
const LEAD_CONTENT_SCHEMA = 'shareWithSites';

const bundleOf = (source: string) => minifiedBundle({ source });

describe('schemas a bundle does not parse are not in it', () => {
  it('a bundle that reads screeners builds no trial schema', async () => {
    const code = await bundleOf("import { Screener } from '#core/model';\nexport const schema = Screener;\n");

    expect(code).toContain(QUESTION_SCHEMA);
    expect(code).not.toContain(TRIAL_SCHEMA);
  });

  it('a bundle that lists screeners builds no question or trial schema', async () => {
    const code = await bundleOf("import { ScreenerSummary } from '#core/model';\nexport const schema = ScreenerSummary;\n");

    expect(code).toContain(ANY_OBJECT_SCHEMA);
    expect(code).not.toContain(QUESTION_SCHEMA);
    expect(code).not.toContain(TRIAL_SCHEMA);
  });

  it('the list-screeners function builds no question schema (it reads summaries by projection)', async () => {
    const code = await bundleOf("export { handler } from './functions/list-screeners/index';\n");

    expect(code).toContain(ANY_OBJECT_SCHEMA);
    expect(code).not.toContain(QUESTION_SCHEMA);
  });

  it('the sync-registry function builds no outbox message reader (it lists and holds leads by the status index)', async () => {
    const code = await bundleOf("export { handler } from './functions/sync-registry/index';\n");

    expect(code).toContain(TRIAL_SCHEMA);
    expect(code).not.toContain(LEAD_CONTENT_SCHEMA);
  });

  it.each(['get-site-lead', 'record-site-outcome', 'pause-site'])(
    'the %s function builds the lead page reader, not the lead email reader',
    async (functionName) => {
      const code = await bundleOf(`export { handler } from './functions/${functionName}/index';\n`);

      expect(code).toContain('siteLinks');
      expect(code).not.toContain(LEAD_CONTENT_SCHEMA);
    },
  );

  it('the remind-sites function builds no lead page reader (it only adds links and claims reminders)', async () => {
    const code = await bundleOf("export { handler } from './functions/remind-sites/index';\n");

    expect(code).toContain(LEAD_CONTENT_SCHEMA);
    expect(code).not.toContain(LEAD_PAGE_SCHEMA);
  });

  it("the erase-screening function builds only the screening's access fields, none of its content", async () => {
    const code = await bundleOf("export { handler } from './functions/erase-screening/index';\n");

    expect(code).toContain('idempotencyKeyHash');
    expect(code).not.toContain(SCREENING_CONTENT_SCHEMA);
  });

  it("the erase-screening function builds only the referral record's message ids, not the whole record", async () => {
    const code = await bundleOf("export { handler } from './functions/erase-screening/index';\n");

    expect(code).toContain('confirmationId');
    expect(code).not.toContain('referralId');
  });

  it.each(['sync-registry', 'remind-sites'])(
    'the %s function carries none of the delivery lifecycle (claims, the due index)',
    async (functionName) => {
      const code = await bundleOf(`export { handler } from './functions/${functionName}/index';\n`);

      expect(code).not.toContain(DELIVERY_LIFECYCLE_SCHEMA);
    },
  );

  it.each(['pause-site', 'record-email-events'])(
    'the %s function only pauses, and builds no pause reader',
    async (functionName) => {
      const code = await bundleOf(`export { handler } from './functions/${functionName}/index';\n`);

      expect(code).toContain('SITE_PAUSE');
      expect(code).not.toContain(PAUSE_READER);
    },
  );

  it('a bundle that reads trials builds no screener schema', async () => {
    const code = await bundleOf("import { Trial } from '#core/model';\nexport const schema = Trial;\n");

    expect(code).toContain(TRIAL_SCHEMA);
    expect(code).not.toContain(QUESTION_SCHEMA);
  });

  it('a bundle that reads a stored urgent-care answer builds none of the other response bodies', async () => {
    const code = await bundleOf(
      "import { UrgentCare } from '#functions/contract/api-responses';\nexport const schema = UrgentCare;\n",
    );

    expect(code).toContain(ANY_OBJECT_SCHEMA);
    expect(code).not.toContain(TRIAL_RESULT_BODY);
    expect(code).not.toContain(QUESTION_SCHEMA);
    expect(code).not.toContain(TRIAL_SCHEMA);
  });

  it('a bundle that tags the emails it sends builds no SES event schema', async () => {
    const code = await bundleOf("import { emailTagsFor } from '#core/email-events';\nexport const tags = emailTagsFor;\n");

    expect(code).toContain('outbox-kind');
    expect(code).not.toContain('complaintFeedbackType');
  });

  it("a bundle that uses only the model's and the contract's constants builds no schema at all", async () => {
    const code = await bundleOf(
      "import { NOT_SURE_TYPES } from '#core/model';\nimport { CREATE_REFERRAL_ISSUE_CODES } from '#functions/contract/api';\n" +
        'export const used = [NOT_SURE_TYPES, CREATE_REFERRAL_ISSUE_CODES];\n',
    );

    expect(code).toContain('CONSENT_REQUIRED');
    expect(code).not.toContain(ANY_OBJECT_SCHEMA);
  });
});
