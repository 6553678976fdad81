/** Entry point: find the API (config.json or same origin), then render the form. */
import { render } from 'preact';
import { parseErasureFragment, type ErasureLink } from '#core/erasure-link';
import { App } from './app';
import { ScreenerApi, resolveApiBaseUrl } from './api';

const DEFAULT_SCREENER = 'lower-back-pain';

/** `?screener=<id>` picks another screener; anything that is not a plausible id falls back. */
function screenerIdFromUrl(): string {
  const requested = new URLSearchParams(window.location.search).get('screener');
  return requested && /^[a-z0-9-]{1,64}$/.test(requested) ? requested : DEFAULT_SCREENER;
}

function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  // Older browsers on plain http: same format from the same random source.
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The erasure link of the confirmation email (`#erase=<screeningId>.<token>`), taken off the
 * address bar before anything else runs, so the token stays out of the browser history, bookmarks
 * and anything copied or shared from the address bar. `'unreadable'` when the fragment is an
 * erasure link that cannot be read.
 */
function takeErasureLink(): ErasureLink | 'unreadable' | undefined {
  const fragment = window.location.hash;
  if (!/^#erase=/.test(fragment)) return undefined;
  history.replaceState(history.state, '', `${window.location.pathname}${window.location.search}`);
  return parseErasureFragment(fragment) ?? 'unreadable';
}

const erasureLink = takeErasureLink();
const root = document.getElementById('app')!;
const apiBaseUrl = await resolveApiBaseUrl();
// Replace the static "Loading" placeholder rather than diffing against it.
root.textContent = '';
render(
  <App
    api={new ScreenerApi(apiBaseUrl)}
    screenerId={screenerIdFromUrl()}
    newIdempotencyKey={newIdempotencyKey}
    erasureLink={erasureLink}
  />,
  root,
);
