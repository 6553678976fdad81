/**
 * Browser helpers for the e2e tests and the screenshot script: Debian's Chromium driven by
 * playwright-core, and a small driver that answers the form the way a patient does (by visible
 * labels and roles, never by CSS classes), so the tests also prove the form is labelled properly.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless Chromium as the project's CI installs it. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

export const PHONE_VIEWPORT = { width: 390, height: 844 };
export const DESKTOP_VIEWPORT = { width: 1280, height: 800 };

/** A patient's answer as they give it on screen: option labels, or text typed into a box. */
export type ScreenAnswer = { choose: string[] } | { type: string } | 'skip';

/**
 * The text of the current screen's heading (every screen has exactly one h1, and it has focus
 * right after the screen appears).
 */
export async function currentHeading(page: Page): Promise<string> {
  return (await page.locator('h1').innerText()).trim();
}

/** Waits until the screen with this heading shows (and has moved focus to it). */
export async function waitForHeading(page: Page, text: string | RegExp): Promise<void> {
  await page.locator('h1', { hasText: text }).waitFor();
}

/** Answers the question on screen and presses the primary button (Next / See my results). */
export async function answerCurrentQuestion(page: Page, answer: ScreenAnswer): Promise<void> {
  const form = page.locator('form.question');
  if (answer === 'skip') {
    await form.getByRole('button', { name: 'Skip this question' }).click();
    return;
  }
  if ('choose' in answer) {
    for (const label of answer.choose) await form.getByLabel(label, { exact: true }).check();
  } else {
    await form.getByRole('textbox').fill(answer.type);
  }
  await form.locator('button[type=submit]').click();
}

/**
 * The answers of a typical patient from the start of the form to the end, keyed by the question
 * heading (as the patient reads it). The lower back pain screener's wording is the contract here.
 */
export const TYPICAL_PATIENT: [heading: string | RegExp, answer: ScreenAnswer][] = [
  [/told you that you have lower back pain/, { choose: ['Yes'] }],
  [/taken any medicine/, { choose: ['Yes'] }],
  [
    /Which medicines have you taken/,
    { choose: ['Anti-inflammatory painkillers (NSAIDs), such as ibuprofen or naproxen', 'Paracetamol (acetaminophen)'] },
  ],
  [/Which of these medicines do you take now/, { choose: ['Paracetamol (acetaminophen)'] }],
  [/Which country/, { choose: ['United States'] }],
  // The red flags, each "No": the follow-ups (feeling faint, feeling very unwell, weak bones,
  // steroid tablets) are not asked after a "No".
  [/hard to pass urine/, { choose: ['No'] }],
  [/lost control of your bladder or bowels/, { choose: ['No'] }],
  [/numbness or tingling between your legs/, { choose: ['No'] }],
  [/problems with sex/, { choose: ['No'] }],
  [/in both legs/, { choose: ['No'] }],
  [/legs or feet newly weak/, { choose: ['No'] }],
  [/serious accident/, { choose: ['No'] }],
  [/very bad pain in your back or belly/, { choose: ['No'] }],
  [/had a fever/, { choose: ['No'] }],
  [/ever had cancer/, { choose: ['No'] }],
  [/lost weight/, { choose: ['No'] }],
  [/getting worse week by week/, { choose: ['No'] }],
  [/worse at night/, { choose: ['No'] }],
  [/small fall/, { choose: ['No'] }],
  [/both arms/, { choose: ['No'] }],
  [/see double/, { choose: ['No'] }],
  [/clumsy or unsteady/, { choose: ['No'] }],
  [/How long have you had this back pain/, { type: '26' }],
  [/how bad has your back pain been/, { type: '6' }],
  [/Where do you feel the pain/, { choose: ['My lower back'] }],
  [/makes the pain worse/, { choose: ['Sitting', 'Bending forward'] }],
  [/makes the pain better/, 'skip'],
  [/comes from any of these/, { choose: ['Wear of the disks in the spine (degenerative disc disease)'] }],
  [/scans of your back/, { choose: ['MRI scan'] }],
  [/ever told you that you have any of these/, { choose: ['None of these'] }],
  [/other treatments/, { choose: ['Physiotherapy (physical therapy)'] }],
  [/steroid injection in your back/, { choose: ['No'] }],
  [/operation on your lower back/, { choose: ['No'] }],
  [/How old are you/, { type: '45' }],
  [/sex were you assigned/, { choose: ['Female'] }],
  [/pregnant/, { choose: ['No'] }],
  [/breastfeeding/, { choose: ['No'] }],
  [/open claim about your back pain/, 'skip'],
  [/another research study/, { choose: ['No'] }],
  [/postal code/, { type: '21205' }],
  [/How far could you travel/, { choose: ['Any distance'] }],
];

/**
 * Questions the typical patient is not asked, because they follow a "Yes" she does not give:
 * a changed answer that asks them (`typicalPatientWith`) answers them too, right after `after`.
 */
const FOLLOW_UPS: { trigger: RegExp; after: RegExp; ask: [heading: RegExp, answer: ScreenAnswer] }[] = [
  { trigger: /ever had cancer/, after: /ever told you that you have any of these/, ask: [/cancer now/, { choose: ['No'] }] },
];

/**
 * The typical patient's answers with some changed, each keyed by its heading (as in
 * TYPICAL_PATIENT), with the follow-up questions a changed "Yes" brings.
 */
export function typicalPatientWith(
  changes: [heading: RegExp, answer: ScreenAnswer][],
): [heading: string | RegExp, answer: ScreenAnswer][] {
  const changed = TYPICAL_PATIENT.map(([heading, answer]): [string | RegExp, ScreenAnswer] => {
    const change = changes.find(([candidate]) => String(candidate) === String(heading));
    return [heading, change ? change[1] : answer];
  });
  for (const { trigger, after, ask } of FOLLOW_UPS) {
    const answer = changed.find(([heading]) => String(heading) === String(trigger))?.[1];
    const triggered = answer !== undefined && answer !== 'skip' && 'choose' in answer && !answer.choose.includes('No');
    if (triggered) changed.splice(changed.findIndex(([heading]) => String(heading) === String(after)) + 1, 0, ask);
  }
  return changed;
}

/** Answers every question of the typical patient, checking each heading on the way. */
export async function answerAsTypicalPatient(page: Page): Promise<void> {
  for (const [heading, answer] of TYPICAL_PATIENT) {
    await waitForHeading(page, heading);
    await answerCurrentQuestion(page, answer);
  }
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * Runs axe-core on the current page (WCAG 2.x A and AA rules plus best practices) and returns the
 * violations in a form that reads well in a failed assertion.
 */
export async function axeViolations(
  page: Page,
): Promise<{ rule: string; impact: string | null; help: string; targets: string[] }[]> {
  // Evaluated through the DevTools protocol, which the page's Content-Security-Policy does not
  // govern: injecting a <script> element would be (rightly) refused by the form's CSP.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: AxeViolation[] }> } }
    ).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations;
  });
  return violations.map((v) => ({ rule: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
}

/**
 * Presses Tab (nothing else) until the focused element matches `selector`, as a keyboard user
 * moves through a page. Fails if it takes more than `limit` presses, which would mean the element
 * cannot be reached by keyboard.
 */
export async function tabTo(page: Page, selector: string, limit = 40): Promise<void> {
  for (let presses = 0; presses < limit; presses++) {
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Could not reach ${selector} with the Tab key`);
}

/** Waits (briefly) for the screen's heading to have focus; throws if it never gets it. */
export async function waitForFocusOnHeading(page: Page): Promise<void> {
  await page.waitForFunction(() => document.activeElement?.tagName === 'H1', undefined, { timeout: 2000 });
}

/** The tag and id of the focused element, e.g. `H1` or `INPUT#contact-name`. */
export function focusedElement(page: Page): Promise<string> {
  return page.evaluate(() => {
    const element = document.activeElement;
    return element ? `${element.tagName}${element.id ? `#${element.id}` : ''}` : '';
  });
}

/** Answers the question on screen with the keyboard only: Tab, arrows, Space, Enter and typing. */
export async function answerWithKeyboard(page: Page, answer: ScreenAnswer): Promise<void> {
  const form = page.locator('form.question');
  if (answer === 'skip') {
    await tabTo(page, 'form.question button.secondary');
    await page.keyboard.press('Enter');
    return;
  }
  if ('type' in answer) {
    await tabTo(page, 'form.question input');
    await page.keyboard.type(answer.type);
    await page.keyboard.press('Enter');
    return;
  }
  const ids = await Promise.all(answer.choose.map((label) => form.getByLabel(label, { exact: true }).getAttribute('id')));
  const radios = (await form.locator('input[type=radio]').count()) > 0;
  if (radios) {
    // Tab enters a radio group once; the arrow keys move through it, choosing as they go.
    await tabTo(page, 'form.question input[type=radio]');
    for (let presses = 0; presses < 20 && !(await page.evaluate((id) => document.activeElement?.id === id, ids[0]!)); presses++) {
      await page.keyboard.press('ArrowDown');
    }
    await page.keyboard.press('Space');
  } else {
    for (const id of ids) {
      await tabTo(page, `#${id}`);
      await page.keyboard.press('Space');
    }
  }
  await tabTo(page, 'form.question button[type=submit]');
  await page.keyboard.press('Enter');
}
