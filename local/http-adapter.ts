/**
 * The local API Gateway: a `node:http` server that turns each request into the API Gateway REST
 * proxy event the deployed API would send, calls the same handler (routes from the function
 * manifest), and writes its response back. It also serves the built web form from `web/dist`
 * on the same origin, as CloudFront does in AWS.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, resolve, sep } from 'node:path';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { preflightHandler } from '#adapters/http-handler';
import { errorBody, WEB_CONFIG_FILE, type WebConfig, webSecurityHeaders } from '#functions/contract/http';
import { SITE_LEAD_PAGE_PREFIX, isSiteLeadPagePath } from '#core/site-leads';
import { apiRoutes, buildProxyEvent, invokeRoute, matchRoute } from './api-routes';

/** API Gateway REST refuses payloads over 10 MB before any Lambda runs; so does this adapter. */
const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

/** The form's `config.json`, as the deploy writes it: here the API is on the page's own origin. */
const WEB_CONFIG: WebConfig = { apiBaseUrl: '' };

/**
 * The form's security headers as CloudFront sends them (the API on the same origin, no HSTS on
 * plain HTTP), so local runs and the browser tests catch CSP violations too.
 */
const WEB_SECURITY_HEADERS = webSecurityHeaders({ https: false });

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

export interface HttpAdapterOptions {
  port: number;
  /** Interface to listen on; loopback by default (this is a development server). */
  host?: string;
  allowedOrigins: string[];
  /** Folder of the built web form; not served when it does not exist. */
  webRoot?: string;
  /** One line per request (method, path, status, duration): never a body. */
  log?: (line: string) => void;
}

export interface RunningHttpAdapter {
  url: string;
  server: Server;
  stop(): Promise<void>;
}

export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly variable: string,
  ) {
    super(`Port ${port} is already in use. Stop what uses it, or choose another port: ${variable}=${port + 1} npm start`);
    this.name = 'PortInUseError';
  }
}

/** Starts the server; resolves once it listens. */
export async function startHttpAdapter(options: HttpAdapterOptions): Promise<RunningHttpAdapter> {
  const routes = apiRoutes();
  const preflight = preflightHandler(options.allowedOrigins);
  const webRoot = options.webRoot && (await isDirectory(options.webRoot)) ? resolve(options.webRoot) : undefined;

  const server = createServer((request, response) => {
    const started = performance.now();
    handle(request, response)
      .catch((error: unknown) => {
        // Name only: the adapter never prints request data.
        options.log?.(`error ${(error as Error)?.name ?? 'Error'} while serving ${request.method} ${pathOf(request)}`);
        if (!response.headersSent) sendJson(response, 500, { error: { code: 'INTERNAL', message: 'The local server failed.' } });
        else response.end();
      })
      .finally(() => {
        options.log?.(
          `${request.method} ${pathOf(request)} ${response.statusCode} ${Math.round(performance.now() - started)} ms`,
        );
      });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = request.method ?? 'GET';
    const url = new URL(request.url ?? '/', 'http://localhost');
    const path = url.pathname;

    const body = await readBody(request);
    if (body === undefined) {
      sendJson(response, 413, errorBody('PAYLOAD_TOO_LARGE'));
      return;
    }

    if (method === 'OPTIONS') {
      const match = matchRoute(routes, 'OPTIONS', path);
      if (match.kind === 'none') return notFound(response);
      // CORS preflight, answered with the same rules as the handlers (API Gateway does this in AWS).
      const event = buildProxyEvent({ method, path, query: url.searchParams, headers: request.headers, resource: path });
      const result = await preflight(event, {} as never);
      return sendProxyResult(response, result);
    }

    // The lead page and `GET /site/leads/{leadId}` share a path here, where the form and the API
    // share an origin (in AWS they are on two origins): a browser opening the link asks for HTML
    // and sends no token; the page's API call sends its token and asks for JSON.
    if (webRoot && (method === 'GET' || method === 'HEAD') && isSiteLeadPagePath(path) && opensPage(request)) {
      if (await serveStatic(webRoot, SITE_LEAD_PAGE_PREFIX, method, response)) return;
    }

    const match = matchRoute(routes, method, path);
    if (match.kind === 'route') {
      const result = await invokeRoute(match.route, {
        method,
        path,
        query: url.searchParams,
        headers: request.headers,
        body: body.length > 0 ? body.toString('utf8') : undefined,
        pathParameters: match.pathParameters,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
      });
      return sendProxyResult(response, result);
    }
    if (match.kind === 'malformed') {
      sendJson(response, 400, errorBody('INVALID_REQUEST', 'The address is not valid: it has a malformed percent-escape.'));
      return;
    }
    if (match.kind === 'method-not-allowed') {
      response.setHeader('Allow', match.allowedMethods.join(', '));
      sendJson(response, 405, errorBody('METHOD_NOT_ALLOWED', `Use ${match.allowedMethods.join(' or ')}.`));
      return;
    }

    if (webRoot && (method === 'GET' || method === 'HEAD') && path === `/${WEB_CONFIG_FILE}`) {
      return sendJson(response, 200, WEB_CONFIG);
    }
    if (webRoot && (method === 'GET' || method === 'HEAD') && (await serveStatic(webRoot, path, method, response))) return;
    notFound(response);
  }

  // A request Node's parser refuses (bad framing, invalid characters) still gets the API's JSON
  // error body, not Node's bare 400.
  server.on('clientError', (_error, socket) => {
    if (!socket.writable) return socket.destroy();
    const body = JSON.stringify(errorBody('INVALID_REQUEST', 'The request could not be read.'));
    socket.end(
      `HTTP/1.1 400 Bad Request\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });

  await new Promise<void>((resolveListening, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(options.port, 'PORT') : error);
    });
    server.listen(options.port, options.host ?? '127.0.0.1', () => resolveListening());
  });

  return {
    url: `http://localhost:${options.port}`,
    server,
    stop: () =>
      new Promise<void>((resolveClosed) => {
        server.closeAllConnections();
        server.close(() => resolveClosed());
      }),
  };
}

/** A browser navigating to a page: asks for HTML and carries no bearer token. */
function opensPage(request: IncomingMessage): boolean {
  return !request.headers.authorization && /\btext\/html\b/.test(request.headers.accept ?? '');
}

function pathOf(request: IncomingMessage): string {
  return new URL(request.url ?? '/', 'http://localhost').pathname;
}

/** The whole body, or undefined when it exceeds the API Gateway limit. */
async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function sendProxyResult(response: ServerResponse, result: APIGatewayProxyResult): void {
  response.statusCode = result.statusCode;
  for (const [name, value] of Object.entries(result.headers ?? {})) response.setHeader(name, String(value));
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) response.setHeader(name, values.map(String));
  const body = result.body ?? '';
  response.end(result.isBase64Encoded ? Buffer.from(body, 'base64') : body);
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.statusCode = status;
  response.setHeader('Content-Type', 'application/json; charset=utf-8');
  response.setHeader('Cache-Control', 'no-store');
  response.end(JSON.stringify(body));
}

function notFound(response: ServerResponse): void {
  sendJson(response, 404, { error: { code: 'NOT_FOUND', message: 'There is nothing at this address.' } });
}

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** Serves a file of the built form; false when there is none at this path. */
async function serveStatic(webRoot: string, path: string, method: string, response: ServerResponse): Promise<boolean> {
  let relative: string;
  try {
    relative = decodeURIComponent(path);
  } catch {
    return false;
  }
  if (relative.endsWith('/')) relative += 'index.html';
  const file = resolve(webRoot, `.${relative}`);
  // Never outside the web root (`/../`, encoded or not).
  if (file !== webRoot && !file.startsWith(webRoot + sep)) return false;
  let info;
  try {
    info = await stat(file);
  } catch {
    return false;
  }
  if (!info.isFile()) return false;

  response.statusCode = 200;
  response.setHeader('Content-Type', CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream');
  response.setHeader('Content-Length', info.size);
  // Hashed assets may be cached; the page itself must always be fresh.
  response.setHeader('Cache-Control', relative.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
  for (const [name, value] of Object.entries(WEB_SECURITY_HEADERS)) response.setHeader(name, value);
  if (method === 'HEAD') {
    response.end();
    return true;
  }
  await new Promise<void>((resolveSent, reject) => {
    const stream = createReadStream(file);
    stream.once('error', reject);
    response.once('finish', () => resolveSent());
    stream.pipe(response);
  });
  return true;
}
