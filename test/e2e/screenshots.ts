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
  answerCurrentQuestion,
  launchBrowser,
  waitForHeading,
} from './browser';
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

  await page.goto(baseUrl);
  await page.getByRole('button', { name: 'Start' }).waitFor();
  await shoot('01-start');

  await page.getByRole('button', { name: 'Start' }).click();
  await waitForHeading(page, TYPICAL_PATIENT[0]![0]);
  await page.locator('form.question button[type=submit]').click();
  await page.getByRole('alert').first().waitFor();
  await shoot('02-question-error');
  await answerCurrentQuestion(page, { choose: ['Yes'] });
  await answerCurrentQuestion(page, { choose: ['Yes'] });
  await waitForHeading(page, /Which medicines/);
  await page.getByLabel('Paracetamol (acetaminophen)').check();
  await shoot('03-question-multiple-choice');

  await page.goto(baseUrl);
  await page.getByRole('button', { name: 'Start' }).click();
  for (const [heading, answer] of TYPICAL_PATIENT.slice(0, 4)) {
    await waitForHeading(page, heading);
    if (heading.toString().includes('bladder')) {
      await page.getByLabel('No', { exact: true }).check();
      await shoot('04-question-yes-no');
      await answerCurrentQuestion(page, { choose: ['Yes'] });
      break;
    }
    await answerCurrentQuestion(page, answer);
  }
  await waitForHeading(page, 'Get medical help now');
  await shoot('05-urgent-care');

  await page.goto(baseUrl);
  await page.getByRole('button', { name: 'Start' }).click();
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

  await page.getByRole('button', { name: 'Ask to be contacted' }).click();
  await waitForHeading(page, 'Ask to be contacted');
  await shoot('08-contact');
  await page.getByRole('button', { name: 'Send my details' }).click();
  await page.locator('.error-summary h2').waitFor();
  await shoot('09-contact-errors');

  await page.locator('input[name=trialIds]').first().check();
  await page.getByLabel('Your name').fill('Alex Example');
  await page.getByLabel('Email address').fill('alex@example.com');
  await page.getByLabel('Phone number (optional)').fill('+1 410 555 0123');
  await page.locator('#consent-share').check();
  await page.locator('#consent-phone').check();
  await page.getByRole('button', { name: 'Send my details' }).click();
  await waitForHeading(page, 'We are sending your details');
  await shoot('10-confirmation');

  await page.getByRole('button', { name: 'Erase my data' }).click();
  await page.getByRole('button', { name: 'Yes, erase my data' }).waitFor();
  await shoot('11-erase-confirm');
  await page.getByRole('button', { name: 'Yes, erase my data' }).click();
  await waitForHeading(page, 'Your data has been erased');
  await shoot('12-erased');

  // A second referral whose confirmation is sent (the first was erased before it could be),
  // then its email's erasure link opened as a patient who closed the form would open it.
  const patientEmail = `robin.${size}.${Date.now()}@example.com`;
  await page.goto(baseUrl);
  await page.getByRole('button', { name: 'Start' }).click();
  for (const [heading, answer] of TYPICAL_PATIENT) {
    await waitForHeading(page, heading);
    await answerCurrentQuestion(page, answer);
  }
  await page.getByRole('button', { name: 'Ask to be contacted' }).click();
  await page.locator('input[name=trialIds]').first().check();
  await page.getByLabel('Your name').fill('Robin Example');
  await page.getByLabel('Email address').fill(patientEmail);
  await page.locator('#consent-share').check();
  await page.getByRole('button', { name: 'Send my details' }).click();
  await waitForHeading(page, 'We are sending your details');
  await page.goto('about:blank');
  await page.goto(await erasureLinkSentTo(sesUrl, patientEmail));
  await waitForHeading(page, 'Erase your data');
  await shoot('13-erase-from-email');
  return written;
}

/** The erasure link of the confirmation email to `address`, once the emulator has it. */
async function erasureLinkSentTo(sesUrl: string, address: string): Promise<string> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const store = (await (await fetch(`${sesUrl}/store`)).json()) as { emails: { destination: { to: string[] }; body: { text?: string } }[] };
    const email = store.emails.find((candidate) => candidate.destination.to.includes(address));
    const link = /https?:\/\/\S*#erase=\S+/.exec(email?.body.text ?? '')?.[0];
    if (link) return link;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`No confirmation email with an erasure link reached ${address}`);
}

async function main(): Promise<void> {
  await mkdir(OUTPUT_DIR, { recursive: true });
  const external = process.env.SCREENSHOT_BASE_URL;
  const stack = external ? undefined : await startE2eStack();
  const baseUrl = external ?? stack!.baseUrl;
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
