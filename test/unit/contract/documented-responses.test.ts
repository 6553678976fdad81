/**
 * The integration tests' check of every real response against docs/openapi.json
 * (`test/setup/documented-responses.ts`) bites: a field the document does not list, at any
 * depth, and a success status it does not give, are reported.
 */
import { describe, expect, it } from '@jest/globals';
import { DocumentedResponses } from '#test/setup/documented-responses';

const documented = new DocumentedResponses();
const paused = { sitePaused: true, trialId: 'NCT00000001', siteId: 'site-1' };
const erasure = {
  erased: true,
  erasedAt: '2026-12-01T10:00:00.000Z',
  disclosedTo: [
    {
      trialId: 'NCT00000001',
      siteId: 'site-1',
      facility: 'Example Hospital',
      status: 'SENT',
      sentAt: '2026-12-01T09:00:00.000Z',
    },
  ],
};

describe('the check of responses against the OpenAPI document', () => {
  it('passes a response exactly as documented', () => {
    expect(documented.problems('pause-site', 200, paused)).toEqual([]);
    expect(documented.problems('erase-screening', 200, erasure)).toEqual([]);
  });

  it('reports a top-level field the document does not list', () => {
    expect(documented.problems('pause-site', 200, { ...paused, pausedBy: 'site' })).toEqual([
      'pause-site 200: / has "pausedBy", which the document does not list',
    ]);
  });

  it('reports a field the document does not list deep inside a list', () => {
    const withEmail = { ...erasure, disclosedTo: [{ ...erasure.disclosedTo[0], email: 'coordinator@hospital.example.org' }] };

    expect(documented.problems('erase-screening', 200, withEmail)).toEqual([
      'erase-screening 200: /disclosedTo/0 has "email", which the document does not list',
    ]);
  });

  it('reports a success status the document does not give', () => {
    expect(documented.problems('erase-screening', 204, undefined)).toEqual([
      'erase-screening answered 204, which the document does not give',
    ]);
  });

  it('reports an error body that is not in the contract error shape', () => {
    expect(documented.problems('get-site-lead', 403, { message: 'Forbidden' })).not.toEqual([]);
  });
});
