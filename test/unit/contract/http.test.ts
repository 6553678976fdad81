import { describe, expect, it } from '@jest/globals';
import { API_ERRORS, contentSecurityPolicy, errorBody, webSecurityHeaders } from '#functions/contract/http';
import { DOMAIN_ERROR_CODES } from '#core/errors';

describe('the HTTP contract', () => {
  it('gives every domain refusal a client error status, or 503 for a catalog not loaded yet', () => {
    for (const code of DOMAIN_ERROR_CODES) {
      const { status } = API_ERRORS[code];
      expect(code === 'CATALOG_NOT_LOADED' ? status === 503 : status >= 400 && status < 500).toBe(true);
    }
  });

  it('lets the form connect only to itself, or to itself and the API origin it is given', () => {
    expect(contentSecurityPolicy()).toContain("connect-src 'self';");
    expect(contentSecurityPolicy({ connectTo: ['https://api.example.org'] })).toContain(
      "connect-src 'self' https://api.example.org;",
    );
  });

  it('allows no inline script or style, no other origin for scripts, and no framing', () => {
    const policy = contentSecurityPolicy({ connectTo: ['https://api.example.org'] });

    expect(policy).not.toMatch(/unsafe|data:|\*/);
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("frame-ancestors 'none'");
  });

  it('sends HSTS only over HTTPS', () => {
    expect(webSecurityHeaders()['Strict-Transport-Security']).toMatch(/^max-age=63072000; includeSubDomains; preload$/);
    expect(webSecurityHeaders({ https: false })).not.toHaveProperty('Strict-Transport-Security');
  });

  it("builds error bodies with the code's own message unless given one, and details only when there are some", () => {
    expect(errorBody('REQUEST_BLOCKED')).toEqual({
      error: { code: 'REQUEST_BLOCKED', message: API_ERRORS.REQUEST_BLOCKED.message },
    });
    expect(errorBody('INVALID_REQUEST', 'Bad.', [])).toEqual({ error: { code: 'INVALID_REQUEST', message: 'Bad.' } });
  });
});
