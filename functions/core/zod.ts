/**
 * `zod/mini` with zod's English messages: the one zod that the domain model and the API's request
 * schemas import.
 *
 * Why mini: its schemas are plain functions over zod's shared core (`z.optional(x)` rather than
 * `x.optional()`), so a bundle carries only what it uses and building the schemas at a Lambda
 * function's cold start is cheaper than with classic zod's method-laden objects. Validation is
 * zod's core in both, so the same input gives the same issues at the same paths.
 *
 * Why the locale: classic zod registers its English messages when its first schema is built;
 * `zod/mini` registers none and words every issue "Invalid input". The API's error details and
 * the CLI's file problems show zod's messages ("Too small: expected string to have >=1
 * characters"), so they are registered here, once, before any schema that imports this module can
 * parse. The setting is zod's global configuration, shared with classic zod where both are loaded.
 */
import * as z from 'zod/mini';
import { en } from 'zod/locales';

// Only when nothing was registered yet, as classic zod does: an operator's own locale wins.
if (!z.config().localeError) z.config(en());

export * from 'zod/mini';

/**
 * Builds a module-level schema so that a bundle can leave it out. Written
 * `export const X = /* @__PURE__ *\/ z.defineSchema(() => z.object(...))`, the call tells esbuild
 * it has no side effects, so a Lambda bundle that never reads `X` drops it, and a cold start
 * builds only the schemas its function parses (building them is most of zod's cost at load).
 * Without it every schema of an imported module is built: zod's calls and `.check()` look like
 * side effects to a bundler. Used in modules shared by functions that each parse a few of their
 * schemas (`core/model.ts`, `contract/api-responses.ts`).
 */
export const defineSchema = <Schema>(build: () => Schema): Schema => build();

/** The builders of an object schema's fields, one function per field (see `objectOf`). */
export type FieldBuilders = Record<string, () => z.ZodMiniType>;

/**
 * An object schema from its fields' builders. A stored item's fields kept as builders, grouped by
 * who reads them, let a reader of one group (erasure's of the screening) be built from that group
 * alone, where `z.pick(Whole, …)` first needs the whole schema built, every field and every schema
 * they hold, at the cold start of each function that picks.
 */
export function objectOf<Fields extends FieldBuilders>(
  fields: Fields,
): z.ZodMiniObject<{ [Name in keyof Fields]: ReturnType<Fields[Name]> }> {
  return z.object(Object.fromEntries(Object.entries(fields).map(([name, build]) => [name, build()]))) as z.ZodMiniObject<{
    [Name in keyof Fields]: ReturnType<Fields[Name]>;
  }>;
}
