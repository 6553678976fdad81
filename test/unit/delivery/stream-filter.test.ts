import { describe, expect, it } from '@jest/globals';
import type { DynamoDBRecord } from 'aws-lambda';
import { NEW_DELIVERY_FILTER, streamFunctions } from '#functions/function-manifest';
import { outboxRefFromRecord } from '#functions/deliver-leads/stream-handler';
import { matchesFilterPattern, passesFilters } from '#local/stream-poller';

function aStreamRecord(eventName: 'INSERT' | 'MODIFY' | 'REMOVE', image: Record<string, { S: string }>): DynamoDBRecord {
  return {
    eventID: '1',
    eventName,
    eventSource: 'aws:dynamodb',
    dynamodb: {
      SequenceNumber: '100',
      NewImage: eventName === 'REMOVE' ? undefined : image,
      Keys: { PK: { S: 'x' }, SK: { S: 'y' } },
    },
  };
}

const newLead = aStreamRecord('INSERT', { entityType: { S: 'LEAD' }, leadId: { S: 'lead-1' } });
const deliverLeads = streamFunctions().find((spec) => spec.name === 'deliver-leads')!;

describe('the local stream filter', () => {
  it('passes a new lead to the delivery function', () => {
    expect(passesFilters(newLead, deliverLeads.trigger.filterPatterns)).toBe(true);
  });

  it('passes a new patient confirmation', () => {
    const record = aStreamRecord('INSERT', { entityType: { S: 'CONFIRMATION' }, confirmationId: { S: 'c-1' } });

    expect(matchesFilterPattern(record, NEW_DELIVERY_FILTER)).toBe(true);
  });

  it('drops a status write to a lead', () => {
    const record = aStreamRecord('MODIFY', { entityType: { S: 'LEAD' }, leadId: { S: 'lead-1' } });

    expect(matchesFilterPattern(record, NEW_DELIVERY_FILTER)).toBe(false);
  });

  it('drops the removal of a lead by TTL or erasure', () => {
    expect(matchesFilterPattern(aStreamRecord('REMOVE', {}), NEW_DELIVERY_FILTER)).toBe(false);
  });

  it('drops a new item of any other kind', () => {
    const record = aStreamRecord('INSERT', { entityType: { S: 'SCREENING' } });

    expect(matchesFilterPattern(record, NEW_DELIVERY_FILTER)).toBe(false);
  });

  it('drops a record that lacks the filtered attribute', () => {
    expect(matchesFilterPattern(aStreamRecord('INSERT', { leadId: { S: 'lead-1' } }), NEW_DELIVERY_FILTER)).toBe(false);
  });
});

describe('outboxRefFromRecord', () => {
  it('reads the lead id from a new lead image', () => {
    expect(outboxRefFromRecord(newLead)).toEqual({ kind: 'LEAD', id: 'lead-1' });
  });

  it('ignores a record that is not an insert', () => {
    expect(outboxRefFromRecord(aStreamRecord('MODIFY', { entityType: { S: 'LEAD' }, leadId: { S: 'lead-1' } }))).toBeUndefined();
  });
});
