/**
 * `POST /screenings/{screeningId}/referrals` (token): the patient's chosen trials, contact details
 * and explicit consent become one referral and one PENDING lead per (trial, site), written in one
 * transaction. Urgent-care screenings are refused whatever the request says. The screening token
 * goes to the repository with the referral: the patient's confirmation email carries it in its
 * erasure link, so a patient who closed the form can still erase their data themselves.
 */
import { parsePhoneNumberFromString, type CountryCode } from '../adapters/phone-numbers';
import { countryFromAnswer } from '../core/countries';
import { DomainError } from '../core/errors';
import { assertStillReferable, planReferral } from '../core/referral';
import * as z from '../core/zod';
import { CatalogRepository } from '../adapters/catalog-repository';
import { loadConfig } from '../adapters/config';
import { tableRef } from '../adapters/dynamo';
import { accepted, httpHandler } from '../adapters/http-handler';
import { logger } from '../adapters/logger';
import { ScreenerRepository } from '../adapters/screener-repository';
import {
  ScreeningRepository,
  referralExists,
  urgentCareRefusal,
  type PatientContact,
} from '../adapters/screening-repository';

const config = loadConfig('create-referral');
const table = tableRef(config.TABLE_NAME);
const screeners = new ScreenerRepository(table);
const catalogs = new CatalogRepository(table);
const screenings = new ScreeningRepository(table, { referralRetentionDays: config.REFERRAL_RETENTION_DAYS });

const CreateReferralRequest = z.object({
  trialIds: z.array(z.string().check(z.regex(/^NCT\d{8}$/, 'Not a trial id (NCT followed by 8 digits)'))).check(
    z.minLength(1),
    z.maxLength(10),
    z.refine((ids) => new Set(ids).size === ids.length, 'Each trial may be chosen once'),
  ),
  contact: z.object({
    name: z
      .string()
      .check(z.trim(), z.minLength(1), z.maxLength(120), z.regex(/^[^\p{Cc}]*$/u, 'A name cannot contain control characters')),
    email: z.email().check(z.maxLength(254)),
    phone: z.optional(z.string().check(z.trim(), z.minLength(1), z.maxLength(40))),
  }),
  consent: z.object({
    // Only an explicit `true` is consent: false, a string or a missing value is refused.
    shareWithSites: z.literal(true),
    phoneContact: z._default(z.boolean(), false),
    textVersion: z.string().check(z.minLength(1), z.maxLength(200)),
  }),
});

export const handler = httpHandler(
  {
    functionName: 'create-referral',
    pathParameters: z.object({ screeningId: z.string().check(z.minLength(1), z.maxLength(100)) }),
    body: CreateReferralRequest,
    auth: 'screening-token',
    issueCodes: [
      ['consent', 'CONSENT_REQUIRED'],
      ['contact', 'INVALID_CONTACT'],
    ],
  },
  async (req, ctx) => {
    const screening = await screenings.authorizeScreening(req.pathParameters.screeningId, req.token);
    if (screening.outcome === 'urgent_care') throw urgentCareRefusal();
    if (screening.referred) throw referralExists();

    const screener = await screeners.getScreener(screening.screenerId);
    if (!screener) throw new DomainError('SCREENER_NOT_FOUND', 'The screener of this screening no longer exists.');
    if (req.body.consent.textVersion !== screener.consent.version) {
      throw new DomainError(
        'CONSENT_TEXT_OUTDATED',
        'The consent text has changed since this page was loaded. Please read it again and confirm.',
      );
    }

    const contact = patientContact(req.body.contact, countryFromAnswer(screening.answers.country)?.iso2);
    if (req.body.consent.phoneContact && !contact.phone) {
      throw new DomainError('INVALID_CONTACT', 'Give a phone number to be contacted by phone.', [
        { path: ['contact', 'phone'], message: 'Required when phone contact is accepted' },
      ]);
    }

    const catalog = await catalogs.getCatalogVersion(screening.catalogVersion);
    if (!catalog) {
      throw new DomainError(
        'TRIAL_NOT_REFERABLE',
        'The trial list this screening was checked against has been replaced. Please answer the questions again.',
      );
    }
    const plans = planReferral({
      screener,
      outcome: screening.outcome,
      results: screening.results,
      answers: screening.answers,
      catalog,
      trialIds: req.body.trialIds,
    });

    // The screening's catalog may be old: the chosen sites must still be open, and their records
    // current, in the catalog in use now.
    assertStillReferable(plans, await catalogs.getCurrentCatalog(), { maxRecordAgeDays: config.MAX_RECORD_AGE_DAYS, now: new Date() });

    const referral = await screenings.createReferral({
      screeningId: screening.screeningId,
      token: req.token,
      contact,
      consent: { phoneContact: req.body.consent.phoneContact, textVersion: req.body.consent.textVersion },
      trialIds: req.body.trialIds,
      plans,
    });
    logger.info('referral created', {
      requestId: ctx.requestId,
      screeningId: screening.screeningId,
      referralId: referral.referralId,
      leadCount: referral.leads.length,
    });
    return accepted({
      referralId: referral.referralId,
      leads: referral.leads.map(({ leadId, trialId, siteId, status }) => ({ leadId, trialId, siteId, status })),
    });
  },
);

/** The contact as stored: the phone number, when given, parsed and kept in E.164. */
function patientContact(
  contact: { name: string; email: string; phone?: string | undefined },
  countryIso2: string | undefined,
): PatientContact {
  if (contact.phone === undefined) return { name: contact.name, email: contact.email };
  const phone = parsePhoneNumberFromString(contact.phone, countryIso2 as CountryCode | undefined);
  if (!phone?.isValid()) {
    throw new DomainError('INVALID_CONTACT', 'The phone number is not valid.', [
      { path: ['contact', 'phone'], message: 'Not a valid phone number; include the country code if it is not in your country' },
    ]);
  }
  return { name: contact.name, email: contact.email, phone: phone.number };
}
