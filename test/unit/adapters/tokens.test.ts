import { describe, expect, it } from '@jest/globals';
import { newScreeningToken, sealToken, sha256Hex, tokenMatches, unsealToken } from '#adapters/tokens';

describe('screening tokens', () => {
  it('are 128 random bits in base64url', () => {
    const token = newScreeningToken();

    expect(token).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(16);
  });

  it('are different every time', () => {
    const tokens = new Set(Array.from({ length: 100 }, () => newScreeningToken()));

    expect(tokens.size).toBe(100);
  });

  it('match the hash they were stored as', () => {
    const token = newScreeningToken();

    expect(tokenMatches(token, sha256Hex(token))).toBe(true);
  });

  it('do not match another token’s hash', () => {
    expect(tokenMatches(newScreeningToken(), sha256Hex(newScreeningToken()))).toBe(false);
  });

  it('do not match a malformed stored hash', () => {
    expect(tokenMatches(newScreeningToken(), 'not-a-hash')).toBe(false);
  });
});

describe('sealed tokens', () => {
  it('unseal with the same Idempotency-Key', () => {
    const token = newScreeningToken();

    expect(unsealToken(sealToken(token, 'idempotency-key-1'), 'idempotency-key-1')).toBe(token);
  });

  it('do not contain the token in clear', () => {
    const token = newScreeningToken();

    expect(sealToken(token, 'idempotency-key-1')).not.toContain(token);
  });

  it('refuse to unseal with another key', () => {
    const sealed = sealToken(newScreeningToken(), 'idempotency-key-1');

    expect(() => unsealToken(sealed, 'idempotency-key-2')).toThrow();
  });

  it('refuse to unseal an altered value', () => {
    const sealed = sealToken(newScreeningToken(), 'idempotency-key-1');
    const [version, iv, ciphertext, tag] = sealed.split('.');
    const altered = [version, iv, Buffer.from('A'.repeat(22)).toString('base64url'), tag].join('.');

    expect(ciphertext).toBeDefined();
    expect(() => unsealToken(altered, 'idempotency-key-1')).toThrow();
  });
});
