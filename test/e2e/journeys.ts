/**
 * The steps of a patient's journey through the form, shared by the browser tests and the
 * screenshot script. Each step starts on the screen it names and resolves once the next screen
 * shows, so a caller can check or photograph every screen on the way.
 */
import type { Page } from 'playwright-core';
import { TYPICAL_PATIENT, waitForHeading } from './browser';

/** Opens the form's start page. */
export async function openStartPage(page: Page, baseUrl: string): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.getByRole('button', { name: 'Start' }).waitFor();
}

/** On the start page: presses Start and waits for the first question. */
export async function pressStart(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Start' }).click();
  await waitForHeading(page, TYPICAL_PATIENT[0]![0]);
}

/** On a question: presses the primary button without answering and waits for the error. */
export async function submitWithoutAnswer(page: Page): Promise<void> {
  await page.locator('form.question button[type=submit]').click();
  await page.getByRole('alert').first().waitFor();
}

/** On the results: asks to be contacted and waits for the contact form. */
export async function openContactForm(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Ask to be contacted' }).click();
  await waitForHeading(page, 'Ask to be contacted');
}

/** On the contact form: sends it empty and waits for the error summary. */
export async function sendEmptyContactForm(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Send my details' }).click();
  await page.locator('.error-summary h2').waitFor();
}

export interface ContactDetails {
  name: string;
  email: string;
  /** Typed into the optional phone box, with consent to be called. */
  phone?: string;
}

/**
 * On the contact form: chooses the first trial offered, fills in the details, consents to sharing
 * them and sends them; resolves on the confirmation screen with the id of the trial chosen.
 */
export async function sendContactDetails(page: Page, details: ContactDetails): Promise<string> {
  const chosenTrial = page.locator('input[name=trialIds]').first();
  const trialId = await chosenTrial.getAttribute('value');
  if (!trialId) throw new Error('The first trial offered on the contact form has no id');
  await chosenTrial.check();
  await page.getByLabel('Your name').fill(details.name);
  await page.getByLabel('Email address').fill(details.email);
  if (details.phone !== undefined) await page.getByLabel('Phone number (optional)').fill(details.phone);
  await page.locator('#consent-share').check();
  if (details.phone !== undefined) await page.locator('#consent-phone').check();
  await page.getByRole('button', { name: 'Send my details' }).click();
  await waitForHeading(page, 'We are sending your details');
  return trialId;
}

/** On the results or the confirmation: asks to erase and waits to be asked to confirm. */
export async function askToErase(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Erase my data' }).click();
  await page.getByRole('button', { name: 'Yes, erase my data' }).waitFor();
}

/** When asked to confirm the erasure: confirms and waits for the screen that says it is done. */
export async function confirmErasure(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Yes, erase my data' }).click();
  await waitForHeading(page, 'Your data has been erased');
}

/** An email as the SES emulator's `GET /store` lists it. */
export interface StoredEmail {
  destination: { to: string[] };
  subject: string;
  body: { text?: string; html?: string };
}

/**
 * Polls the SES emulator until an email matching `match` arrives (delivery is asynchronous).
 * `describeFailure` adds to the error when none does (e.g. the stack's output).
 */
export async function waitForEmail(
  sesUrl: string,
  match: (email: StoredEmail) => boolean,
  options: { timeoutMs?: number; describeFailure?: () => string } = {},
): Promise<StoredEmail> {
  const deadline = Date.now() + (options.timeoutMs ?? 45_000);
  while (Date.now() < deadline) {
    const store = (await (await fetch(`${sesUrl}/store`)).json()) as { emails: StoredEmail[] };
    const found = store.emails.find(match);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`No matching email arrived in the SES emulator.\n${options.describeFailure?.() ?? ''}`);
}

/** The erasure link (`…#erase=<id>.<token>`) of a confirmation email. */
export function erasureLinkIn(email: StoredEmail): string {
  const link = /https?:\/\/\S*#erase=\S+/.exec(`${email.body.text}`)?.[0];
  if (!link) throw new Error(`The confirmation email has no erasure link:\n${email.body.text}`);
  return link;
}
