/**
 * Every response the real handlers send, checked against the OpenAPI document they are
 * generated with (`docs/openapi.json`), with every object closed: a field a handler sends that
 * the document does not list is an error, as is a success status the document does not give.
 * The integration tests' API client (`./api.ts`) checks each response it receives, so every
 * integration test doubles as a test of the document.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { PROJECT_ROOT } from '#lib/lambda-function';

interface Operation {
  operationId: string;
  responses: Record<string, { content?: { 'application/json'?: { schema: unknown } } }>;
}
interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
}

/**
 * A JSON Schema with `additionalProperties: false` on every object schema that lists its
 * properties and says nothing of others (records, which say, are left as they are).
 */
export function closeObjects(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closeObjects);
  if (!schema || typeof schema !== 'object') return schema;
  const closed: Record<string, unknown> = Object.fromEntries(
    Object.entries(schema).map(([key, value]) => [key, key === 'const' || key === 'enum' ? value : closeObjects(value)]),
  );
  if ('properties' in closed && !('additionalProperties' in closed)) closed.additionalProperties = false;
  return closed;
}

/** Checks response bodies against a document (the checked-in one by default). */
export class DocumentedResponses {
  private readonly operations = new Map<string, Operation>();
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly components: unknown;

  constructor(document: OpenApiDocument = JSON.parse(readFileSync(join(PROJECT_ROOT, 'docs/openapi.json'), 'utf8'))) {
    for (const methods of Object.values(document.paths))
      for (const operation of Object.values(methods)) this.operations.set(operation.operationId, operation);
    this.components = closeObjects(document.components);
  }

  /**
   * The ways a response of `operationId` departs from the document: an undocumented success
   * status, or a body field (or value) its schema does not allow. Empty when it conforms.
   */
  problems(operationId: string, status: number, body: unknown): string[] {
    const operation = this.operations.get(operationId);
    if (!operation) return [`${operationId} is not in the document`];
    const response = operation.responses[String(status)];
    if (!response) return status < 400 ? [`${operationId} answered ${status}, which the document does not give`] : [];
    const schema = response.content?.['application/json']?.schema;
    if (!schema) return body === undefined ? [] : [`${operationId} ${status} has a body the document does not describe`];
    const validate = this.validatorFor(`${operationId} ${status}`, schema);
    if (validate(body)) return [];
    return (validate.errors ?? []).map((error) =>
      error.keyword === 'additionalProperties'
        ? `${operationId} ${status}: ${error.instancePath || '/'} has "${String(error.params.additionalProperty)}", which the document does not list`
        : `${operationId} ${status}: ${error.instancePath || '/'} ${error.message ?? 'does not match'}`,
    );
  }

  private validatorFor(key: string, schema: unknown): ValidateFunction {
    let validate = this.validators.get(key);
    if (!validate) {
      // References point into the document's components (`#/components/schemas/...`).
      validate = this.ajv.compile({ ...(closeObjects(schema) as object), components: this.components });
      this.validators.set(key, validate);
    }
    return validate;
  }
}
