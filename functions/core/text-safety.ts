/**
 * Text that may reach an email: refused at the API unless it is well-formed Unicode with no
 * control, bidirectional-override or line-separator characters. Everything the API accepts must
 * be deliverable later: a lone UTF-16 surrogate passes JSON parsing but makes the SES client throw
 * `URIError` at send time (the lead would be lost), and bidi overrides (U+202A-U+202E,
 * U+2066-U+2069, the "Trojan Source" characters) can make a name or address read differently to a
 * coordinator than it is. Joiners (U+200C/U+200D) stay allowed: Persian, Indic scripts and emoji
 * need them.
 */

// Cc: C0 and C1 controls (line breaks and tabs included: no field that reaches an email has them).
// Zl/Zp: U+2028 and U+2029, which some clients render as line breaks.
const UNSAFE_CHARACTERS = /[\p{Cc}\p{Zl}\p{Zp}\u202A-\u202E\u2066-\u2069\uFEFF]/u;

/** The message of every refusal of such text (it names no character: the value is not echoed). */
export const UNSAFE_TEXT_MESSAGE = 'Use ordinary letters, digits and punctuation (no control or text-direction characters).';

/** Whether `text` is well-formed Unicode without control, bidi-override or separator characters. */
export function isSafeText(text: string): boolean {
  return text.isWellFormed() && !UNSAFE_CHARACTERS.test(text);
}
