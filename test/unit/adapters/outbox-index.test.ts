/**
 * The outbox index projects only the delivery state: what its readers parse from it must be
 * exactly what it holds, or a reader would silently see an attribute as missing.
 */
import { describe, expect, it } from '@jest/globals';
import { LEAD_HEALTH_SUMMARY_ATTRIBUTE, OutboxDeliveryState } from '#adapters/outbox-repository';
import { OUTBOX_INDEX, OUTBOX_INDEX_ATTRIBUTES } from '#functions/table-schema';

describe('the outbox index', () => {
  it('projects exactly the attributes of the delivery state its readers parse', () => {
    expect([...OUTBOX_INDEX_ATTRIBUTES].sort()).toEqual(Object.keys(OutboxDeliveryState.shape).sort());
  });

  it('projects none of a message’s content (contact, answers, recipient)', () => {
    expect(OUTBOX_INDEX.projection.nonKeyAttributes).not.toEqual(expect.arrayContaining(['contact']));
    for (const content of [
      'contact',
      'consent',
      'qualifyingAnswers',
      'criteriaMet',
      LEAD_HEALTH_SUMMARY_ATTRIBUTE,
      'recipient',
      'screeningToken',
      'leads',
    ])
      expect(OUTBOX_INDEX.projection.nonKeyAttributes).not.toContain(content);
  });
});
