/**
 * Entry point of the lead page (`<form URL>site/leads/<leadId>#t=<token>`), the study team's side
 * of the same web app: same build, same Content-Security-Policy. The token is taken off the
 * address bar before anything renders, so it stays out of the history, bookmarks and anything
 * copied from the address bar; it is kept for this tab only (sessionStorage), so a reload still
 * opens the lead, and is gone when the tab closes.
 */
import { render } from 'preact';
import { parseSiteLeadLocation } from '#core/site-leads';
import { ScreenerApi, resolveApiBaseUrl } from './api';
import { SiteLeadPage } from './screens/site-lead';

const STORAGE_PREFIX = 'trial-screener:site-link:';

function takeSiteLink(): { leadId: string; token: string | undefined } | undefined {
  const location = parseSiteLeadLocation(window.location.pathname, window.location.hash);
  if (!location) return undefined;
  const key = `${STORAGE_PREFIX}${location.leadId}`;
  if (window.location.hash) history.replaceState(history.state, '', `${window.location.pathname}${window.location.search}`);
  try {
    if (location.token) sessionStorage.setItem(key, location.token);
    return { leadId: location.leadId, token: location.token ?? sessionStorage.getItem(key) ?? undefined };
  } catch {
    // Storage refused (private mode): the link still works until the page is reloaded.
    return location;
  }
}

const link = takeSiteLink();
const root = document.getElementById('app')!;
// The page is two folders below the form (`site/leads/<id>`): the form's config.json is there.
const apiBaseUrl = await resolveApiBaseUrl(fetch, '../../config.json');
root.textContent = '';
render(<SiteLeadPage api={new ScreenerApi(apiBaseUrl)} link={link} />, root);
