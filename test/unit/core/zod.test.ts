import { describe, expect, it } from '@jest/globals';
import * as z from '#core/zod';

describe('the zod the model and the request schemas use', () => {
  it("words an issue with zod's English message, as classic zod does", () => {
    const result = z.safeParse(z.object({ name: z.string().check(z.minLength(1)) }), { name: '' });

    expect(result.error?.issues).toEqual([
      expect.objectContaining({ path: ['name'], message: 'Too small: expected string to have >=1 characters' }),
    ]);
  });

  it('keeps a message the schema gives itself', () => {
    const result = z.safeParse(z.string().check(z.regex(/^NCT\d{8}$/, 'Not a trial id')), 'NCT1');

    expect(result.error?.issues[0]?.message).toBe('Not a trial id');
  });
});
