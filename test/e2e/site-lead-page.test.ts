/**
 * The study team's lead page in a real browser (Debian's Chromium) against the real local stack,
 * tried as the issue says a new user would: a patient's referral, the site email in the SES
 * emulator with no health answers and a link, the link opening the lead page, "contacted"
 * recorded there and shown on the patient's confirmation screen, "stop sending" pausing the
 * site, and another lead's or a broken link refused. Served under the production CSP; axe-clean
 * on a phone-sized screen.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { parseSiteLeadLocation } from '#core/site-leads';
import { PHONE_VIEWPORT, answerAsTypicalPatient, axeViolations, launchBrowser, waitForHeading } from './browser';
import { openContactForm, openStartPage, pressStart, sendContactDetails, waitForEmail, type StoredEmail } from './journeys';
import { startE2eStack, type E2eStack } from './local-stack';

/** What CloudFront sends in production (see the web hosting construct). */
const PRODUCTION_CSP = "default-src 'self'; script-src 'self'; style-src 'self'";
const JOURNEY_MS = 120_000;

let stack: E2eStack;
let browser: Browser;

beforeAll(async () => {
  [stack, browser] = await Promise.all([startE2eStack(), launchBrowser()]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
}, 30_000);

interface Tab {
  context: BrowserContext;
  page: Page;
  problems: string[];
}

/** A fresh browser (its own storage) on a phone-sized screen, with the production CSP on pages. */
async function newTab(): Promise<Tab> {
  const context = await browser.newContext({ viewport: PHONE_VIEWPORT });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && !/404/.test(message.text())) problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  await page.route(
    (url) => url.pathname === '/' || url.pathname.startsWith('/site/leads/'),
    async (route) => {
      const response = await route.fetch();
      const isPage = (response.headers()['content-type'] ?? '').startsWith('text/html');
      await route.fulfill({
        response,
        headers: isPage ? { ...response.headers(), 'content-security-policy': PRODUCTION_CSP } : response.headers(),
      });
    },
  );
  return { context, page, problems };
}

interface Referral {
  patient: Tab;
  patientEmail: string;
  trialId: string;
  siteEmail: StoredEmail;
  link: string;
}

const referrals: Referral[] = [];

/** A patient answers and asks to be contacted; resolves with the site's email and its link. */
async function aReferral(): Promise<Referral> {
  const patient = await newTab();
  const patientEmail = `sam.${Date.now()}.${referrals.length}@example.com`;
  await openStartPage(patient.page, stack.baseUrl);
  await pressStart(patient.page);
  await answerAsTypicalPatient(patient.page);
  await waitForHeading(patient.page, 'Your results');
  await openContactForm(patient.page);
  const trialId = await sendContactDetails(patient.page, { name: 'Sam Patient', email: patientEmail, phone: '+1 410 555 0123' });
  const known = new Set(referrals.map((referral) => referral.link));
  const siteEmail = await waitForEmail(
    stack.sesUrl,
    (email) => email.subject.includes(trialId) && !email.destination.to.includes(patientEmail) && !known.has(linkIn(email)),
    { describeFailure: () => stack.output().slice(-3000) },
  );
  const referral = { patient, patientEmail, trialId, siteEmail, link: linkIn(siteEmail) };
  referrals.push(referral);
  return referral;
}

function linkIn(email: StoredEmail): string {
  return /https?:\/\/\S+\/site\/leads\/\S+#t=\S+/.exec(`${email.body.text}`)?.[0] ?? '';
}

async function openLeadPage(link: string): Promise<Tab> {
  const site = await newTab();
  await site.page.goto(link);
  await site.page.locator('h1').waitFor();
  return site;
}

describe('the site email', () => {
  it(
    'carries the trial, the site, the lead id and a link, and none of the patient’s details or answers',
    async () => {
      const { siteEmail, patientEmail, link } = await aReferral();

      const body = `${siteEmail.body.text}\n${siteEmail.body.html}`;
      expect(link).toMatch(/\/site\/leads\/[0-9a-f-]{36}#t=[A-Za-z0-9_-]{22}$/);
      for (const patientData of [patientEmail, 'Sam Patient', '555 0123', '5550123']) expect(body).not.toContain(patientData);
      expect(body).not.toMatch(/How long|weeks|years old/i);
    },
    JOURNEY_MS,
  );
});

describe('the lead page', () => {
  it(
    'opens from the link, takes the token off the address bar, and shows the patient and their answers',
    async () => {
      const { link } = await aReferral();

      const site = await openLeadPage(link);

      await expect(site.page.locator('h1').textContent()).resolves.toMatch(/^Referral for /);
      expect(site.page.url()).not.toContain('#t=');
      await expect(site.page.getByText('Sam Patient').count()).resolves.toBe(1);
      await expect(site.page.getByRole('heading', { name: 'What they answered' }).count()).resolves.toBe(1);
      await expect(site.page.locator('.answers dt').count()).resolves.toBeGreaterThan(0);
      expect(site.problems).toEqual([]);
      await site.context.close();
    },
    JOURNEY_MS,
  );

  it(
    'has no axe violations on a phone, before and while recording an outcome',
    async () => {
      const { link } = await aReferral();
      const site = await openLeadPage(link);

      expect(await axeViolations(site.page)).toEqual([]);
      await site.page.getByRole('button', { name: 'Not eligible' }).click();
      await site.page.getByLabel('Why is the patient not eligible?').waitFor();
      expect(await axeViolations(site.page)).toEqual([]);
      const scrollWidth = await site.page.evaluate(() => document.documentElement.scrollWidth);
      expect(scrollWidth).toBeLessThanOrEqual(PHONE_VIEWPORT.width);
      await site.context.close();
    },
    JOURNEY_MS,
  );

  it(
    'records "contacted", adds it to the history, and the patient’s confirmation screen says so',
    async () => {
      const { link, patient } = await aReferral();
      const site = await openLeadPage(link);

      await site.page.getByRole('button', { name: 'Contacted', exact: true }).click();
      await site.page.getByRole('button', { name: 'Save “Contacted”' }).click();
      await site.page.getByText('Saved: Contacted.').waitFor();
      await expect(site.page.locator('.history li').first().textContent()).resolves.toContain('Contacted');

      await patient.page.getByRole('button', { name: 'Check for news from the study team' }).click();
      await patient.page.getByText('The study team has contacted you.').waitFor();
      expect(site.problems).toEqual([]);
      await site.context.close();
      await patient.context.close();
    },
    JOURNEY_MS,
  );

  it(
    'records "not eligible" only with a reason, and keeps the note for the site',
    async () => {
      const { link } = await aReferral();
      const site = await openLeadPage(link);

      await site.page.getByRole('button', { name: 'Not eligible' }).click();
      await site.page.getByRole('button', { name: 'Save “Not eligible”' }).click();
      await site.page.getByRole('alert').getByText('Choose why the patient is not eligible.').waitFor();
      await site.page.getByLabel('Why is the patient not eligible?').selectOption('medication');
      await site.page.getByLabel(/Note for your records/).fill('On an excluded anticoagulant');
      await site.page.getByRole('button', { name: 'Save “Not eligible”' }).click();

      await site.page.getByText('Saved: Not eligible.').waitFor();
      await expect(site.page.locator('.history').textContent()).resolves.toContain('On an excluded anticoagulant');
      await site.context.close();
    },
    JOURNEY_MS,
  );

  it(
    'refuses another lead’s link and a link cut short, saying so in plain words',
    async () => {
      const [first, second] = [await aReferral(), await aReferral()];
      const firstUrl = new URL(first.link);
      const secondToken = parseSiteLeadLocation(new URL(second.link).pathname, new URL(second.link).hash)!.token!;

      const crossed = await openLeadPage(`${firstUrl.origin}${firstUrl.pathname}#t=${secondToken}`);
      const cut = await openLeadPage(first.link.slice(0, first.link.indexOf('#t=') + 8));

      for (const tab of [crossed, cut]) {
        await expect(tab.page.locator('h1').textContent()).resolves.toBe('This link does not work');
        await expect(tab.page.getByText('Sam Patient').count()).resolves.toBe(0);
        expect(await axeViolations(tab.page)).toEqual([]);
        await tab.context.close();
      }
    },
    JOURNEY_MS,
  );
  // Last: the paused site takes no more referrals, so later journeys would have to pick another trial.
  it(
    '"Stop sending leads to this site" pauses the site: the next patient is told it is not taking referrals',
    async () => {
      const { link, trialId } = await aReferral();
      const site = await openLeadPage(link);

      await site.page.getByRole('button', { name: 'Stop sending leads to this site' }).click();
      await site.page.getByLabel(/Why/).fill('Recruitment closed at this site');
      await site.page.getByRole('button', { name: 'Yes, stop sending leads to this site' }).click();
      await site.page.getByText('Your site is not receiving new leads for this study.').waitFor();

      const next = await newTab();
      await openStartPage(next.page, stack.baseUrl);
      await pressStart(next.page);
      await answerAsTypicalPatient(next.page);
      await waitForHeading(next.page, 'Your results');
      const trial = next.page.locator('.trial', { hasText: trialId });
      await expect(trial.getByText('This site cannot take requests through this form.').count()).resolves.toBe(1);
      await site.context.close();
      await next.context.close();
    },
    JOURNEY_MS,
  );
});
