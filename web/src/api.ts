/**
 * The form's client for the trial-screener HTTP API (v1). The request and response types are the
 * server's own (`functions/contract/api.ts`, `functions/contract/http.ts`), so the form compiles
 * against what the handlers validate and return.
 *
 * Every error the API returns has the shape `{error: {code, message, details?}}`; it becomes an
 * `ApiError` so screens can show the message in plain words and put each detail next to its field.
 */
import type {
  CreateReferralRequest,
  ErasureResponse,
  ReferralResponse,
  ScreenerResponse,
  ScreeningResponse,
  ScreeningStatusResponse,
  SiteLeadResponse,
  SiteOutcomeResponse,
  SitePausedResponse,
  SubmitScreeningRequest,
} from '#functions/contract/api';
import type { ApiErrorDetail } from '#functions/contract/http';
import type { Answers } from '#core/model';

export type {
  CreateReferralRequest as ReferralRequest,
  ErasureResponse,
  ReferralLead,
  ReferralResponse,
  ScreeningResponse,
  ScreeningStatusResponse,
  SiteLeadResponse as SiteLeadView,
} from '#functions/contract/api';
export type { ApiErrorDetail } from '#functions/contract/http';
import type { NotEligibleReason, SiteOutcome } from '#core/site-leads';
export type { ScreeningStatusLead as ScreeningLead } from '#functions/contract/api';

/** An error response from the API, or a network failure (`code: NETWORK`). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ApiErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const NETWORK_MESSAGE = 'We could not reach the service. Check your internet connection and try again.';

/**
 * Where the API lives. In AWS the deploy writes `config.json` beside the page; locally the API is
 * served from the same origin, so a missing or unreadable file means "same origin".
 */
export async function resolveApiBaseUrl(fetchImpl: typeof fetch = fetch, configUrl = 'config.json'): Promise<string> {
  try {
    const response = await fetchImpl(configUrl, { headers: { accept: 'application/json' }, cache: 'no-store' });
    if (!response.ok) return '';
    const config: unknown = await response.json();
    if (config && typeof config === 'object' && 'apiBaseUrl' in config && typeof config.apiBaseUrl === 'string') {
      return config.apiBaseUrl.replace(/\/+$/, '');
    }
  } catch {
    // A static host may answer unknown paths with index.html; that is "no config" too.
  }
  return '';
}

export class ScreenerApi {
  constructor(
    private readonly baseUrl: string,
    private readonly fetchImpl: typeof fetch = (input, init) => fetch(input, init),
  ) {}

  getScreener(screenerId: string): Promise<ScreenerResponse> {
    return this.request<ScreenerResponse>('GET', `/screeners/${encodeURIComponent(screenerId)}`);
  }

  /** The idempotency key must be reused when the same submission is retried. */
  submitScreening(screenerId: string, answers: Answers, idempotencyKey: string): Promise<ScreeningResponse> {
    const body: SubmitScreeningRequest = { screenerId, answers };
    return this.request<ScreeningResponse>('POST', '/screenings', {
      body,
      headers: { 'idempotency-key': idempotencyKey },
    });
  }

  createReferral(screeningId: string, token: string, referral: CreateReferralRequest): Promise<ReferralResponse> {
    return this.request<ReferralResponse>('POST', `/screenings/${encodeURIComponent(screeningId)}/referrals`, {
      body: referral,
      token,
    });
  }

  /** The screening with each lead's status and progress (for the confirmation screen). */
  getScreening(screeningId: string, token: string): Promise<ScreeningStatusResponse> {
    return this.request<ScreeningStatusResponse>('GET', `/screenings/${encodeURIComponent(screeningId)}`, { token });
  }

  /** Erases the screening; the answer names the sites that had already received the patient's details. */
  eraseScreening(screeningId: string, token: string): Promise<ErasureResponse> {
    return this.request<ErasureResponse>('DELETE', `/screenings/${encodeURIComponent(screeningId)}`, { token });
  }

  /** The lead page: one lead for its site, with the lead page link's token. */
  getSiteLead(leadId: string, token: string): Promise<SiteLeadResponse> {
    return this.request<SiteLeadResponse>('GET', `/site/leads/${encodeURIComponent(leadId)}`, { token });
  }

  recordSiteOutcome(
    leadId: string,
    token: string,
    outcome: { outcome: SiteOutcome; reason?: NotEligibleReason; note?: string },
  ): Promise<SiteOutcomeResponse> {
    return this.request<SiteOutcomeResponse>('POST', `/site/leads/${encodeURIComponent(leadId)}/outcomes`, {
      token,
      body: outcome,
    });
  }

  /** "Stop sending leads to this site". */
  pauseSite(leadId: string, token: string, reason?: string): Promise<SitePausedResponse> {
    return this.request<SitePausedResponse>('POST', `/site/leads/${encodeURIComponent(leadId)}/pause-site`, {
      token,
      body: reason ? { reason } : {},
    });
  }

  private async request<T>(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    options: { body?: unknown; token?: string; headers?: Record<string, string> } = {},
  ): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let response: Response;
    try {
      response = await this.fetchImpl(`${this.baseUrl}${path}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      });
    } catch {
      throw new ApiError(0, 'NETWORK', NETWORK_MESSAGE);
    }
    const text = await response.text();
    const parsed: unknown = text ? safeJson(text) : undefined;
    if (!response.ok) throw toApiError(response.status, parsed);
    return parsed as T;
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function toApiError(status: number, body: unknown): ApiError {
  const error = body && typeof body === 'object' && 'error' in body ? (body.error as Record<string, unknown>) : undefined;
  const code = typeof error?.code === 'string' ? error.code : `HTTP_${status}`;
  const message =
    typeof error?.message === 'string' && error.message
      ? error.message
      : status === 429
        ? 'Too many requests just now. Please wait a moment and try again.'
        : 'Something went wrong on our side. Please try again in a moment.';
  const details = Array.isArray(error?.details)
    ? (error.details as unknown[]).filter(
        (d): d is ApiErrorDetail =>
          !!d &&
          typeof d === 'object' &&
          Array.isArray((d as ApiErrorDetail).path) &&
          typeof (d as ApiErrorDetail).message === 'string',
      )
    : [];
  return new ApiError(status, code, message, details);
}
