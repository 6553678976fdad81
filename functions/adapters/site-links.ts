/**
 * Lead page links: a 128-bit random token per email, of which the table keeps only the SHA-256
 * hash and an expiry (`core/site-leads.ts` has the link format; `site-lead-repository.ts` checks
 * a token against the stored hashes in constant time).
 */
import type { SiteLinkIssuer } from '#core/site-leads';
import { newScreeningToken, sha256Hex } from './tokens';

/** A link issuer whose links expire `ttlDays` after they are issued. */
export function siteLinkIssuer(ttlDays: number): SiteLinkIssuer {
  return {
    issue(now) {
      // The same generator as screening tokens: 16 random bytes, base64url.
      const token = newScreeningToken();
      return { token, record: { hash: sha256Hex(token), expiresAt: Math.floor(now.getTime() / 1000) + ttlDays * 24 * 60 * 60 } };
    },
  };
}
