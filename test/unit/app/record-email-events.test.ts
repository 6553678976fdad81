import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { recordEmailEvents } from '#app/record-email-events';
import { InMemoryEmailEvents, InMemorySitePauses, recordingMonitor } from '#test/factories/ports';

const clock = () => new Date('2026-12-02T09:00:00Z');
const LEAD = { kind: 'LEAD', id: 'lead-1' } as const;
const CONFIRMATION = { kind: 'CONFIRMATION', id: 'confirmation-1' } as const;

/** A documented SES event (test/fixtures/ses-events) about `ref`, as SNS delivers it. */
function notification(name: string, ref?: { kind: string; id: string }, address = 'coordinator@hospital.example.org') {
  const event = JSON.parse(readFileSync(new URL(`../../fixtures/ses-events/${name}.json`, import.meta.url), 'utf8'));
  event.mail.tags = ref ? { 'outbox-kind': [ref.kind], 'outbox-id': [ref.id] } : {};
  for (const recipient of event.bounce?.bouncedRecipients ?? []) recipient.emailAddress = address;
  return { notificationId: `sns-${name}`, message: JSON.stringify(event) };
}

function aRecorder() {
  const events = new InMemoryEmailEvents().sent(LEAD).sent(CONFIRMATION);
  const sitePauses = new InMemorySitePauses();
  const monitor = recordingMonitor();
  return { events, sitePauses, monitor, record: recordEmailEvents({ events, sitePauses, monitor, clock }) };
}

describe('recordEmailEvents', () => {
  it('keeps a delivery on its message and tells the monitor it was delivered', async () => {
    const { record, events, monitor } = aRecorder();

    const summary = await record([notification('delivery', LEAD)]);

    expect(summary).toEqual({ recorded: 1, bounced: 0, ignored: 0 });
    expect(events.events.get('LEAD:lead-1')?.map((entry) => entry.type)).toEqual(['Delivery']);
    expect(monitor.told).toContain('delivered');
  });

  it('marks a hard-bounced lead BOUNCED and pauses the address that bounced, for the bounce', async () => {
    const { record, events, sitePauses } = aRecorder();

    const summary = await record([notification('bounce-permanent', LEAD, 'Gone@Hospital.example.org')]);

    expect(summary.bounced).toBe(1);
    expect(events.status.get('LEAD:lead-1')).toBe('BOUNCED');
    expect(sitePauses.pauses).toEqual([
      expect.objectContaining({ kind: 'address', address: 'gone@hospital.example.org', pausedBy: 'bounce', leadId: 'lead-1' }),
    ]);
  });

  it("pauses nothing when a patient's confirmation bounces", async () => {
    const { record, events, sitePauses } = aRecorder();

    await record([notification('bounce-permanent', CONFIRMATION)]);

    expect(events.status.get('CONFIRMATION:confirmation-1')).toBe('BOUNCED');
    expect(sitePauses.pauses).toEqual([]);
  });

  it('keeps a transient bounce but marks nothing and pauses nothing', async () => {
    const { record, events, sitePauses } = aRecorder();

    const summary = await record([notification('bounce-transient', LEAD)]);

    expect(summary).toEqual({ recorded: 1, bounced: 0, ignored: 0 });
    expect(events.status.get('LEAD:lead-1')).toBe('SENT');
    expect(sitePauses.pauses).toEqual([]);
  });

  it('counts a replayed hard bounce once', async () => {
    const { record, monitor } = aRecorder();

    await record([notification('bounce-permanent', LEAD)]);
    const replay = await record([notification('bounce-permanent', LEAD)]);

    expect(replay.bounced).toBe(0);
    expect(monitor.told.filter((line) => line.startsWith('hardBounced'))).toEqual(['hardBounced: LEAD lead-1']);
  });

  it('tells the monitor of a complaint, naming the message', async () => {
    const { record, monitor } = aRecorder();

    await record([notification('complaint', LEAD)]);

    expect(monitor.told).toContain('complained: LEAD lead-1');
  });

  it('ignores mail this system did not tag, and a notification that is not JSON', async () => {
    const { record, monitor } = aRecorder();

    const summary = await record([notification('delivery'), { notificationId: 'sns-garbled', message: '{not json' }]);

    expect(summary).toEqual({ recorded: 0, bounced: 0, ignored: 2 });
    expect(monitor.told).toEqual(expect.arrayContaining(['ignored: sns-delivery', 'ignored: sns-garbled']));
  });

  it('reports the counts so far when the store fails, and rethrows so the events come again', async () => {
    const { sitePauses, monitor } = aRecorder();
    const failing = { record: async () => Promise.reject(new Error('table down')), markBounced: async () => false };

    await expect(
      recordEmailEvents({ events: failing, sitePauses, monitor, clock })([notification('delivery', LEAD)]),
    ).rejects.toThrow('table down');
    expect(monitor.told.at(-1)).toBe('finished: {"recorded":0,"bounced":0,"ignored":0}');
  });
});
