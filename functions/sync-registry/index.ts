/**
 * Lambda entry `sync-registry` (see `functions/function-manifest.ts`): runs on the operator's
 * schedule (`lib/registry-sync-construct.ts`) and syncs the catalog from the ClinicalTrials.gov
 * API v2 (`sync-job.ts`). Configuration is parsed at cold start.
 */
import { loadConfig } from '#adapters/config';
import { tableRef } from '#adapters/dynamo';
import { createRegistrySyncJob } from './sync-job';

const config = loadConfig('sync-registry');
const run = createRegistrySyncJob(
  {
    apiUrl: config.REGISTRY_API_URL,
    conditions: config.REGISTRY_CONDITIONS,
    screenerIds: config.REGISTRY_SCREENER_IDS,
    maxRecordAgeDays: config.MAX_RECORD_AGE_DAYS,
  },
  { table: tableRef(config.TABLE_NAME) },
);

export const handler = async (): Promise<void> => {
  await run();
};
