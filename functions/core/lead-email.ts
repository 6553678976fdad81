/**
 * Rendering of the two outbound emails: the site lead (to a trial site's coordinator) and the
 * patient confirmation. Templates are operator-editable Handlebars files (`templates/email/`),
 * precompiled by `npm run templates` (`email-template-compiler.ts`); this module fills them with
 * the Handlebars runtime alone (no compiler at cold start) and refuses anything that could turn
 * patient input into markup or a mail header. It does no I/O: the adapter sends the result.
 */
import Handlebars from 'handlebars/runtime';
import { erasureLinkUrl } from './erasure-link';
import { type SiteEmailMode, trialRegistryUrl } from './site-leads';

/** The three parts of one email template, as source text. */
export interface EmailTemplateSource {
  /** One line; rendered without HTML escaping and refused if it ends up containing CR or LF. */
  subject: string;
  text: string;
  html: string;
}

/** The three parts of one email template, precompiled (`Handlebars.precompile` specifications). */
export interface PrecompiledEmailTemplate {
  subject: TemplateSpecification;
  text: TemplateSpecification;
  html: TemplateSpecification;
}

/** A template made ready once per cold start and reused for every email. */
export interface CompiledEmailTemplate {
  readonly subject: (data: object) => string;
  readonly text: (data: object) => string;
  readonly html: (data: object) => string;
}

/** The operator-editable templates of both emails. */
export interface EmailTemplates {
  /** The full site email (`full` mode): the patient's contact and answers in the email. */
  siteLead: CompiledEmailTemplate;
  /** The minimal site email (the default): trial, site, lead id and the lead page link only. */
  siteLeadMinimal: CompiledEmailTemplate;
  /** The one reminder to a site that has recorded no outcome (no patient data either). */
  siteLeadReminder: CompiledEmailTemplate;
  patientConfirmation: CompiledEmailTemplate;
}

/** A fully rendered email, ready for SES `SendEmail` (structured content, never raw MIME). */
export interface RenderedEmail {
  to: string;
  replyTo: string[];
  subject: string;
  text: string;
  html: string;
  /** SES message tags (`core/email-events.ts`): delivery events name the message by them. */
  tags?: Record<string, string> | undefined;
}

/** What the site lead email shows: exactly the delivery attributes a Lead item carries. */
export interface SiteLeadEmailInput {
  leadId: string;
  createdAt: string;
  contact: { name: string; email: string; phone?: string | undefined };
  consent: { shareWithSites: boolean; phoneContact: boolean; textVersion: string; acceptedAt: string };
  trial: { nctId: string; title: string };
  site: {
    facility: string;
    city?: string | undefined;
    state?: string | undefined;
    postalCode?: string | undefined;
    country: string;
  };
  recipient: { name?: string | undefined; email: string };
  qualifyingAnswers: { question: string; answer: string }[];
  criteriaMet: string[];
  /** "about 12 miles (19 km) in a straight line", or that it is unknown. */
  patientDistance?: string | undefined;
  /** What the screening found for this trial (leads written before it was recorded have none). */
  screening?: LeadScreeningSummary | undefined;
}

/**
 * What a coordinator needs to act on a lead beyond the answers: how far the form got (eligible,
 * or possibly with what is still unknown), what the form cannot ask, where the patient is
 * roughly, and which record and screener the result came from.
 */
export interface LeadScreeningSummary {
  eligibility: 'eligible' | 'possibly_eligible';
  /** The criteria the form could not decide (an answer skipped or "not sure"). */
  criteriaUnknown: string[];
  leftToStudyTeam: string[];
  /** The patient's postal area ("ZIP 606xx"), never the full code. */
  patientArea?: string | undefined;
  /** The registry record's date the result was computed against. */
  recordDate: string;
  screenerVersion: string;
}

/** What the patient confirmation shows: the trials and sites that will be in touch. */
export interface ConfirmationEmailInput {
  confirmationId: string;
  screeningId: string;
  /**
   * The screening token in clear, for the erasure link. The Confirmation item holds it only until
   * the email is sent or fails; a confirmation sent again after that (a re-drive) has none and
   * tells the patient to ask for erasure by reply instead.
   */
  screeningToken?: string | undefined;
  contact: { name: string; email: string };
  leads: { leadId: string; trialTitle: string; facility: string; city?: string | undefined; country: string }[];
}

/** Raised when an email cannot be built safely; the message names the field, never its value. */
export class UnsafeEmailError extends Error {
  constructor(readonly field: string) {
    super(`Refused to build an email: ${field} is not safe to send`);
    this.name = 'UnsafeEmailError';
  }
}

// A deliberately strict address shape: one @, no whitespace, no characters that could open a
// second address or a display name in a header. The API validated it already; this is the
// last line before SES.
const SAFE_ADDRESS = /^[^\s@<>(),;:"\\[\]]+@[^\s@<>(),;:"\\[\]]+\.[^\s@<>(),;:"\\[\]]+$/;
// CR, LF, other C0/C1 controls and the Unicode line and paragraph separators.
const LINE_BREAKS_AND_CONTROLS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/**
 * Makes a precompiled template ready to render, with the Handlebars runtime and its built-in
 * helpers only (`if`, `each`, `unless`, `with`); each template gets its own environment.
 */
export function emailTemplateFromPrecompiled(precompiled: PrecompiledEmailTemplate): CompiledEmailTemplate {
  const handlebars = Handlebars.create();
  return {
    subject: handlebars.template(precompiled.subject),
    text: handlebars.template(precompiled.text),
    html: handlebars.template(precompiled.html),
  };
}

/** How a site email is rendered: its mode and the lead page link it carries. */
export interface SiteEmailOptions {
  mode: SiteEmailMode;
  /** The signed link to the lead page; absent only where no link could be issued. */
  leadPageUrl?: string | undefined;
}

/**
 * Renders the email a trial site receives for one lead, to the lead's recipient. In `full` mode
 * it is Reply-To the patient and the template shows the trial, the site, the qualifying answers,
 * the criteria met and the consent; in `minimal` mode (the default) the email carries no patient
 * data at all (not even as Reply-To), only the trial, the site, the lead id and the link.
 *
 * @throws UnsafeEmailError when an address is malformed or a header would contain a line break.
 */
export function renderSiteLeadEmail(
  lead: SiteLeadEmailInput,
  template: CompiledEmailTemplate,
  options: SiteEmailOptions = { mode: 'full' },
): RenderedEmail {
  const to = safeAddress(lead.recipient.email, 'recipient email');
  const site = { facility: lead.site.facility, location: placeName(lead.site) };
  if (options.mode === 'minimal') {
    const data = toSingleLineStrings({
      leadId: lead.leadId,
      referredAt: formatUtc(lead.createdAt),
      trial: { ...lead.trial, url: trialRegistryUrl(lead.trial.nctId) },
      site,
      recipient: { name: lead.recipient.name ?? '' },
      leadPageUrl: options.leadPageUrl ?? '',
    });
    return {
      to,
      replyTo: [],
      subject: safeHeader(template.subject(data), 'subject'),
      text: template.text(data),
      html: template.html(data),
    };
  }
  const replyTo = safeAddress(lead.contact.email, 'patient email');
  const summary = lead.screening;
  const data = toSingleLineStrings({
    leadId: lead.leadId,
    leadPageUrl: options.leadPageUrl ?? '',
    referredAt: formatUtc(lead.createdAt),
    // A patient who declined calls gets no phone number in the email at all.
    patient: {
      name: lead.contact.name,
      email: lead.contact.email,
      phone: lead.consent.phoneContact ? (lead.contact.phone ?? '') : '',
    },
    screening: summary
      ? {
          result:
            summary.eligibility === 'eligible'
              ? 'Eligible on everything the form asks about'
              : 'Possibly eligible: some criteria could not be decided from the form',
          criteriaUnknown: summary.criteriaUnknown,
          leftToStudyTeam: summary.leftToStudyTeam,
          patientArea: summary.patientArea ?? '',
          recordDate: summary.recordDate,
          screenerVersion: summary.screenerVersion,
        }
      : '',
    consent: {
      acceptedAt: formatUtc(lead.consent.acceptedAt),
      textVersion: lead.consent.textVersion,
      shareWithSites: lead.consent.shareWithSites,
      phoneContact: lead.consent.phoneContact,
    },
    trial: { ...lead.trial, url: trialRegistryUrl(lead.trial.nctId) },
    site: { ...site, distance: lead.patientDistance ?? '' },
    recipient: { name: lead.recipient.name ?? '' },
    qualifyingAnswers: lead.qualifyingAnswers,
    criteriaMet: lead.criteriaMet,
  });
  return {
    to,
    replyTo: [replyTo],
    subject: safeHeader(template.subject(data), 'subject'),
    text: template.text(data),
    html: template.html(data),
  };
}

/**
 * Renders the confirmation a patient receives once per referral: which trials and sites will
 * contact them, what happens next, and how to erase their data: a link to the form that erases
 * it (when the confirmation carries the screening token), or else by reply quoting a reference.
 *
 * @param appUrl the public URL of the patient form (`PUBLIC_APP_URL`), for the erasure link.
 * @throws UnsafeEmailError when the patient's address is malformed or the subject has a line break.
 */
export function renderConfirmationEmail(
  confirmation: ConfirmationEmailInput,
  template: CompiledEmailTemplate,
  appUrl: string,
): RenderedEmail {
  const to = safeAddress(confirmation.contact.email, 'patient email');
  const data = toSingleLineStrings({
    confirmationId: confirmation.confirmationId,
    // The reference a patient quotes to have their data erased by the operator.
    screeningId: confirmation.screeningId,
    patient: { name: confirmation.contact.name },
    studyCount: confirmation.leads.length,
    severalStudies: confirmation.leads.length > 1,
    leads: confirmation.leads.map((lead) => ({
      trialTitle: lead.trialTitle,
      facility: lead.facility,
      location: placeName(lead),
    })),
    appUrl,
    // Empty without a token, so a template's `{{#if erasureUrl}}` falls back to erasure by reply.
    erasureUrl: confirmation.screeningToken
      ? erasureLinkUrl(appUrl, { screeningId: confirmation.screeningId, token: confirmation.screeningToken })
      : '',
  });
  return {
    to,
    replyTo: [],
    subject: safeHeader(template.subject(data), 'subject'),
    text: template.text(data),
    html: template.html(data),
  };
}

/**
 * Returns the value if it can go into a mail header, else throws. Line breaks are refused rather
 * than stripped: a header value with a line break is an injection attempt or a data error, and
 * either way the email must not be sent as it is.
 */
export function safeHeader(value: string, field: string): string {
  if (CONTROL_CHARACTER.test(value)) throw new UnsafeEmailError(field);
  return value;
}

/** Returns the address if it is one plain `local@domain` address, else throws. */
export function safeAddress(value: string, field: string): string {
  if (!SAFE_ADDRESS.test(value) || value.length > 254) throw new UnsafeEmailError(field);
  return value;
}

function toSingleLineStrings<T>(value: T): T {
  // Every string shown in a body is one line: a name such as "Eve\r\nBcc: x@y" stays one line of
  // text in the plain-text body instead of forging extra lines that look like headers.
  if (typeof value === 'string') return value.replace(LINE_BREAKS_AND_CONTROLS, ' ').trim() as T;
  if (Array.isArray(value)) return value.map((item) => toSingleLineStrings(item)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toSingleLineStrings(item)])) as T;
  }
  return value;
}

function placeName(place: {
  city?: string | undefined;
  state?: string | undefined;
  postalCode?: string | undefined;
  country: string;
}): string {
  return [place.city, place.state, place.postalCode, place.country].filter((part) => part && part.trim()).join(', ');
}

function formatUtc(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
