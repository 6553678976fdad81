/**
 * Benchmark 3, the local API under load: `autocannon` against `POST /screenings` on the running
 * local stack at 10 and 50 connections. Each request is what the web form sends: the typical
 * patient's answers with a fresh `Idempotency-Key`, so every request evaluates and stores a new
 * screening (no replays). Any error, timeout or non-2xx answer counts as an error.
 */
import { randomUUID } from 'node:crypto';
// @ts-expect-error autocannon ships no type declarations; the shape used is declared below.
import autocannon from 'autocannon';
import type { Answers } from '#core/model';

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  duration: number;
}

export interface LoadRow {
  connections: number;
  durationSeconds: number;
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  requests: number;
  /** Connection errors + timeouts + non-2xx answers. */
  errors: number;
}

export interface LoadOptions {
  baseUrl: string;
  answers: Answers;
  connectionLevels: readonly number[];
  durationSeconds: number;
  warmupSeconds: number;
}

function fire(options: LoadOptions, connections: number, durationSeconds: number): Promise<AutocannonResult> {
  const body = JSON.stringify({ screenerId: 'lower-back-pain', answers: options.answers });
  return (autocannon as (opts: unknown) => Promise<AutocannonResult>)({
    url: options.baseUrl,
    connections,
    duration: durationSeconds,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        path: '/screenings',
        headers: { 'content-type': 'application/json' },
        body,
        // A fresh key per request, as the web form sends one per submission.
        setupRequest: (request: { headers: Record<string, string> }) => ({
          ...request,
          headers: { ...request.headers, 'idempotency-key': randomUUID() },
        }),
      },
    ],
  });
}

export async function runLoadBenchmark(options: LoadOptions): Promise<LoadRow[]> {
  // Handlers import lazily on first request and compile the catalog once: not part of the figures.
  if (options.warmupSeconds > 0) await fire(options, 2, options.warmupSeconds);
  const rows: LoadRow[] = [];
  for (const connections of options.connectionLevels) {
    const result = await fire(options, connections, options.durationSeconds);
    rows.push({
      connections,
      durationSeconds: options.durationSeconds,
      requestsPerSecond: result.requests.average,
      latencyP50Ms: result.latency.p50,
      latencyP99Ms: result.latency.p99,
      requests: result.requests.total,
      errors: result.errors + result.timeouts + result.non2xx,
    });
  }
  return rows;
}
