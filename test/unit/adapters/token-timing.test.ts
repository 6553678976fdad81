/**
 * Checking a screening token does the same work whether or not the screening exists: the token is
 * hashed and compared in constant time against the stored hash or, when there is none, against a
 * placeholder. (Timing itself is measured by benchmarks, never asserted: this checks the work.)
 */
import { createRequire } from 'node:module';
import { describe, expect, it, jest } from '@jest/globals';

// The real module, loaded outside jest's module registry (importing it from the factory would wait on the mock).
const real = createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto');
const comparisons: number[] = [];
jest.unstable_mockModule('node:crypto', () => {
  return {
    ...real,
    default: real,
    timingSafeEqual: (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
      comparisons.push(a.byteLength);
      return real.timingSafeEqual(a, b);
    },
  };
});
const { sha256Hex, tokenMatches } = await import('#adapters/tokens');

describe('tokenMatches', () => {
  it('runs the same 32-byte constant-time comparison for an unknown screening as for a wrong token', () => {
    comparisons.length = 0;

    const wrong = tokenMatches('guessed-token', sha256Hex('the-real-token'));
    const unknown = tokenMatches('guessed-token', undefined);
    const malformed = tokenMatches('guessed-token', 'not-hex');

    expect([wrong, unknown, malformed]).toEqual([false, false, false]);
    expect(comparisons).toEqual([32, 32, 32]);
  });

  it('accepts the right token', () => {
    expect(tokenMatches('the-real-token', sha256Hex('the-real-token'))).toBe(true);
  });
});
