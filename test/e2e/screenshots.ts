/**
 * Writes a screenshot of every screen of the patient form, at a phone size (390×844) and a desktop
 * size (1280×800), to `docs/screenshots/`. Run with `npx tsx test/e2e/screenshots.ts`: it builds
 * nothing, so build the form first (`npm run build:web`). It starts the local stack itself, or
 * uses one already running when `SCREENSHOT_BASE_URL` is set (e.g. `http://localhost:3000`), with
 * its SES emulator at `SCREENSHOT_SES_URL` (default `http://localhost:8005`).
 */
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import {
  DESKTOP_VIEWPORT,
  PHONE_VIEWPORT,
  TYPICAL_PATIENT,
  answerAsTypicalPatient,
  answerCurrentQuestion,
  launchBrowser,
  typicalPatientWith,
  waitForHeading,
} from './browser';
import {
  askToErase,
  confirmErasure,
  erasureLinkIn,
  openContactForm,
  openStartPage,
  pressStart,
  sendContactDetails,
  sendEmptyContactForm,
  submitWithoutAnswer,
  waitForEmail,
} from './journeys';
import { startE2eStack } from './local-stack';

const OUTPUT_DIR = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));

type Viewport = { width: number; height: number };

/** Every screen, in journey order; each step leaves the page on the screen it names. */
async function captureAll(page: Page, baseUrl: string, sesUrl: string, size: string): Promise<string[]> {
  const written: string[] = [];
  const shoot = async (name: string) => {
    // Let the focus ring and any transition settle; screenshots are of the resting screen.
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    const file = `${name}-${size}.png`;
    await page.screenshot({ path: `${OUTPUT_DIR}${file}`, fullPage: true });
    written.push(file);
  };

  await openStartPage(page, baseUrl);
  await shoot('01-start');

  await pressStart(page);
  await submitWithoutAnswer(page);
  await shoot('02-question-error');
  for (const [heading, answer] of TYPICAL_PATIENT.slice(0, 2)) {
    await waitForHeading(page, heading);
    await answerCurrentQuestion(page, answer);
  }
  await waitForHeading(page, /Which medicines/);
  await page.getByLabel('Paracetamol (acetaminophen)').check();
  await shoot('03-question-multiple-choice');

  await openStartPage(page, baseUrl);
  await pressStart(page);
  for (const [heading, answer] of TYPICAL_PATIENT.slice(0, 6)) {
    await waitForHeading(page, heading);
    if (heading.toString().includes('hard to pass urine')) {
      await page.getByLabel('No', { exact: true }).check();
      await shoot('04-question-yes-no');
      await answerCurrentQuestion(page, { choose: ['Yes'] });
      break;
    }
    await answerCurrentQuestion(page, answer);
  }
  await waitForHeading(page, 'Get medical help now');
  await shoot('05-urgent-care');

  await openStartPage(page, baseUrl);
  await pressStart(page);
  for (const [heading, answer] of TYPICAL_PATIENT) {
    await waitForHeading(page, heading);
    if (heading.toString().includes('How old')) {
      await page.getByRole('textbox').fill('45');
      await shoot('06-question-number');
    }
    await answerCurrentQuestion(page, answer);
  }
  await waitForHeading(page, 'Your results');
  await shoot('07-results');

  await openContactForm(page);
  await shoot('08-contact');
  await sendEmptyContactForm(page);
  await shoot('09-contact-errors');

  await sendContactDetails(page, { name: 'Alex Example', email: 'alex@example.com', phone: '+1 410 555 0123' });
  await shoot('10-confirmation');

  await askToErase(page);
  await shoot('11-erase-confirm');
  await confirmErasure(page);
  await shoot('12-erased');

  // A second referral whose confirmation is sent (the first was erased before it could be),
  // then its email's erasure link opened as a patient who closed the form would open it.
  const patientEmail = `robin.${size}.${Date.now()}@example.com`;
  await openStartPage(page, baseUrl);
  await pressStart(page);
  await answerAsTypicalPatient(page);
  await openContactForm(page);
  const referredTrial = await sendContactDetails(page, { name: 'Robin Example', email: patientEmail });
  await page.goto('about:blank');
  const confirmation = await waitForEmail(sesUrl, (email) => email.destination.to.includes(patientEmail), { timeoutMs: 60_000 });
  // The site's email too, so the erased screen has a site to name.
  await waitForEmail(sesUrl, (email) => !email.destination.to.includes(patientEmail) && email.subject.includes(referredTrial), {
    timeoutMs: 60_000,
  });
  await page.goto(erasureLinkIn(confirmation));
  await waitForHeading(page, 'Erase your data');
  await shoot('13-erase-from-email');
  await confirmErasure(page);
  await shoot('16-erased-sites-told');

  // The see-a-doctor-soon advice first on the results, and the urgent-care screen in Norway (113).
  await openStartPage(page, baseUrl);
  await pressStart(page);
  for (const [heading, answer] of typicalPatientWith([
    [/ever had cancer/, { choose: ['Yes'] }],
    [/lost weight/, { choose: ['Yes'] }],
  ])) {
    await waitForHeading(page, heading);
    await answerCurrentQuestion(page, answer);
  }
  await waitForHeading(page, 'Your results');
  await shoot('14-results-see-a-doctor');

  await openStartPage(page, baseUrl);
  await pressStart(page);
  for (const [heading, answer] of typicalPatientWith([[/Which country/, { choose: ['Norway'] }]]).slice(0, 6)) {
    await waitForHeading(page, heading);
    await answerCurrentQuestion(page, heading.toString().includes('hard to pass urine') ? { choose: ['Yes'] } : answer);
  }
  await waitForHeading(page, 'Get medical help now');
  await shoot('15-urgent-care-norway');
  return written;
}

async function main(): Promise<void> {
  await mkdir(OUTPUT_DIR, { recursive: true });
  const external = process.env.SCREENSHOT_BASE_URL;
  const stack = external ? undefined : await startE2eStack();
  const baseUrl = (external ?? stack!.baseUrl).replace(/\/+$/, '');
  const sesUrl = external ? (process.env.SCREENSHOT_SES_URL ?? 'http://localhost:8005') : stack!.sesUrl;
  const browser = await launchBrowser();
  try {
    const sizes: [string, Viewport][] = [
      ['phone', PHONE_VIEWPORT],
      ['desktop', DESKTOP_VIEWPORT],
    ];
    for (const [size, viewport] of sizes) {
      const context = await browser.newContext({ viewport, reducedMotion: 'reduce' });
      const page = await context.newPage();
      const written = await captureAll(page, baseUrl, sesUrl, size);
      console.log(written.map((file) => `docs/screenshots/${file}`).join('\n'));
      await context.close();
    }
  } finally {
    await browser.close();
    await stack?.stop();
  }
}

await main();
