/**
 * Lambda entry `deliver-leads` (see `functions/function-manifest.ts`): invoked by the table's stream for
 * each batch of new Lead and Confirmation items. Configuration is parsed at cold start.
 */
import { loadConfig } from '#adapters/config';
import { createOutboxDelivery } from '#adapters/outbox-delivery';
import { createDeliverLeadsHandler } from './stream-handler';

export const handler = createDeliverLeadsHandler(createOutboxDelivery(loadConfig('deliver-leads')));
