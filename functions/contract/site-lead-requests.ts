/** The request schemas of the site's lead routes (path, outcome, pause), written once. */
import { NOT_ELIGIBLE_REASONS, SITE_OUTCOMES } from '#core/site-leads';
import * as z from '#core/zod';

/** Lead ids are UUIDs; any id shape is accepted so an unknown id gets the same 403 as a bad link. */
export const SiteLeadPath = /* @__PURE__ */ z.defineSchema(() =>
  z.object({ leadId: z.string().check(z.minLength(1), z.maxLength(100)) }),
);

const ShortText = /* @__PURE__ */ z.defineSchema(() =>
  z.string().check(z.trim(), z.maxLength(500), z.regex(/^[^\p{Cc}]*$/u, 'A note is one line of text without control characters')),
);

/** `{outcome, reason?, note?}`: a reason (from the list) only with "not eligible", a note when the reason is "other". */
export const RecordOutcomeRequest = /* @__PURE__ */ z.defineSchema(() =>
  z
    .object({
      outcome: z.enum(SITE_OUTCOMES),
      reason: z.optional(z.enum(NOT_ELIGIBLE_REASONS)),
      note: z.optional(ShortText),
    })
    .check(
      z.refine((body) => body.outcome !== 'not_eligible' || body.reason !== undefined, {
        path: ['reason'],
        error: 'Say why the patient is not eligible',
      }),
      z.refine((body) => body.outcome === 'not_eligible' || body.reason === undefined, {
        path: ['reason'],
        error: 'A reason goes only with "not eligible"',
      }),
      z.refine((body) => body.reason !== 'other' || (body.note ?? '').length > 0, {
        path: ['note'],
        error: 'Say in a few words why the patient is not eligible',
      }),
    ),
);

/** `{reason?}`: why the site takes no more leads, in its own words (for the operator). */
export const PauseSiteRequest = /* @__PURE__ */ z.defineSchema(() => z.object({ reason: z.optional(ShortText) }));
