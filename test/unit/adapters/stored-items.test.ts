import { describe, expect, it } from '@jest/globals';
import { MalformedItemError, readStoredItem } from '#adapters/dynamo';
import * as z from '#core/zod';

const Reader = z.object({
  screeningId: z.string(),
  answers: z.record(z.string(), z.string()),
  leads: z.array(z.object({ status: z.enum(['SENT', 'PENDING']) })),
});

function thrownBy(run: () => unknown): MalformedItemError {
  try {
    run();
  } catch (error) {
    if (error instanceof MalformedItemError) return error;
    throw error;
  }
  throw new Error('nothing was thrown');
}

describe('readStoredItem', () => {
  it('returns the item as its reader reads it', () => {
    const item = { PK: 'SCREENING#s1', screeningId: 's1', answers: { pain: 'yes' }, leads: [] };

    expect(readStoredItem(Reader, item, 'Screening', 'SCREENING#s1')).toEqual({
      screeningId: 's1',
      answers: { pain: 'yes' },
      leads: [],
    });
  });

  it('names the item and every path that does not read', () => {
    const error = thrownBy(() =>
      readStoredItem(Reader, { answers: { pain: 3 }, leads: [{ status: 'LOST' }] }, 'Screening', 'SCREENING#s1'),
    );

    expect(error.itemKind).toBe('Screening');
    expect(error.key).toBe('SCREENING#s1');
    expect(error.paths).toEqual(['screeningId', 'answers.pain', 'leads.0.status']);
    expect(error.message).toContain('SCREENING#s1');
  });

  it('never quotes a stored value in its message', () => {
    const secret = 'Quillfeather takes 40 mg of something private';

    const error = thrownBy(() =>
      readStoredItem(Reader, { screeningId: 's1', answers: { pain: [secret] }, leads: [{ status: secret }] }, 'Screening', 's1'),
    );

    expect(error.message).not.toContain('Quillfeather');
    expect(error.message).not.toContain('40 mg');
  });

  it('says "(item)" when the item itself is not an object', () => {
    expect(thrownBy(() => readStoredItem(Reader, 'not an item', 'Screening', 's1')).paths).toEqual(['(item)']);
  });
});
