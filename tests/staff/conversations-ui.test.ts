import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { StaffAccounts } from '../../src/staff/accounts';
import { launchBrowser, SCREENSHOT_DIR, setPasswordAndSignIn } from '../support/browser';
import { startTestHaven } from '../support/haven';

/**
 * The staff inbox in real Chromium against a full Haven: a young person on the real /chat page
 * writes a worry; a signed-in coordinator sees it arrive live (with a browser notification), takes
 * it, replies; the young person's answer appears in the thread without a reload; the coordinator
 * hands back and Haven answers again.
 */
let haven: Awaited<ReturnType<typeof startTestHaven>>;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  haven = await startTestHaven('inbox-ui', { OFFICE_HOURS: 'Mon-Sun 00:00-24:00' });
  browser = await launchBrowser();
});
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await haven?.shutdown();
});

async function newPage(width: number, permissions: string[] = []): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 800 } });
  if (permissions.length) await context.grantPermissions(permissions, { origin: haven.url });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return page;
}

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  for (const width of [360, 1280]) {
    await page.setViewportSize({ width, height: width === 360 ? 740 : 800 });
    await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

it('a worry on /chat reaches a coordinator live; they take it, reply, see the answer live, hand back', async () => {
  const { token } = await new StaffAccounts(haven.redis, haven.keys).add({
    email: `casey-${Date.now()}@example.org`,
    name: 'Casey',
    role: 'coordinator',
  });
  const staff = await newPage(1280, ['notifications']);
  await staff.goto(`${haven.url}/staff/setup/${token}`);
  await setPasswordAndSignIn(staff);
  await staff.getByRole('link', { name: 'Conversations' }).click();
  await staff.waitForURL(/\/staff\/conversations$/);
  await staff.locator('body[data-live-ready]').waitFor();
  await staff.getByText('No open conversations.').waitFor();
  await staff.getByText('Browser notifications are on.').waitFor();

  const chat = await newPage(360);
  await chat.goto(`${haven.url}/chat`);
  const say = async (text: string) => {
    await chat.getByLabel('Your message').fill(text);
    await chat.getByRole('button', { name: 'Send' }).click();
  };
  const expectBot = (text: string | RegExp) => chat.locator('.msg.bot', { hasText: text }).last().waitFor();
  await say('hi');
  await expectBot(/I'm Haven/);
  await chat.locator('.choices button', { hasText: "I'm worried" }).first().click();
  await expectBot(/pass it to our youth workers/);
  await say('my mum forgot her tablets again and she is really poorly and i dont know what to do');
  await expectBot(/passed that to our youth workers/);

  // Live on the open list, with a notification, without a reload.
  const card = staff.locator('#conversations li', { hasText: 'Worry' });
  await card.waitFor();
  await expect(card.innerText()).resolves.toMatch(/\d new/i);
  await expect(card.innerText()).resolves.toMatch(/Nobody has it yet/);
  await staff.locator('body[data-notified]').waitFor({ state: 'attached' });
  await shot(staff, 'conversations-list');

  await card.getByRole('link', { name: /^Open/ }).click();
  await staff.locator('.line.young', { hasText: 'my mum forgot her tablets' }).waitFor();
  await expect(staff.locator('[data-window]').innerText()).resolves.toMatch(/no time limit/);
  const conv = (await haven.conversations.list('nobody')).find((r) => r.conversation.topic === 'worry')!.conversation;
  const audit = await haven.redis.xrevrange(haven.keys.custom('staff', 'audit'), '+', '-', 'COUNT', 10);
  expect(audit.some(([, f]) => f.includes('conversation') && f.includes(conv.id))).toBe(true);

  await staff.getByRole('button', { name: 'Assign to me' }).click();
  await staff.locator('[data-holder="Casey"]').waitFor();
  await expectBot(/You're now talking to Casey, a youth worker/);

  await staff.getByLabel('Your message').fill("Hi, I'm Casey. Is someone with your mum now?");
  await staff.getByRole('button', { name: 'Send', exact: true }).click();
  await expectBot(/Casey \(youth worker\):\s*Hi, I'm Casey\. Is someone with your mum now\?/);
  await shot(chat, 'conversation-chat');

  // The answer appears in the open thread without a reload; Haven says nothing to it.
  const botsBefore = await chat.locator('.msg.bot').count();
  await say('yes my aunt is here now');
  await staff.locator('.line.young', { hasText: 'yes my aunt is here now' }).waitFor();
  await shot(staff, 'conversation-thread');
  expect(await chat.locator('.msg.bot').count()).toBe(botsBefore);

  await staff.getByRole('button', { name: 'Hand back to Haven' }).click();
  await staff.locator('[data-holder=""]').waitFor();
  await expectBot(/Casey has finished chatting for now, so you're back with me, Haven/);
  await say('menu');
  await expectBot(/I can help you/);
});
