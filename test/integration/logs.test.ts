/**
 * Health data never reaches a log: a full patient journey (screening, referral, status, erasure,
 * plus refused requests) with every stdout/stderr write captured, checked for answers, the name,
 * the email address and the phone number.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { aTrial } from '#test/factories/catalog';
import { aScreener, adultWithChronicBackPain } from '#test/factories/screener';
import { startTestApi, type TestApi } from '#test/setup/api';
import { OutputCapture } from '#test/setup/output-capture';

const PATIENT = {
  name: 'Zephyrine Quillfeather',
  email: 'zephyrine.quillfeather@example.com',
  phone: '(410) 555-0177',
  phoneE164: '+14105550177',
};
const ANSWERS = adultWithChronicBackPain({
  postal_code: '21231',
  diagnoses: ['degenerative_disc', 'sacroiliitis'],
  other_treatments: ['acupuncture'],
  pain_locations: ['hips_buttocks_thighs'],
});
/** Values that would only be in a log line if an answer leaked into it. */
const ANSWER_TRACES = [
  '21231',
  'degenerative_disc',
  'sacroiliitis',
  'acupuncture',
  'hips_buttocks_thighs',
  'pain_duration',
  'rf_urine_retention',
];

describe('logs of a full patient journey', () => {
  let api: TestApi;
  const output = new OutputCapture();
  const lines = output.lines;
  const trial = aTrial();
  let token = '';

  beforeAll(async () => {
    // The handlers' logger is created on their first import, below: log everything from INFO up.
    process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
    output.start();

    api = await startTestApi({ screeners: [aScreener()], trials: [trial] });
    const screening = await api.request('POST', '/screenings', {
      body: { screenerId: 'lower-back-pain', answers: ANSWERS },
      headers: { 'Idempotency-Key': 'logs-journey-0001' },
    });
    token = screening.body.token as string;
    const auth = { token };
    const path = `/screenings/${screening.body.screeningId}`;
    const referral = {
      trialIds: [trial.nctId],
      contact: { name: PATIENT.name, email: PATIENT.email, phone: PATIENT.phone },
      consent: { shareWithSites: true, phoneContact: true, textVersion: aScreener().consent.version },
    };
    // Triage answers and their advice are health data too: an emergency and a see-a-doctor screening.
    await api.request('POST', '/screenings', {
      body: { screenerId: 'lower-back-pain', answers: { ...ANSWERS, rf_urine_retention: true } },
    });
    await api.request('POST', '/screenings', {
      body: { screenerId: 'lower-back-pain', answers: { ...ANSWERS, sd_cancer: true, cancer_now: false } },
    });
    // Refused requests carry patient data too.
    await api.request('POST', '/screenings', {
      body: { screenerId: 'lower-back-pain', answers: { ...ANSWERS, age: PATIENT.name } },
    });
    await api.request('POST', `${path}/referrals`, {
      ...auth,
      body: { ...referral, contact: { ...referral.contact, email: `${PATIENT.name}@` } },
    });
    await api.request('POST', `${path}/referrals`, { ...auth, body: referral });
    await api.request('POST', `${path}/referrals`, { ...auth, body: referral });
    await api.request('GET', path, auth);
    await api.request('DELETE', path, auth);
  });

  afterAll(() => {
    output.stop();
  });

  it('logs one line per request with its route and status', () => {
    const requests = lines.filter((line) => line.includes('"message":"request"'));

    expect(requests.length).toBeGreaterThanOrEqual(7);
    expect(
      requests.some((line) => line.includes('POST /screenings/{screeningId}/referrals') && line.includes('"status":202')),
    ).toBe(true);
  });

  it('never logs the patient’s name, email address or phone number', () => {
    const leaked = lines.filter((line) =>
      [PATIENT.name, PATIENT.email, PATIENT.phone, PATIENT.phoneE164, '555-0177'].some((value) => line.includes(value)),
    );

    expect(leaked).toEqual([]);
  });

  it('never logs an answer', () => {
    const leaked = lines.filter((line) => ANSWER_TRACES.some((value) => line.includes(value)));

    expect(leaked).toEqual([]);
  });

  it('never logs a triage reason, the urgent-care message or the see-a-doctor advice', () => {
    const screener = aScreener();
    const traces = [
      screener.urgentCare.message,
      screener.medicalAdvice.soon,
      ...screener.triage.map((rule) => rule.reason),
      'I have back pain',
    ];
    const leaked = lines.filter((line) => traces.some((value) => line.includes(value)));

    expect(leaked).toEqual([]);
  });

  it('never logs the screening token', () => {
    expect(token).not.toBe('');
    expect(lines.filter((line) => line.includes(token) || line.includes('Bearer'))).toEqual([]);
  });
});
