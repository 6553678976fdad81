/**
 * Lambda entry `deliver-leads` (see `functions/catalogue.ts`): invoked by the table's stream for
 * each batch of new Lead and Confirmation items. Configuration is parsed at cold start.
 */
import { loadConfig } from '../adapters/config';
import { createLeadDelivery } from '../adapters/lead-delivery';
import { createDeliverLeadsHandler } from './stream-handler';

export const handler = createDeliverLeadsHandler(createLeadDelivery(loadConfig('deliver-leads')));
