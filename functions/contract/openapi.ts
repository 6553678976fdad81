/**
 * The OpenAPI 3.1 document of the API, generated from the routes of the function manifest and the
 * request and response schemas of the contract with zod 4's JSON Schema output (draft 2020-12,
 * the dialect OpenAPI 3.1 uses). `npm run openapi` writes it to `docs/openapi.json`, a test
 * checks the file is current, and `GET /openapi.json` serves it.
 */
import { httpFunctions, type HttpFunctionSpec } from '#functions/function-manifest';
import * as z from '#core/zod';
import { CreateReferralRequest, ScreenerPath, ScreeningPath, SubmitScreeningRequest } from './api';
import {
  ErasureBody,
  ErrorBody,
  ReferralBody,
  ScreenerBody,
  ScreenerListBody,
  ScreeningBody,
  ScreeningStatusBody,
  SiteLeadBody,
  SiteOutcomeRecordedBody,
  SitePausedBody,
} from './api-responses';
import { ALLOWED_REQUEST_HEADERS, API_ERRORS, API_VERSION, MAX_REQUEST_BODY_BYTES } from './http';
import { PauseSiteRequest, RecordOutcomeRequest, SiteLeadPath } from './site-lead-requests';

type Schema = z.core.$ZodType;

/** What the document says of one route beyond its method and path. */
interface RouteContract {
  summary: string;
  path?: Schema;
  body?: Schema;
  idempotencyKey?: boolean;
  auth?: 'screening-token' | 'lead-link-token';
  success: { status: number; description: string; body?: Schema };
  errors: number[];
}

const ROUTES: Record<string, RouteContract> = {
  'list-screeners': {
    summary: 'List the screeners',
    success: { status: 200, description: 'The screeners', body: ScreenerListBody },
    errors: [],
  },
  'get-screener': {
    summary: 'One screener: questions, branching, urgent-care message, consent text',
    path: ScreenerPath,
    success: { status: 200, description: 'The screener', body: ScreenerBody },
    errors: [400, 404],
  },
  'submit-screening': {
    summary: 'Evaluate answers against every recruiting trial and store the screening',
    body: SubmitScreeningRequest,
    idempotencyKey: true,
    success: { status: 201, description: 'The screening, its token and per-trial results', body: ScreeningBody },
    errors: [400, 409, 413, 415, 503],
  },
  'create-referral': {
    summary: 'Refer the patient to the chosen trials: one pending lead per trial site',
    path: ScreeningPath,
    body: CreateReferralRequest,
    auth: 'screening-token',
    success: { status: 202, description: 'The referral and its pending leads', body: ReferralBody },
    errors: [400, 401, 403, 409, 413, 415],
  },
  'get-screening': {
    summary: "A screening's results and each lead's delivery status",
    path: ScreeningPath,
    auth: 'screening-token',
    success: { status: 200, description: 'The screening', body: ScreeningStatusBody },
    errors: [401, 403],
  },
  'erase-screening': {
    summary: "Erase the patient's screening, referral, leads and confirmation",
    path: ScreeningPath,
    auth: 'screening-token',
    success: { status: 200, description: "Erased; the sites that had already received the patient's details", body: ErasureBody },
    errors: [401, 403],
  },
  'get-site-lead': {
    summary: 'The lead for its site (lead page)',
    path: SiteLeadPath,
    auth: 'lead-link-token',
    success: { status: 200, description: 'The lead', body: SiteLeadBody },
    errors: [401, 403],
  },
  'record-site-outcome': {
    summary: 'The site records what happened to the lead',
    path: SiteLeadPath,
    body: RecordOutcomeRequest,
    auth: 'lead-link-token',
    success: { status: 201, description: 'The outcome recorded, and the whole history', body: SiteOutcomeRecordedBody },
    errors: [400, 401, 403, 409],
  },
  'pause-site': {
    summary: 'The site asks for no more leads',
    path: SiteLeadPath,
    body: PauseSiteRequest,
    auth: 'lead-link-token',
    success: { status: 200, description: 'The site is paused', body: SitePausedBody },
    errors: [400, 401, 403],
  },
  'get-openapi': {
    summary: 'This document',
    success: { status: 200, description: 'The OpenAPI 3.1 document', body: z.record(z.string(), z.unknown()) },
    errors: [],
  },
};

/** The error codes that answer with `status`, for the document's descriptions. */
function codesWithStatus(status: number): string[] {
  return Object.entries(API_ERRORS)
    .filter(([, error]) => error.status === status)
    .map(([code]) => code);
}

/**
 * Definitions shared by reference (recursive schemas such as a JsonLogic rule), hoisted from each
 * schema's own `$defs` into the document's components, where OpenAPI resolves `#/...` references.
 */
type SharedSchemas = Map<string, { name: string; schema: unknown }>;

/** A schema as JSON Schema 2020-12, requests as sent (`input`), responses as returned (`output`). */
function jsonSchema(schema: Schema, io: 'input' | 'output', shared: SharedSchemas): Record<string, unknown> {
  const {
    $schema: _dialect,
    $defs,
    ...rest
  } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any', reused: 'inline' });
  if (!$defs) return rest;
  const names = new Map<string, string>();
  for (const [local, definition] of Object.entries($defs)) {
    const key = JSON.stringify(definition);
    const name = shared.get(key)?.name ?? `Shared${shared.size + 1}`;
    shared.set(key, { name, schema: definition });
    names.set(local, name);
  }
  const rewrite = (text: string) =>
    text.replace(/"#\/\$defs\/([^"]+)"/g, (_whole, local: string) => `"#/components/schemas/${names.get(local) ?? local}"`);
  for (const entry of shared.values()) entry.schema = JSON.parse(rewrite(JSON.stringify(entry.schema)));
  return JSON.parse(rewrite(JSON.stringify(rest)));
}

function operation(spec: HttpFunctionSpec, shared: SharedSchemas) {
  const route = ROUTES[spec.name] ?? {
    summary: spec.description,
    success: { status: 200, description: 'OK' },
    errors: [],
  };
  const parameters: Record<string, unknown>[] = [];
  if (route.path) {
    const properties = (jsonSchema(route.path, 'input', shared).properties ?? {}) as Record<string, unknown>;
    for (const [name, schema] of Object.entries(properties)) parameters.push({ name, in: 'path', required: true, schema });
  }
  if (route.idempotencyKey) {
    parameters.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description: 'A replay with the same key returns the first response; the same key with another body is a 409',
      schema: { type: 'string', pattern: '^[\\x21-\\x7e]{8,128}$' },
    });
  }
  const errors = [...new Set([...route.errors, 429, 500])].sort((a, b) => a - b);
  return {
    operationId: spec.name,
    summary: route.summary,
    description: spec.description,
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.auth ? { security: [{ [route.auth === 'screening-token' ? 'screeningToken' : 'leadLinkToken']: [] }] } : {}),
    ...(route.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input', shared) } } } }
      : {}),
    responses: {
      [String(route.success.status)]: {
        description: route.success.description,
        ...(route.success.body
          ? { content: { 'application/json': { schema: jsonSchema(route.success.body, 'output', shared) } } }
          : {}),
      },
      ...Object.fromEntries(
        errors.map((status) => [
          String(status),
          {
            description: codesWithStatus(status).join(', ') || 'Error',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
          },
        ]),
      ),
    },
  };
}

/** The OpenAPI 3.1 document of API v1. */
export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const shared: SharedSchemas = new Map();
  const error = jsonSchema(ErrorBody, 'output', shared);
  for (const spec of httpFunctions()) {
    const methods = paths[spec.trigger.path] ?? {};
    methods[spec.trigger.method.toLowerCase()] = operation(spec, shared);
    paths[spec.trigger.path] = methods;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'trial-screener API',
      version: API_VERSION,
      description:
        `Clinical-trial eligibility pre-screening and referral. JSON in and out; request bodies up to ${MAX_REQUEST_BODY_BYTES / 1024} KB; ` +
        `requests may send the headers ${ALLOWED_REQUEST_HEADERS.join(', ')}. Every error is {"error": {"code", "message", "details"?}}.`,
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    // Relative to this document: the stage in AWS (`/v1/openapi.json`), the origin locally.
    servers: [{ url: '.' }],
    paths,
    components: {
      schemas: { Error: error, ...Object.fromEntries([...shared.values()].map(({ name, schema }) => [name, schema])) },
      securitySchemes: {
        screeningToken: { type: 'http', scheme: 'bearer', description: 'The token returned with the screening' },
        leadLinkToken: { type: 'http', scheme: 'bearer', description: "The token of the site's lead page link" },
      },
    },
  };
}
