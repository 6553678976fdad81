/**
 * A Lead item stores its health summary (question/answer/criterion texts) gzip-compressed in one
 * Binary attribute; every reader reads it through `storedLeadFields`, and a lead written before
 * (fields in the clear) still reads.
 */
import { describe, expect, it } from '@jest/globals';
import { gzipSync } from 'node:zlib';
import {
  LEAD_HEALTH_SUMMARY_ATTRIBUTE,
  LeadItemContent,
  newLeadItem,
  storedLeadFields,
  toOutboxMessage,
  type NewLead,
} from '#adapters/outbox-repository';

const privateAnswer = 'Wear of the disks in the spine (degenerative disc disease)';

function aNewLead(): NewLead {
  return {
    leadId: 'lead-1',
    screeningId: 'screening-1',
    contact: { name: 'Alex Patient', email: 'alex@example.org' },
    consent: { shareWithSites: true, phoneContact: false, textVersion: 'consent-v1', acceptedAt: '2026-12-01T10:00:00.000Z' },
    plan: {
      trialId: 'NCT00000001',
      trialTitle: 'Back pain study',
      site: { siteId: 'site-1', facility: 'Spine Clinic', city: 'Boston', country: 'United States' },
      recipient: { name: 'Coordinator', email: 'coordinator@example.org' },
      qualifyingAnswers: [
        { question: 'Has a doctor told you that your back pain comes from any of these?', answer: privateAnswer },
        { question: 'How old are you?', answer: '70 years' },
      ],
      criteriaMet: ['You are 65 or older'],
      patientDistance: 'about 12 miles (19 km) in a straight line',
      screening: {
        eligibility: 'possibly_eligible',
        criteriaUnknown: ['You are not pregnant or breastfeeding.'],
        leftToStudyTeam: ['That you can read and write English.'],
        patientArea: 'ZIP 021xx',
        recordDate: '2026-06-01',
        screenerVersion: '2026-12-01.3',
      },
    },
  };
}

const times = { createdAt: '2026-12-01T10:00:00.000Z', expiresAt: 1_900_000_000 };

/** The item as a lead was written before its health summary was compressed: the texts in the clear. */
function aLeadWrittenBeforeCompression(): Record<string, unknown> {
  const { [LEAD_HEALTH_SUMMARY_ATTRIBUTE]: _packed, ...item } = newLeadItem(aNewLead(), times);
  const { qualifyingAnswers, criteriaMet, patientDistance, screening } = aNewLead().plan;
  return { ...item, qualifyingAnswers, criteriaMet, patientDistance, screening };
}

describe("the Lead item's health summary", () => {
  it('is stored compressed in one Binary attribute, none of its texts in the clear', () => {
    const item = newLeadItem(aNewLead(), times);

    expect(item[LEAD_HEALTH_SUMMARY_ATTRIBUTE]).toBeInstanceOf(Uint8Array);
    expect(Object.keys(item)).not.toEqual(expect.arrayContaining(['qualifyingAnswers']));
    expect(JSON.stringify(item)).not.toContain('degenerative');
    expect(JSON.stringify(item)).not.toContain('65 or older');
  });

  it('reads back whole, as the email, the site page and the CLI read it', () => {
    const item = newLeadItem(aNewLead(), times);

    const message = toOutboxMessage(item);

    expect(message.kind).toBe('LEAD');
    if (message.kind !== 'LEAD') return;
    const { qualifyingAnswers, criteriaMet, patientDistance, screening } = aNewLead().plan;
    expect(message.lead).toEqual(
      expect.objectContaining({ qualifyingAnswers, criteriaMet, patientDistance, screening, leadId: 'lead-1' }),
    );
    expect(LeadItemContent.parse(storedLeadFields(item))).toEqual(message.lead);
  });

  it('reads a lead written before it was compressed exactly as a new one', () => {
    const before = toOutboxMessage(aLeadWrittenBeforeCompression());

    expect(before).toEqual(toOutboxMessage(newLeadItem(aNewLead(), times)));
    expect(before.kind).toBe('LEAD');
  });

  it('makes a lead whose summary does not decompress unreadable, naming its paths and never its texts', () => {
    const damaged = gzipSync(JSON.stringify(aNewLead().plan)).subarray(0, 40);
    const item = { ...newLeadItem(aNewLead(), times), [LEAD_HEALTH_SUMMARY_ATTRIBUTE]: damaged };

    const message = toOutboxMessage(item);

    expect(message.kind).toBe('INVALID');
    if (message.kind !== 'INVALID') return;
    expect(message.reason).toContain('qualifyingAnswers');
    expect(message.reason).not.toContain('degenerative');
  });

  it('cannot stand in for what the lead stores in the clear', () => {
    const forged = gzipSync(JSON.stringify({ ...aNewLead().plan, recipient: { email: 'someone-else@example.org' } }));
    const item = { ...newLeadItem(aNewLead(), times), [LEAD_HEALTH_SUMMARY_ATTRIBUTE]: forged };

    const message = toOutboxMessage(item);

    expect(message.kind === 'LEAD' && message.lead.recipient.email).toBe('coordinator@example.org');
  });
});
