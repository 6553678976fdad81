/** Lambda entry of the email-event recorder (see `handler.ts`). */
import { loadConfig } from '#adapters/config';
import { tableRef } from '#adapters/dynamo';
import { EmailEventRepository } from '#adapters/email-event-repository';
import { logger } from '#adapters/logger';
import { siteMetrics } from '#adapters/site-metrics';
import { SitePauseWriter } from '#adapters/site-pause-repository';
import { createEmailEventHandler } from './handler';

const config = loadConfig('record-email-events');
const table = tableRef(config.TABLE_NAME);

export const handler = createEmailEventHandler({
  events: new EmailEventRepository(table),
  pauses: new SitePauseWriter(table),
  metrics: siteMetrics(config.DEPLOYMENT_STAGE),
  logger,
  now: () => new Date(),
});
