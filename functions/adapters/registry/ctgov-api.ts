/**
 * The ClinicalTrials.gov API v2 `/studies` endpoint: paged search with bounded retries.
 *
 * Parameters (API v2 reference, https://clinicaltrials.gov/data-api/api, OpenAPI 2.0.x):
 * - `query.cond` searches conditions (ConditionSearch area), `query.term` other terms;
 * - `filter.overallStatus` is a comma-separated list of statuses (RECRUITING,NOT_YET_RECRUITING);
 * - `filter.ids` is a comma-separated list of NCT ids;
 * - `filter.advanced` takes an Essie expression: `AREA[LastUpdatePostDate]RANGE[2026-11-30,MAX]`
 *   keeps studies whose last update was posted on or after that day (incremental sync);
 * - `fields` limits the response to the named sections (we parse `protocolSection` only);
 * - `pageSize` (at most 1,000) and `pageToken` (the previous page's `nextPageToken`) page;
 * - `countTotal=true` adds `totalCount` to the first page (for the progress bar);
 * - `format=json`.
 *
 * A page that is not complete JSON (a truncated transfer), or is JSON without a `studies` list,
 * fails the whole fetch with `RegistryApiError`: the caller writes nothing. 429 and 5xx answers
 * and network errors are retried with exponential backoff (honouring `Retry-After`), a bounded
 * number of times; other 4xx answers fail at once (a bad query will not get better).
 */

/** The public API; `--api-url` or the sync function's configuration points elsewhere. */
export const CTGOV_API_URL = 'https://clinicaltrials.gov/api/v2';

/** A fetch that failed for good, with a message an operator can act on. */
export class RegistryApiError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegistryApiError';
  }
}

/** One search: conditions and/or ids, optionally only records updated since a day. */
export interface StudyQuery {
  /** Sent as `query.cond`, joined with OR. */
  conditions?: readonly string[];
  /** Sent as `query.term`. */
  term?: string;
  /** Sent as `filter.ids`. */
  ids?: readonly string[];
  /** Sent as `filter.overallStatus`. */
  statuses?: readonly string[];
  /** ISO day: only studies whose last update was posted on or after it (`filter.advanced`). */
  updatedSince?: string;
}

export interface FetchStudiesOptions {
  apiUrl?: string;
  pageSize?: number;
  /** Attempts per page, the first included (default 5). */
  maxAttempts?: number;
  /** First backoff delay in ms (default 1,000), doubled each retry, capped at 30 s. */
  baseDelayMs?: number;
  fetch?: typeof globalThis.fetch;
  sleep?: (ms: number) => Promise<void>;
  /** Called after each page with the studies so far and the total when known. */
  onPage?: (received: number, total: number | undefined) => void;
  /** Called before each retry, for the operator's log. */
  onRetry?: (attempt: number, reason: string, delayMs: number) => void;
}

const MAX_DELAY_MS = 30_000;
/** Ids per `filter.ids` request, so the URL stays short. */
const IDS_PER_REQUEST = 100;

/** The query string of one page request. */
export function studiesSearchParams(query: StudyQuery, pageSize: number, pageToken: string | undefined): URLSearchParams {
  const params = new URLSearchParams({ format: 'json', fields: 'protocolSection', pageSize: String(pageSize) });
  if (query.conditions && query.conditions.length > 0) params.set('query.cond', query.conditions.map(quoteTerm).join(' OR '));
  if (query.term) params.set('query.term', query.term);
  if (query.ids && query.ids.length > 0) params.set('filter.ids', query.ids.join(','));
  if (query.statuses && query.statuses.length > 0) params.set('filter.overallStatus', query.statuses.join(','));
  if (query.updatedSince) params.set('filter.advanced', `AREA[LastUpdatePostDate]RANGE[${query.updatedSince},MAX]`);
  if (pageToken) params.set('pageToken', pageToken);
  else params.set('countTotal', 'true');
  return params;
}

/** "low back pain" stays a phrase in Essie syntax rather than three words. */
function quoteTerm(term: string): string {
  return /\s/.test(term) && !/^".*"$/.test(term) ? `"${term.replace(/"/g, '')}"` : term;
}

/**
 * Every study matching `query`, page by page (raw v2 study objects, to be parsed by the caller).
 *
 * @throws RegistryApiError when a page is malformed or truncated, a request is refused, or
 *   retries run out.
 */
export async function fetchStudies(query: StudyQuery, options: FetchStudiesOptions = {}): Promise<unknown[]> {
  if (query.ids && query.ids.length > IDS_PER_REQUEST) {
    const studies: unknown[] = [];
    for (let start = 0; start < query.ids.length; start += IDS_PER_REQUEST) {
      studies.push(...(await fetchStudies({ ...query, ids: query.ids.slice(start, start + IDS_PER_REQUEST) }, options)));
    }
    return studies;
  }
  const apiUrl = (options.apiUrl ?? CTGOV_API_URL).replace(/\/+$/, '');
  const pageSize = options.pageSize ?? 100;
  const studies: unknown[] = [];
  let total: number | undefined;
  let pageToken: string | undefined;
  for (let page = 1; ; page++) {
    const url = `${apiUrl}/studies?${studiesSearchParams(query, pageSize, pageToken)}`;
    const body = await fetchPage(url, page, options);
    const document = parsePage(body, page);
    if (typeof document.totalCount === 'number') total = document.totalCount;
    studies.push(...document.studies);
    options.onPage?.(studies.length, total);
    pageToken = document.nextPageToken;
    if (!pageToken) return studies;
  }
}

interface StudiesPage {
  studies: unknown[];
  nextPageToken?: string;
  totalCount?: number;
}

function parsePage(body: string, page: number): StudiesPage {
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch (error) {
    throw new RegistryApiError(
      `page ${page} of the registry's answer is not complete JSON (${(error as Error).message}); ` +
        'the transfer was probably cut off. Nothing was written; run the sync again.',
    );
  }
  const record =
    document && typeof document === 'object' && !Array.isArray(document) ? (document as Record<string, unknown>) : undefined;
  if (!record || !Array.isArray(record.studies)) {
    throw new RegistryApiError(`page ${page} of the registry's answer has no "studies" list; nothing was written`);
  }
  if (record.nextPageToken !== undefined && (typeof record.nextPageToken !== 'string' || record.nextPageToken === '')) {
    throw new RegistryApiError(`page ${page} of the registry's answer has a malformed "nextPageToken"; nothing was written`);
  }
  return record as unknown as StudiesPage;
}

async function fetchPage(url: string, page: number, options: FetchStudiesOptions): Promise<string> {
  const doFetch = options.fetch ?? globalThis.fetch;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((wake) => setTimeout(wake, ms)));
  const maxAttempts = options.maxAttempts ?? 5;
  const baseDelay = options.baseDelayMs ?? 1_000;
  for (let attempt = 1; ; attempt++) {
    let reason: string;
    let retryAfterMs: number | undefined;
    try {
      const response = await doFetch(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(60_000) });
      if (response.ok) {
        try {
          return await response.text();
        } catch (error) {
          // The body stopped early (connection closed before Content-Length): a truncated page.
          throw new RegistryApiError(
            `page ${page} of the registry's answer was cut off (${(error as Error).message}); nothing was written; run the sync again`,
          );
        }
      }
      reason = `HTTP ${response.status}`;
      if (response.status !== 429 && response.status < 500) {
        throw new RegistryApiError(`the registry refused page ${page} (${reason}): ${(await response.text()).slice(0, 200)}`);
      }
      retryAfterMs = retryAfter(response.headers.get('retry-after'));
    } catch (error) {
      if (error instanceof RegistryApiError) throw error;
      reason = `network error (${(error as Error).message})`;
    }
    if (attempt >= maxAttempts) {
      throw new RegistryApiError(`page ${page} failed ${attempt} times (last: ${reason}); nothing was written`);
    }
    const delay = Math.min(MAX_DELAY_MS, Math.max(retryAfterMs ?? 0, baseDelay * 2 ** (attempt - 1)));
    options.onRetry?.(attempt, reason, delay);
    await sleep(delay);
  }
}

/** `Retry-After` in seconds (the API's 429s send it) or as an HTTP date, in ms. */
function retryAfter(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isFinite(at) ? Math.max(0, at - Date.now()) : undefined;
}
