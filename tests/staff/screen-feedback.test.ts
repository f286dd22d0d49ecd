import type { Browser, BrowserContext, Page } from 'playwright-core';
import { StaffAccounts } from '../../src/staff/accounts';
import { launchBrowser, screenshotBothWidths, setPasswordAndSignIn } from '../support/browser';
import { startTestHaven } from '../support/haven';

/** The alert page says why the screen raised an alert, and takes staff's verdict on it, in real Chromium. */
let haven: Awaited<ReturnType<typeof startTestHaven>>;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  haven = await startTestHaven('screen-feedback');
  browser = await launchBrowser();
  context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
});
afterAll(async () => {
  await context?.close().catch(() => undefined);
  await browser?.close();
  await haven?.shutdown();
});

async function signedInLead(): Promise<Page> {
  const { token } = await new StaffAccounts(haven.redis, haven.keys).add({
    email: `lead-${Date.now()}@example.org`,
    name: 'Lee Lead',
    role: 'safeguarding-lead',
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(`${haven.url}/staff/setup/${token}`);
  await setPasswordAndSignIn(page);
  return page;
}

const raise = (text: string, matched: string[], category: 'suicide' | 'bullying_threat') =>
  haven.alerts.raise({
    screen: { alert: true, category, severity: 'medium', matched },
    text,
    channel: 'webchat',
    conversationId: haven.vault.conversationId('webchat', `feedback-${text.length}`),
    receivedAt: Date.now(),
  });

it('shows why (the statistical layer with its score; a rule by name) and records "not a concern"', async () => {
  const lead = await signedInLead();
  const a = await raise('i am so done with maths homework tonight', ['model.suicide', 'model.score:0.63'], 'suicide');
  await lead.goto(`${haven.url}/staff/alerts/${a.id}`);
  const why = lead.locator('ul.why');
  await expect(why.innerText()).resolves.toMatch(/statistical layer .* scored the message 0\.63 for "suicide"/);
  await lead.getByRole('button', { name: 'Not a concern' }).click();
  await lead.locator('#screen-feedback', { hasText: 'Recorded: not a concern' }).waitFor();
  await screenshotBothWidths(lead, 'alert-feedback');
  const after = await haven.alerts.store.get(a.id);
  expect(after?.feedback).toMatchObject({ verdict: 'not_concern', by: expect.stringMatching(/^Lee Lead/) });
  const history = await haven.alerts.store.history(a.id);
  expect(history.find((e) => e.event === 'feedback')?.detail).toBe('not a concern');
  // The record on the page shows it too.
  await lead.locator('ol.history', { hasText: 'Screen feedback' }).waitFor();
});

it('records "wrong category → X" from the list of categories, and refuses the same category', async () => {
  const lead = await signedInLead();
  const b = await raise(
    'someone has my pics and wants £50 or theyll post them',
    ['bullying_threat.threat_post'],
    'bullying_threat',
  );
  await lead.goto(`${haven.url}/staff/alerts/${b.id}`);
  await expect(lead.locator('ul.why').innerText()).resolves.toMatch(
    /a rule: the phrase "threat post" \(bullying_threat\.threat_post\)/,
  );
  // The alert's own category is not offered.
  await expect(lead.locator('#feedback-category option[value="bullying_threat"]').count()).resolves.toBe(0);
  await lead.getByLabel('Wrong category, should be').selectOption('grooming_online');
  await lead.getByRole('button', { name: 'Wrong category' }).click();
  await lead.locator('#screen-feedback', { hasText: 'should be grooming online' }).waitFor();
  expect((await haven.alerts.store.get(b.id))?.feedback).toMatchObject({
    verdict: 'wrong_category',
    category: 'grooming_online',
  });
});

it('says when the statistical layer filed a rule’s alert under another category, and how sure it was', async () => {
  const lead = await signedInLead();
  const c = await raise(
    'they all keep telling me in the group chat to go kill myself',
    ['suicide.kill_self', 'model.filed:0.98'],
    'bullying_threat',
  );
  await lead.goto(`${haven.url}/staff/alerts/${c.id}`);
  const why = await lead.locator('ul.why').innerText();
  expect(why).toMatch(/a rule: the phrase "kill self" \(suicide\.kill_self\)/);
  expect(why).toMatch(/filed as "bullying threat" by the statistical layer.*\(0\.98 of its belief; 1 = certain\)/);
  // The phrase is listed as what matched; the model did not raise this alert on its own.
  await expect(lead.locator('[data-found-by="rules"]').innerText()).resolves.toBe('kill self');
  await expect(lead.locator('[data-found-by="model"]').count()).resolves.toBe(0);
  await screenshotBothWidths(lead, 'alert-refiled');
});
