/**
 * The erasure link of the patient confirmation email: the patient form's URL with the screening
 * id and its token in the URL fragment, `#erase=<screeningId>.<token>`. One module for both ends,
 * the email that writes the link and the form that reads it, so the format is written once.
 *
 * The fragment, not the query, because a browser never sends the fragment to a server: the token
 * reaches no access log (S3, CloudFront, API Gateway) and no Referer header. The form removes it
 * from the address bar as soon as it has read it.
 */

/** What an erasure link carries: the screening and the token that authorises erasing it. */
export interface ErasureLink {
  screeningId: string;
  token: string;
}

const FRAGMENT_KEY = 'erase';
// Screening ids are UUIDs and tokens base64url; neither contains the separator, and anything
// else in a fragment is refused rather than guessed at.
const ID_PATTERN = /^[A-Za-z0-9-]{1,100}$/;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{1,200}$/;

/**
 * The URL of the form page that erases `screeningId`: `appUrl` (path and query kept) with the id
 * and token in the fragment.
 *
 * @throws TypeError when `appUrl` is not an absolute URL.
 */
export function erasureLinkUrl(appUrl: string, link: ErasureLink): string {
  const url = new URL(appUrl);
  url.hash = `${FRAGMENT_KEY}=${link.screeningId}.${link.token}`;
  return url.toString();
}

/**
 * Reads an erasure link from a URL fragment (`location.hash`, with or without its `#`), or
 * returns undefined when the fragment is not one.
 */
export function parseErasureFragment(fragment: string): ErasureLink | undefined {
  const text = fragment.startsWith('#') ? fragment.slice(1) : fragment;
  const prefix = `${FRAGMENT_KEY}=`;
  if (!text.startsWith(prefix)) return undefined;
  const value = text.slice(prefix.length);
  const separator = value.lastIndexOf('.');
  if (separator <= 0) return undefined;
  const screeningId = value.slice(0, separator);
  const token = value.slice(separator + 1);
  if (!ID_PATTERN.test(screeningId) || !TOKEN_PATTERN.test(token)) return undefined;
  return { screeningId, token };
}
