/**
 * The Handlebars compiler for the email templates, which only build and test code loads: the
 * shipped templates are precompiled by `npm run templates` (`scripts/email-templates.ts`) into
 * `functions/adapters/email-templates.generated.ts`, so a Lambda bundle carries only the
 * Handlebars runtime (`lead-email.ts`). Both paths take their options from `PART_OPTIONS`, so a
 * template compiled here renders exactly as its precompiled form.
 */
import Handlebars from 'handlebars';
import type { CompiledEmailTemplate, EmailTemplateSource } from './lead-email';

type EmailTemplatePart = keyof EmailTemplateSource;

/**
 * Text and subject are not HTML-escaped; the HTML part escapes every `{{value}}` (Handlebars'
 * default), so patient input can never become markup.
 */
const PART_OPTIONS: Readonly<Record<EmailTemplatePart, CompileOptions>> = {
  subject: { noEscape: true },
  text: { noEscape: true },
  html: {},
};

/** The subject is one line: surrounding whitespace (the file's final newline) is not part of it. */
function partSource(source: EmailTemplateSource, part: EmailTemplatePart): string {
  return part === 'subject' ? source.subject.trim() : source[part];
}

/** Compiles one template with the full compiler (tests, and templates given as text). */
export function compileEmailTemplate(source: EmailTemplateSource): CompiledEmailTemplate {
  const handlebars = Handlebars.create();
  const compile = (part: EmailTemplatePart) => handlebars.compile(partSource(source, part), PART_OPTIONS[part]);
  return { subject: compile('subject'), text: compile('text'), html: compile('html') };
}

/**
 * Precompiles one template: each part as the JavaScript source of its template specification
 * (`Handlebars.precompile`), which `emailTemplateFromPrecompiled` turns into render functions.
 */
export function precompileEmailTemplate(source: EmailTemplateSource): Record<EmailTemplatePart, string> {
  const precompile = (part: EmailTemplatePart) => String(Handlebars.precompile(partSource(source, part), PART_OPTIONS[part]));
  return { subject: precompile('subject'), text: precompile('text'), html: precompile('html') };
}
