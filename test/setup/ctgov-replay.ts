/**
 * A local stand-in for the ClinicalTrials.gov API v2 `/studies` endpoint: a `node:http` server
 * that replays pages built from the real registry records in `test/fixtures/ctgov/` (copied from
 * the shared AACT fixtures), with the faults a sync must survive or refuse: 429 with
 * `Retry-After`, 500, and a truncated page. It records every request for assertions on the
 * query parameters.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One real v2 study from the fixtures, optionally changed (a later version of the record). */
// biome-ignore lint/suspicious/noExplicitAny: a registry record is edited freely by tests (a later version of it)
export function fixtureStudy(nctId: string, change: (study: any) => void = () => undefined): unknown {
  const document = JSON.parse(readFileSync(new URL(`../fixtures/ctgov/${nctId}.json`, import.meta.url), 'utf8'));
  const study = Array.isArray(document.studies) ? document.studies[0] : document;
  const copy = structuredClone(study);
  change(copy);
  return copy;
}

/** What the server answers to one request, in order of arrival per search. */
export type ReplayAnswer =
  | { page: unknown[]; nextPageToken?: string; totalCount?: number }
  | { status: number; retryAfterSeconds?: number }
  /** A page whose body stops halfway (the connection closes early). */
  | { truncated: unknown[] }
  /** A body sent as is (not an API v2 page). */
  | { raw: string };

export interface ReplayServer {
  url: string;
  /** Every request's query parameters, in order. */
  requests: URLSearchParams[];
  close(): Promise<void>;
}

/**
 * Starts the server. `answers` maps a search to its answers in order: the key is `ids` for a
 * request with `filter.ids`, otherwise `cond`. A request beyond the script gets an empty page.
 */
export async function startReplayServer(answers: { cond?: ReplayAnswer[]; ids?: ReplayAnswer[] }): Promise<ReplayServer> {
  const queues = { cond: [...(answers.cond ?? [])], ids: [...(answers.ids ?? [])] };
  const requests: URLSearchParams[] = [];
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== '/api/v2/studies') {
      response.writeHead(404).end();
      return;
    }
    requests.push(url.searchParams);
    const answer = queues[url.searchParams.has('filter.ids') ? 'ids' : 'cond'].shift() ?? { page: [] };
    if ('status' in answer) {
      response.writeHead(answer.status, {
        'content-type': 'application/json',
        ...(answer.retryAfterSeconds !== undefined && { 'retry-after': String(answer.retryAfterSeconds) }),
      });
      response.end(JSON.stringify({ error: `replayed ${answer.status}` }));
      return;
    }
    if ('truncated' in answer) {
      const body = JSON.stringify({ studies: answer.truncated, nextPageToken: 'more' });
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
      response.flushHeaders();
      // The transfer stops halfway, as a dropped connection does.
      response.write(body.slice(0, Math.floor(body.length / 2)), () => setTimeout(() => response.destroy(), 20));
      return;
    }
    if ('raw' in answer) {
      response.writeHead(200, { 'content-type': 'application/json' }).end(answer.raw);
      return;
    }
    const body: Record<string, unknown> = { studies: answer.page };
    if (answer.nextPageToken) body.nextPageToken = answer.nextPageToken;
    if (answer.totalCount !== undefined) body.totalCount = answer.totalCount;
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/v2`,
    requests,
    close: () => new Promise<void>((closed) => server.close(() => closed())),
  };
}
