import { describe, expect, it } from '@jest/globals';
import { type ReconcileLeadsSettings, reconcileLeads } from '#app/reconcile-leads';
import type { DeliveryOutcome, OutboxRef } from '#core/delivery';
import { dueMessages, recordingMonitor, scriptedDelivery } from '#test/factories/ports';

const clock = () => new Date('2026-12-01T12:00:00Z');
const settings: ReconcileLeadsSettings = { maxMessagesPerRun: 200, safetyMarginMs: 15_000, errorDeferSeconds: 600 };

function lead(id: string): OutboxRef {
  return { kind: 'LEAD', id };
}

/** Messages due one minute apart, the first `minutesAgo` minutes before the clock. */
function dueInLine(ids: string[], minutesAgo = ids.length) {
  return ids.map((id, index) => ({ ref: lead(id), dueAt: new Date(clock().getTime() - (minutesAgo - index) * 60_000) }));
}

function aReconcilerRun(
  due: ReturnType<typeof dueMessages>,
  outcomes: Record<string, DeliveryOutcome['outcome'] | Error> = {},
  overrides: Partial<ReconcileLeadsSettings> = {},
) {
  const delivery = scriptedDelivery(outcomes);
  const monitor = recordingMonitor();
  const run = reconcileLeads({ due, delivery, monitor, clock }, { ...settings, ...overrides });
  return { run, delivery, monitor };
}

describe('reconcileLeads', () => {
  it('delivers every due message in line order and counts each outcome', async () => {
    const { run, delivery } = aReconcilerRun(dueMessages(dueInLine(['a', 'b', 'c', 'd'])), { b: 'retry', c: 'skipped' });

    const summary = await run();

    expect(delivery.delivered).toEqual(['a', 'b', 'c', 'd']);
    expect(summary).toEqual({ examined: 4, sent: 2, failed: 0, held: 0, retry: 1, skipped: 1, unrecorded: 0, errors: 0 });
  });

  it('asks for at most the run limit of messages due at the clock time, so each run is bounded', async () => {
    const due = dueMessages(dueInLine(['a', 'b', 'c']));
    const { run, delivery } = aReconcilerRun(due, {}, { maxMessagesPerRun: 2 });

    await run();

    expect(due.asked).toEqual(['due at 2026-12-01T12:00:00.000Z, at most 2']);
    expect(delivery.delivered).toEqual(['a', 'b']);
  });

  it('starts no further delivery once less than the safety margin of invocation time remains', async () => {
    const { run, delivery } = aReconcilerRun(dueMessages(dueInLine(['a', 'b', 'c'])));
    const remaining = [60_000, 15_000, 14_999];

    const summary = await run(() => remaining.shift() ?? 0);

    expect(delivery.delivered).toEqual(['a', 'b']);
    expect(summary.examined).toBe(2);
  });

  it('isolates a message whose delivery throws: the run goes on and that message is moved back in line', async () => {
    const due = dueMessages(dueInLine(['a', 'poison', 'c']));
    const { run, delivery, monitor } = aReconcilerRun(due, { poison: new RangeError('item values here') });

    const summary = await run();

    expect(delivery.delivered).toEqual(['a', 'poison', 'c']);
    expect(summary).toMatchObject({ examined: 3, sent: 2, errors: 1 });
    expect(due.deferred).toEqual(['LEAD poison to 2026-12-01T12:10:00.000Z']);
    expect(monitor.told).toContain('notDelivered: LEAD poison (RangeError, retry in 600 s)');
  });

  it('names only the error class of a failed delivery, never its message', async () => {
    const { run, monitor } = aReconcilerRun(dueMessages(dueInLine(['poison'])), { poison: new Error('patient@example.org') });

    await run();

    expect(monitor.told.join('\n')).not.toContain('patient@example.org');
  });

  it('goes on with the next message when moving a failed one back in line fails too', async () => {
    const due = dueMessages(dueInLine(['poison', 'b']), { defer: new Error('table down') });
    const { run, delivery } = aReconcilerRun(due, { poison: new Error('table down') });

    const summary = await run();

    expect(delivery.delivered).toEqual(['poison', 'b']);
    expect(summary).toMatchObject({ examined: 2, sent: 1, errors: 1 });
  });

  it('reports in whole seconds how long the longest-waiting due message has waited', async () => {
    const due = dueMessages([{ ref: lead('a'), dueAt: new Date(clock().getTime() - 90_600) }]);
    const { run, monitor } = aReconcilerRun(due);

    await run();

    expect(monitor.told).toContain('oldestDue: 91 s');
  });

  it('reports an oldest-due age of zero when no message is due', async () => {
    const { run, monitor } = aReconcilerRun(dueMessages([]));

    await run();

    expect(monitor.told).toEqual(['oldestDue: 0 s', 'published', `finished: ${JSON.stringify(emptySummary())}`]);
  });

  it('reports zero rather than a negative age when the first message in line is not due yet', async () => {
    const due = dueMessages([{ ref: lead('later'), dueAt: new Date(clock().getTime() + 60_000) }]);
    const { run, monitor, delivery } = aReconcilerRun(due);

    await run();

    expect(delivery.delivered).toEqual([]);
    expect(monitor.told).toContain('oldestDue: 0 s');
  });

  it('says the oldest-due age is unknown when it cannot be read, and still publishes the run', async () => {
    const { run, monitor } = aReconcilerRun(dueMessages(dueInLine(['a']), { oldestDueAt: new TypeError('throttled') }));

    const summary = await run();

    expect(summary.sent).toBe(1);
    expect(monitor.told.slice(0, 2)).toEqual(['oldestDueUnknown: TypeError', 'published']);
  });

  it('fails the run when the due messages cannot be read, after reporting the oldest-due age and publishing', async () => {
    const failure = new Error('table down');
    const { run, monitor, delivery } = aReconcilerRun(dueMessages(dueInLine(['a']), { dueRefs: failure }));

    await expect(run()).rejects.toBe(failure);

    expect(delivery.delivered).toEqual([]);
    expect(monitor.told).toEqual(['oldestDue: 60 s', 'published']);
  });

  it('tells the summary once, after publishing', async () => {
    const { run, monitor } = aReconcilerRun(dueMessages(dueInLine(['a'])));

    const summary = await run();

    expect(monitor.told.at(-2)).toBe('published');
    expect(monitor.told.at(-1)).toBe(`finished: ${JSON.stringify(summary)}`);
  });
});

function emptySummary() {
  return { examined: 0, sent: 0, failed: 0, held: 0, retry: 0, skipped: 0, unrecorded: 0, errors: 0 };
}
