/** Jest global teardown: stops the services `global-setup.ts` started (no orphan java). */
export default async function globalTeardown(): Promise<void> {
  const services = globalThis.__TRIAL_SCREENER_TEST_SERVICES__;
  if (!services) return;
  globalThis.__TRIAL_SCREENER_TEST_SERVICES__ = undefined;
  await Promise.all([
    services.dynamoDb.stop(),
    new Promise<void>((resolve) => {
      services.ses.closeAllConnections();
      services.ses.close(() => resolve());
    }),
  ]);
}
