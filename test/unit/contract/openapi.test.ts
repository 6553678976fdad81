import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { openApiDocument } from '#functions/contract/openapi';
import { httpFunctions } from '#functions/function-manifest';
import { OPENAPI_FILE, renderOpenApi } from '../../../scripts/openapi';

const document = openApiDocument() as {
  openapi: string;
  paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown> }>>;
  components: { schemas: Record<string, unknown> };
};

describe('the OpenAPI document', () => {
  it('is current in docs/openapi.json (run `npm run openapi` after changing a route or a schema)', () => {
    expect(readFileSync(OPENAPI_FILE, 'utf8')).toBe(renderOpenApi());
  });

  it('is OpenAPI 3.1 with every HTTP route of the function manifest, by method and path', () => {
    expect(document.openapi).toBe('3.1.0');
    for (const spec of httpFunctions()) {
      expect(document.paths[spec.trigger.path]?.[spec.trigger.method.toLowerCase()]?.operationId).toBe(spec.name);
    }
  });

  it('answers every operation with its errors in the contract error shape', () => {
    for (const methods of Object.values(document.paths)) {
      for (const operation of Object.values(methods)) {
        expect(operation.responses['500']).toEqual(
          expect.objectContaining({ content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } }),
        );
      }
    }
  });

  it('resolves every reference inside the document', () => {
    const references = [...JSON.stringify(document).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map(
      (match) => match[1]!,
    );

    expect(references.length).toBeGreaterThan(0);
    for (const name of references) expect(document.components.schemas).toHaveProperty([name]);
    expect(JSON.stringify(document)).not.toContain('#/$defs/');
  });

  it('describes the referral request as the handler validates it: explicit consent only', () => {
    const body = document.paths['/screenings/{screeningId}/referrals']!.post as unknown as {
      requestBody: {
        content: { 'application/json': { schema: { properties: { consent: { properties: { shareWithSites: unknown } } } } } };
      };
    };

    expect(body.requestBody.content['application/json'].schema.properties.consent.properties.shareWithSites).toEqual({
      type: 'boolean',
      const: true,
    });
  });
});
