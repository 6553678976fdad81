/**
 * Lambda entry `reconcile-leads` (see `functions/catalogue.ts`): runs on a schedule and re-drives
 * leads and confirmations left PENDING or stale in SENDING. Configuration is parsed at cold start.
 */
import { loadConfig } from '../adapters/config';
import { createLeadDelivery } from '../adapters/lead-delivery';
import { createReconcileLeadsHandler } from './reconciler';

export const handler = createReconcileLeadsHandler(createLeadDelivery(loadConfig('reconcile-leads')));
