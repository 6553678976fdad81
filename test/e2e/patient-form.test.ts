/**
 * The patient's form in a real browser (Debian's Chromium) against the real local stack: API,
 * DynamoDB Local, the stream poller and the SES emulator, all started by `tsx local/start.ts`.
 * The page is served under the production Content-Security-Policy, so anything the form does that
 * CloudFront would block fails here too.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import {
  PHONE_VIEWPORT,
  TYPICAL_PATIENT,
  typicalPatientWith,
  answerAsTypicalPatient,
  answerCurrentQuestion,
  answerWithKeyboard,
  axeViolations,
  currentHeading,
  launchBrowser,
  tabTo,
  waitForFocusOnHeading,
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
  type StoredEmail,
} from './journeys';
import { startE2eStack, type E2eStack } from './local-stack';
import { contentSecurityPolicy } from '#functions/contract/http';

/** The form's policy as CloudFront sends it in production (the API on the page's own origin here). */
const PRODUCTION_CSP = contentSecurityPolicy();
const STACK_START_MS = 120_000;
const JOURNEY_MS = 90_000;

let stack: E2eStack;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** Console errors and CSP refusals seen on the page; the form must cause none. */
let pageProblems: string[];

beforeAll(async () => {
  [stack, browser] = await Promise.all([startE2eStack(), launchBrowser()]);
}, STACK_START_MS);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
}, 30_000);

beforeEach(async () => {
  context = await browser.newContext({ viewport: PHONE_VIEWPORT });
  page = await context.newPage();
  pageProblems = [];
  page.on('console', (message) => {
    // Any console error fails the journey (config.json is served locally as the deploy serves it).
    if (message.type() === 'error') pageProblems.push(message.text());
  });
  page.on('pageerror', (error) => pageProblems.push(error.message));
  await page.route(`${stack.baseUrl}/`, async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': PRODUCTION_CSP } });
  });
});

afterEach(async () => {
  await context.close();
});

async function openForm(): Promise<void> {
  await openStartPage(page, stack.baseUrl);
  await pressStart(page);
}

/** The JSON body of the next `POST /screenings` the page sends. */
function nextScreeningRequest(): Promise<Request> {
  return page.waitForRequest((request) => request.method() === 'POST' && new URL(request.url()).pathname === '/screenings');
}

/** The next email in the stack's SES emulator that matches `match`. */
function emailArriving(match: (email: StoredEmail) => boolean): Promise<StoredEmail> {
  return waitForEmail(stack.sesUrl, match, { describeFailure: () => stack.output().slice(-3000) });
}

describe('the whole journey', () => {
  it(
    'takes a patient from the start page to an email in the trial site coordinator’s inbox',
    async () => {
      const patientEmail = `alex.${Date.now()}@example.com`;
      await openForm();
      await page.getByRole('button', { name: 'Back to the start' }).click();
      await page.getByRole('button', { name: 'Start' }).click();

      await answerAsTypicalPatient(page);
      await waitForHeading(page, 'Your results');
      await expect(page.getByRole('heading', { name: /^You may qualify/ }).count()).resolves.toBeGreaterThan(0);
      await openContactForm(page);
      const trialId = await sendContactDetails(page, { name: 'Alex Example', email: patientEmail });

      // The site email is minimal: it names the trial and links to the lead page, without the
      // patient's details, so it is told apart by its subject and the link it carries.
      const siteEmail = await emailArriving(
        (email) =>
          !email.destination.to.includes(patientEmail) && email.subject.includes(trialId) && /#t=/.test(`${email.body.text}`),
      );
      expect(`${siteEmail.body.text}`).not.toContain(patientEmail);
      expect(pageProblems).toEqual([]);
    },
    JOURNEY_MS,
  );

  it(
    'erases the patient’s data after asking to confirm',
    async () => {
      await openForm();
      await answerAsTypicalPatient(page);
      await waitForHeading(page, 'Your results');

      await askToErase(page);
      const erasure = page.waitForResponse((response) => response.request().method() === 'DELETE');
      await page.getByRole('button', { name: 'Yes, erase my data' }).click();

      expect((await erasure).ok()).toBe(true);
      await waitForHeading(page, 'Your data has been erased');
      await page.getByText('No study site had received your details').waitFor();
    },
    JOURNEY_MS,
  );
});

describe('erasure from the confirmation email', () => {
  /** Answers, asks to be contacted and returns the erasure link of the confirmation email. */
  async function referAndOpenConfirmationEmail(): Promise<string> {
    const patientEmail = `robin.${Date.now()}@example.com`;
    await openForm();
    await answerAsTypicalPatient(page);
    await waitForHeading(page, 'Your results');
    await openContactForm(page);
    await sendContactDetails(page, { name: 'Robin Example', email: patientEmail });
    return erasureLinkIn(await emailArriving((email) => email.destination.to.includes(patientEmail)));
  }

  /** A new browser window with nothing of the journey in memory, as after closing the tab. */
  async function openInNewWindow(url: string): Promise<Page> {
    const fresh = await browser.newContext({ viewport: PHONE_VIEWPORT });
    const opened = await fresh.newPage();
    opened.on('console', (message) => {
      if (message.type() === 'error' && !/404|403/.test(message.text())) pageProblems.push(message.text());
    });
    opened.on('pageerror', (error) => pageProblems.push(error.message));
    await opened.route(
      (address) => address.origin === stack.baseUrl && address.pathname === '/',
      async (route) => {
        const response = await route.fetch();
        await route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': PRODUCTION_CSP } });
      },
    );
    await opened.goto(url);
    return opened;
  }

  it(
    'erases the patient’s data from the link in the confirmation email after the form was closed',
    async () => {
      const link = await referAndOpenConfirmationEmail();
      await context.close();
      const opened = await openInNewWindow(link);

      await opened.locator('h1', { hasText: 'Erase your data' }).waitFor();
      const erasure = opened.waitForResponse((response) => response.request().method() === 'DELETE');
      await opened.getByRole('button', { name: 'Yes, erase my data' }).click();

      const response = await erasure;
      const [screeningId, token] = new URL(link).hash.slice('#erase='.length).split('.');
      expect(response.status()).toBe(200);
      expect(new URL(response.url()).pathname).toBe(`/screenings/${screeningId}`);
      expect(await response.request().headerValue('authorization')).toBe(`Bearer ${token}`);
      await opened.locator('h1', { hasText: 'Your data has been erased' }).waitFor();
      expect(pageProblems).toEqual([]);
      await opened.context().close();
    },
    JOURNEY_MS,
  );

  it(
    'names the study sites that already had the patient’s details on the erased screen',
    async () => {
      const patientEmail = `sam.${Date.now()}@example.com`;
      await openForm();
      await answerAsTypicalPatient(page);
      await waitForHeading(page, 'Your results');
      await openContactForm(page);
      const trialId = await sendContactDetails(page, { name: 'Sam Example', email: patientEmail });
      await emailArriving((email) => !email.destination.to.includes(patientEmail) && email.subject.includes(trialId));
      const link = erasureLinkIn(await emailArriving((email) => email.destination.to.includes(patientEmail)));

      const opened = await openInNewWindow(link);
      await opened.locator('h1', { hasText: 'Erase your data' }).waitFor();
      const erasure = opened.waitForResponse((response) => response.request().method() === 'DELETE');
      await opened.getByRole('button', { name: 'Yes, erase my data' }).click();
      const { disclosedTo } = (await (await erasure).json()) as { disclosedTo: { trialId: string; facility?: string }[] };

      expect(disclosedTo.map((disclosure) => disclosure.trialId)).toContain(trialId);
      await opened.getByRole('heading', { name: 'Study sites that already had your details' }).waitFor();
      const told = opened.locator('.already-told li', { hasText: trialId });
      await expect(told.innerText()).resolves.toContain(
        disclosedTo.find((d) => d.trialId === trialId)?.facility ?? 'A study site',
      );
      await expect(told.getByRole('link', { name: trialId }).getAttribute('href')).resolves.toBe(
        `https://clinicaltrials.gov/study/${trialId}`,
      );
      await opened.context().close();
    },
    JOURNEY_MS,
  );

  it(
    'takes the token off the address bar as soon as the page opens',
    async () => {
      const link = await referAndOpenConfirmationEmail();

      const opened = await openInNewWindow(link);

      await opened.locator('h1', { hasText: 'Erase your data' }).waitFor();
      expect(opened.url()).toBe(`${stack.baseUrl}/`);
      await opened.context().close();
    },
    JOURNEY_MS,
  );

  it(
    'says plainly that a link already used no longer works',
    async () => {
      const link = await referAndOpenConfirmationEmail();
      const first = await openInNewWindow(link);
      await confirmErasure(first);
      await first.context().close();

      const second = await openInNewWindow(link);
      await second.getByRole('button', { name: 'Yes, erase my data' }).click();

      await expect(second.getByRole('alert').innerText()).resolves.toContain('already been erased');
      await expect(second.getByRole('button', { name: 'Yes, erase my data' }).count()).resolves.toBe(0);
      await second.context().close();
    },
    JOURNEY_MS,
  );

  it(
    'has no axe-core violations on the erasure page, before and after a refusal',
    async () => {
      const opened = await openInNewWindow(`${stack.baseUrl}/#erase=00000000-0000-4000-8000-000000000000.AAAAAAAAAAAAAAAAAAAAAA`);
      await opened.locator('h1', { hasText: 'Erase your data' }).waitFor();
      const before = await axeViolations(opened);
      await opened.getByRole('button', { name: 'Yes, erase my data' }).click();
      await opened.getByRole('alert').waitFor();

      expect({ before, after: await axeViolations(opened) }).toEqual({ before: [], after: [] });
      await opened.context().close();
    },
    JOURNEY_MS,
  );

  it(
    'fits the erasure page into a 360-pixel-wide phone without sideways scrolling',
    async () => {
      const opened = await openInNewWindow(`${stack.baseUrl}/#erase=00000000-0000-4000-8000-000000000000.AAAAAAAAAAAAAAAAAAAAAA`);
      await opened.setViewportSize({ width: 360, height: 740 });
      await opened.locator('h1', { hasText: 'Erase your data' }).waitFor();

      const fits = await opened.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);

      expect(fits).toBe(true);
      await opened.context().close();
    },
    JOURNEY_MS,
  );
});

describe('an emergency sign', () => {
  /** Answers the opening questions and the country, then "Yes" to the first red flag (new difficulty passing urine). */
  async function reportNewUrinaryRetention(country: string): Promise<unknown> {
    await openForm();
    await answerCurrentQuestion(page, { choose: ['Yes'] });
    await answerCurrentQuestion(page, { choose: ['No'] });
    await waitForHeading(page, /Which country/);
    await answerCurrentQuestion(page, { choose: [country] });
    await waitForHeading(page, /hard to pass urine/);
    const recorded = page.waitForResponse(
      (response) => response.request().method() === 'POST' && response.url().endsWith('/screenings'),
    );
    await answerCurrentQuestion(page, { choose: ['Yes'] });
    await waitForHeading(page, 'Get medical help now');
    return (await recorded).json();
  }

  it.each([
    ['United States', ['tel:911'], /emergency room \(ER\) now, or call 911/, /\b(999|112|113)\b/],
    ['United Kingdom', ['tel:999'], /A&E \(emergency department\) now, or call 999/, /\b(911|112|113)\b/],
    ['Norway', ['tel:113'], /emergency department \(akuttmottak\) now, or call 113/, /\b(911|999|112)\b/],
  ])(
    'stops the form at once and shows only the numbers of %s, as tel: links',
    async (country, telLinks, action, otherNumbers) => {
      const recorded = await reportNewUrinaryRetention(country);

      await expect(
        page.locator('a[href^="tel:"]').evaluateAll((links) => links.map((link) => link.getAttribute('href'))),
      ).resolves.toEqual(telLinks);
      await expect(page.getByText(action).isVisible()).resolves.toBe(true);
      await expect(page.getByText(/Tell them: "I have back pain and I cannot pass urine properly/).isVisible()).resolves.toBe(
        true,
      );
      await expect(page.locator('main').textContent()).resolves.not.toMatch(otherNumbers);
      await expect(page.getByRole('button').count()).resolves.toBe(0);
      expect(recorded).toMatchObject({ outcome: 'urgent_care', results: [] });
      expect(await axeViolations(page)).toEqual([]);
    },
    JOURNEY_MS,
  );
});

describe('the results', () => {
  it(
    'count only the studies the patient can ask, say what the study team will also check, and have no axe-core violations',
    async () => {
      await openForm();
      for (const [heading, answer] of typicalPatientWith([[/comes from any of these/, { choose: ['Not sure'] }]])) {
        await waitForHeading(page, heading);
        await answerCurrentQuestion(page, answer);
      }
      await waitForHeading(page, 'Your results');

      const referable = await page.locator('#group-eligible ~ ul .trial, #group-possibly ~ ul .trial').count();
      await expect(page.locator('p.lead').textContent()).resolves.toMatch(new RegExp(`You may qualify for ${referable},`));
      await expect(page.getByText('The study team will also check:').first().isVisible()).resolves.toBe(true);
      await expect(page.getByText('some are not known yet', { exact: false }).first().isVisible()).resolves.toBe(true);
      await expect(page.getByText("In the study team's own words:").first().isVisible()).resolves.toBe(true);
      expect(await axeViolations(page)).toEqual([]);
    },
    JOURNEY_MS,
  );

  it(
    'take the patient from a criterion not known back to the "not sure" answer, and show new results after the change',
    async () => {
      await openForm();
      for (const [heading, answer] of typicalPatientWith([[/comes from any of these/, { choose: ['Not sure'] }]])) {
        await waitForHeading(page, heading);
        await answerCurrentQuestion(page, answer);
      }
      await waitForHeading(page, 'Your results');

      await page.locator('.criterion-unknown .change-answer').first().click();

      await waitForHeading(page, /comes from any of these/);
      await expect(page.getByLabel('Not sure', { exact: true }).isChecked()).resolves.toBe(true);
      const resent = nextScreeningRequest();
      await answerCurrentQuestion(page, { choose: ['Wear of the disks in the spine (degenerative disc disease)'] });
      await waitForHeading(page, 'Your results');
      expect((await resent).postDataJSON().answers).toMatchObject({ diagnoses: ['degenerative_disc'] });
    },
    JOURNEY_MS,
  );
});

describe('a see-a-doctor-soon sign', () => {
  it(
    'shows the advice first on the results screen, with the reason, and still the results',
    async () => {
      await openForm();
      for (const [heading, answer] of typicalPatientWith([[/ever had cancer/, { choose: ['Yes'] }]])) {
        await waitForHeading(page, heading);
        await answerCurrentQuestion(page, answer);
      }
      await waitForHeading(page, 'Your results');

      const advice = page.locator('section.medical-advice');
      await expect(advice.getByRole('heading', { name: 'Please talk to a doctor' }).isVisible()).resolves.toBe(true);
      await expect(advice.textContent()).resolves.toMatch(/in the next few days[\s\S]*You have had cancer/);
      const adviceFirst = await page.evaluate(() => {
        const box = document.querySelector('section.medical-advice');
        const firstTrial = document.querySelector('.trial');
        return Boolean(box && firstTrial && box.compareDocumentPosition(firstTrial) & Node.DOCUMENT_POSITION_FOLLOWING);
      });
      expect(adviceFirst).toBe(true);
      await expect(page.locator('.trial').count()).resolves.toBeGreaterThan(0);
      expect(await axeViolations(page)).toEqual([]);
    },
    JOURNEY_MS,
  );
});

describe('branching', () => {
  it(
    'skips a question that a changed answer hides and does not send its old answer',
    async () => {
      await openForm();
      await answerUpToTheMedicines();
      await answerCurrentQuestion(page, { choose: ['Muscle relaxants'] });
      await waitForHeading(page, /take now/);
      while ((await currentHeading(page)).match(/taken any medicine/) === null) {
        await page.getByRole('button', { name: 'Back', exact: true }).click();
        await page.waitForFunction(() => document.activeElement?.tagName === 'H1');
      }

      await answerCurrentQuestion(page, { choose: ['No'] });

      await waitForHeading(page, /Which country/);
      const submitted = nextScreeningRequest();
      for (const [heading, answer] of TYPICAL_PATIENT.slice(2).filter(([heading]) => !/medicines/.test(String(heading)))) {
        await waitForHeading(page, heading);
        await answerCurrentQuestion(page, answer);
      }
      const answers = (await submitted).postDataJSON().answers as Record<string, unknown>;
      expect(answers).toMatchObject({ took_medication: false });
      expect(answers).not.toHaveProperty('medications');
    },
    JOURNEY_MS,
  );

  it(
    'keeps the answers already given when the patient goes back',
    async () => {
      await openForm();
      await answerUpToTheMedicines();
      await answerCurrentQuestion(page, { choose: ['Muscle relaxants', 'Paracetamol (acetaminophen)'] });
      await waitForHeading(page, /take now/);

      await page.getByRole('button', { name: 'Back', exact: true }).click();

      await waitForHeading(page, /Which medicines/);
      const checked = await page
        .locator('input[type=checkbox]:checked')
        .evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value));
      expect(checked).toEqual(['paracetamol', 'muscle_relaxants']);
    },
    JOURNEY_MS,
  );
});

describe('keyboard use', () => {
  it(
    'lets a patient answer, ask to be contacted and get a confirmation with the keyboard alone',
    async () => {
      await page.goto(`${stack.baseUrl}/`);
      await page.locator('h1').waitFor();
      await tabTo(page, 'button.primary');
      await page.keyboard.press('Enter');

      for (const [heading, answer] of TYPICAL_PATIENT) {
        await waitForHeading(page, heading);
        await waitForFocusOnHeading(page);
        await answerWithKeyboard(page, answer);
      }
      await waitForHeading(page, 'Your results');
      await tabTo(page, 'button.primary');
      await page.keyboard.press('Enter');
      await waitForHeading(page, 'Ask to be contacted');
      await tabTo(page, '#trial-choice-0');
      await page.keyboard.press('Space');
      await tabTo(page, '#contact-name');
      await page.keyboard.type('Sam Keyboard');
      await tabTo(page, '#contact-email');
      await page.keyboard.type(`sam.${Date.now()}@example.com`);
      await tabTo(page, '#consent-share');
      await page.keyboard.press('Space');
      await tabTo(page, 'form.contact button[type=submit]');
      await page.keyboard.press('Enter');

      await waitForHeading(page, 'We are sending your details');
      await waitForFocusOnHeading(page);
    },
    JOURNEY_MS,
  );
});

/** Answers "yes" to the two opening questions, up to "Which medicines". */
async function answerUpToTheMedicines(): Promise<void> {
  for (const [heading, answer] of TYPICAL_PATIENT.slice(0, 2)) {
    await waitForHeading(page, heading);
    await answerCurrentQuestion(page, answer);
  }
  await waitForHeading(page, /Which medicines/);
}

type ScreenVisitor = (screen: string) => Promise<void>;

/** Walks every screen of the form (question by question, errors included), calling `visit` on each. */
async function visitEveryScreen(visit: ScreenVisitor): Promise<void> {
  await openStartPage(page, stack.baseUrl);
  await visit('start');
  await pressStart(page);
  await submitWithoutAnswer(page);
  await visit('question with an error');
  for (const [heading, answer] of TYPICAL_PATIENT) {
    await waitForHeading(page, heading);
    await visit(`question "${await currentHeading(page)}"`);
    await answerCurrentQuestion(page, answer);
  }
  await waitForHeading(page, 'Your results');
  await visit('results');
  // Open every "why" so the collapsed criteria are checked too.
  await page
    .locator('details:not([open]) summary')
    .evaluateAll((summaries) => summaries.forEach((s) => (s as HTMLElement).click()));
  await visit('results with every reason open');
  await openContactForm(page);
  await visit('contact');
  await sendEmptyContactForm(page);
  await visit('contact with errors');
  await sendContactDetails(page, { name: 'Axe Example', email: `axe.${Date.now()}@example.com` });
  await visit('confirmation');
  await askToErase(page);
  await visit('erase confirmation');
  await confirmErasure(page);
  await visit('erased');

  await openForm();
  await answerCurrentQuestion(page, { choose: ['Yes'] });
  await answerCurrentQuestion(page, { choose: ['No'] });
  await waitForHeading(page, /Which country/);
  await answerCurrentQuestion(page, { choose: ['Norway'] });
  await waitForHeading(page, /hard to pass urine/);
  await answerCurrentQuestion(page, { choose: ['Yes'] });
  await waitForHeading(page, 'Get medical help now');
  await visit('urgent care');

  await openForm();
  for (const [heading, answer] of typicalPatientWith([[/ever had cancer/, { choose: ['Yes'] }]])) {
    await waitForHeading(page, heading);
    await answerCurrentQuestion(page, answer);
  }
  await waitForHeading(page, 'Your results');
  await visit('results with the see-a-doctor-soon advice');
}

describe('accessibility and layout', () => {
  it(
    'has no axe-core violations on any screen',
    async () => {
      const violations: Record<string, unknown[]> = {};
      await visitEveryScreen(async (screen) => {
        const found = await axeViolations(page);
        if (found.length > 0) violations[screen] = found;
      });

      expect(violations).toEqual({});
    },
    JOURNEY_MS * 2,
  );

  it(
    'fits every screen into a 360-pixel-wide phone without sideways scrolling',
    async () => {
      await page.setViewportSize({ width: 360, height: 740 });
      const overflowing: string[] = [];
      await visitEveryScreen(async (screen) => {
        const fits = await page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);
        if (!fits) overflowing.push(screen);
      });

      expect(overflowing).toEqual([]);
    },
    JOURNEY_MS * 2,
  );
});
