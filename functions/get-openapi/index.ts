/** `GET /openapi.json`: the OpenAPI 3.1 document, generated from the contract (`npm run openapi`). */
import { httpHandler, ok } from '#adapters/http-handler';
import document from '../../docs/openapi.json' with { type: 'json' };

export const handler = httpHandler({ functionName: 'get-openapi' }, async () => ({
  ...ok(document),
  headers: { 'Cache-Control': 'public, max-age=300' },
}));
