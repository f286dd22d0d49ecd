import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { ChannelStatus } from '../../src/engine/adapter';
import { StaffAccounts, type StaffRole } from '../../src/staff/accounts';
import { launchBrowser, screenshotBothWidths, setPasswordAndSignIn } from '../support/browser';
import { startTestHaven, waitFor } from '../support/haven';

/**
 * The dashboard in real Chromium against a full Haven: staff sign in through the one-time link,
 * a young person uses the real /chat page in a second browser context.
 */
let haven: Awaited<ReturnType<typeof startTestHaven>>;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  haven = await startTestHaven('staff-ui');
  browser = await launchBrowser();
});
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await haven?.shutdown();
});

async function newPage(width = 1280): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: 800 } });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return page;
}

/** Creates the account through the service and sets the password through the printed link, in the browser. */
async function signedInStaff(role: StaffRole, name: string, shots = false): Promise<Page> {
  const email = `${role}-${Date.now()}@example.org`;
  const { token } = await new StaffAccounts(haven.redis, haven.keys).add({ email, name, role });
  const page = await newPage();
  await page.goto(`${haven.url}/staff/setup/${token}`);
  if (shots) await screenshotBothWidths(page, 'setup');
  await setPasswordAndSignIn(page);
  return page;
}

/** The young person's side: the real web chat page. */
async function chatPage(): Promise<{
  page: Page;
  say(text: string): Promise<void>;
  tap(title: string): Promise<void>;
  expect(text: string | RegExp): Promise<void>;
}> {
  const page = await newPage(360);
  await page.goto(`${haven.url}/chat`);
  return {
    page,
    say: async (text) => {
      await page.getByLabel('Your message').fill(text);
      await page.getByRole('button', { name: 'Send' }).click();
    },
    tap: async (title) => {
      await page.locator('.choices button', { hasText: title }).first().click();
    },
    expect: async (text) => {
      await page.locator('.msg.bot', { hasText: text }).last().waitFor();
    },
  };
}

/** The next given weekday (0 = Sunday) at least `from` days away, as YYYY-MM-DD. */
function nextDay(weekday: number, from = 2): string {
  const d = new Date(Date.now() + from * 24 * 3600_000);
  while (d.getUTCDay() !== weekday) d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

it('a request made in the web chat appears live; staff schedule it; the young person sees the time in the chat', async () => {
  const { joinCode } = await haven.members.add({ name: 'Riley', consentBy: 'Pat Riley', addedBy: 'test' });
  const staff = await signedInStaff('coordinator', 'Casey Coordinator', true);
  expect(staff.url()).toMatch(/\/staff\/requests$/);
  await staff.locator('body[data-live-ready]').waitFor();
  await expect(staff.getByText('No open requests.').isVisible()).resolves.toBe(true);

  const chat = await chatPage();
  await chat.say(`join ${joinCode}`);
  await chat.expect(/Welcome, Riley/);
  await chat.say('can I talk to someone');
  await chat.expect(/How would you like to meet/);
  await chat.tap('Zoom');
  await chat.expect(/When suits you/);
  await chat.say('after school <b>Tuesday</b>');
  await chat.expect(/one youth worker or two/);
  await chat.tap('One');
  await chat.expect(/anything you'd like the youth worker to know/);
  await chat.tap('Skip');
  await chat.expect(/Shall I send it/);
  await chat.tap('Yes, send it');
  await chat.expect(/sent your request/);

  // Arrives on the open dashboard without a reload (SSE), with their words escaped.
  const card = staff.locator('#requests li', { hasText: 'Riley' });
  await card.waitFor();
  await expect(card.innerText()).resolves.toContain('after school <b>Tuesday</b>');
  await expect(card.innerText()).resolves.toContain('Zoom');
  await screenshotBothWidths(staff, 'requests');

  await card.getByRole('link', { name: /Arrange, message or close/ }).click();
  await staff.getByRole('heading', { name: /Riley: one-to-one/ }).waitFor();
  await screenshotBothWidths(staff, 'request-detail');
  // A Wednesday does not suit someone who said Tuesday: warned first, with the form kept.
  await staff.getByLabel('Date').fill(nextDay(3));
  await staff.getByLabel(/^Time/).fill('16:30');
  await staff.getByLabel(/^Where/).fill('https://zoom.us/j/5550001234');
  // Workers are chosen from staff accounts (the "Terry" account is the youth worker).
  await new StaffAccounts(haven.redis, haven.keys).add({
    email: `terry-${Date.now()}@example.org`,
    name: 'Terry',
    role: 'worker',
  });
  await staff.reload();
  await staff.getByLabel('Date').fill(nextDay(3));
  await staff.getByLabel(/^Time/).fill('16:30');
  await staff.getByLabel(/^Where/).fill('https://zoom.us/j/5550001234');
  await staff.locator('#s-w1').selectOption({ label: 'Terry (worker)' });
  await staff.getByRole('button', { name: 'Schedule and tell them' }).click();
  await staff.locator('#schedule-warnings').waitFor();
  expect(await staff.locator('#schedule-warnings').innerText()).toMatch(/and this is a Wednesday/);
  await screenshotBothWidths(staff, 'request-warning');
  // Changed to a Tuesday: no warning, booked at once.
  await staff.getByLabel('Date').fill(nextDay(2));
  await staff.locator('#s-w1').selectOption({ label: 'Terry (worker)' });
  await staff.getByRole('button', { name: 'Schedule anyway' }).click();
  await staff.getByText('scheduled', { exact: true }).first().waitFor();

  await chat.expect(/Your one-to-one is booked/);
  const booked = await chat.page.locator('.msg.bot', { hasText: 'booked' }).last().innerText();
  expect(booked).toContain('4:30pm');
  expect(booked).toContain('https://zoom.us/j/5550001234');
  expect(booked).toContain('Terry');
  const request = (await haven.requests.list()).find((r) => r.memberName === 'Riley');
  expect(request?.status).toBe('scheduled');
  expect((await haven.requests.history(request!.id)).find((e) => e.event === 'scheduled')?.by).toBe(
    'Casey Coordinator',
  );
  // The link in the confirmation is clickable in the web chat.
  expect(
    await chat.page.locator('.msg.bot a', { hasText: 'https://zoom.us/j/5550001234' }).last().getAttribute('href'),
  ).toBe('https://zoom.us/j/5550001234');
  await screenshotBothWidths(chat.page, 'chat-confirmation');

  // Closed requests are in the history.
  await staff.getByLabel(/Cancelled/).check();
  await staff.getByLabel(/Reason, if cancelled/).fill('Terry is off sick this week; ask again next week.');
  await staff.getByRole('button', { name: 'Close' }).click();
  await chat.expect(/Terry is off sick this week/);
  await staff.goto(`${haven.url}/staff/requests/history?status=cancelled`);
  await staff.locator('table.history-table tr', { hasText: 'Riley' }).waitFor();
  await screenshotBothWidths(staff, 'request-history');

  // The other request pages, for the screenshots.
  await staff.goto(`${haven.url}/staff/members`);
  await staff.getByLabel("Young person's name").fill('Alex');
  await staff.getByLabel('Consent given by').fill('Sam Alex');
  await staff.getByRole('button', { name: 'Add and get a join code' }).click();
  await staff.waitForURL(/\/staff\/members\/code\//);
  const code = await staff.locator('.joincode').innerText();
  expect(code).toMatch(/^[A-Z0-9]{8}$/);
  // Reloading shows the same code and adds nobody (post/redirect/get).
  const count = (await haven.members.list()).length;
  await staff.reload();
  expect(await staff.locator('.joincode').innerText()).toBe(code);
  expect((await haven.members.list()).length).toBe(count);
  await screenshotBothWidths(staff, 'member-join-code');
  await staff.goto(`${haven.url}/staff/members`);
  await staff.locator('li', { hasText: 'Riley' }).getByText('webchat·').waitFor();
  await screenshotBothWidths(staff, 'members');
  await staff.goto(`${haven.url}/staff/alerts`);
  await staff.getByRole('heading', { name: 'Not allowed' }).waitFor();
  await screenshotBothWidths(staff, 'forbidden');
});

it('an alert raised in the web chat appears live on the alerts page and can be acknowledged', async () => {
  const lead = await signedInStaff('safeguarding-lead', 'Lee Lead');
  expect(lead.url()).toMatch(/\/staff\/alerts$/);
  await lead.locator('body[data-live-ready]').waitFor();

  // Everything the live status shows, and what the live stream says of each change, recorded in the
  // page from before the message is sent: this Haven has no alert target, so "not delivered" and an
  // escalation follow the new alert within milliseconds, and the status may have moved on by the
  // time it is read.
  await lead.evaluate(`(() => {
    const status = document.getElementById('live-status');
    window.statusShown = [];
    window.streamSaid = [];
    new MutationObserver(() => window.statusShown.push(status.textContent)).observe(status, {
      childList: true,
      characterData: true,
      subtree: true,
    });
    const stream = new EventSource('/staff/api/alerts/events');
    stream.addEventListener('open', () => (window.streamOpen = true));
    stream.addEventListener('change', (e) => window.streamSaid.push(JSON.parse(e.data)));
  })()`);
  // Polled with page.evaluate (the debugger protocol): page.waitForFunction polls with eval inside the page, which
  // the dashboard's Content-Security-Policy (script-src 'self') refuses whenever its first check is false.
  await waitFor(() => lead.evaluate('window.streamOpen === true'), undefined, 'the live stream to open');
  const recorded = () =>
    lead.evaluate('({ statusShown: window.statusShown, streamSaid: window.streamSaid })') as Promise<{
      statusShown: string[];
      streamSaid: { type: string; say: string }[];
    }>;

  const chat = await chatPage();
  await chat.say('i want to kill myself tonight, i have the pills');
  const card = lead.locator('#alerts li.alert', { hasText: 'i want to kill myself tonight' });
  await card.waitFor();
  await expect(card.innerText()).resolves.toMatch(/OPEN/i);
  expect((await recorded()).statusShown).toContain('New alert');
  // Its delivery failed (no alert target here): said as it is, not as an escalation.
  await waitFor(
    () => lead.evaluate(`window.streamSaid.some((e) => e.type === 'not_delivered')`),
    undefined,
    'the stream to say not delivered',
  );
  expect((await recorded()).streamSaid.find((e) => e.type === 'not_delivered')?.say).toBe(
    'An alert could not be delivered',
  );
  await screenshotBothWidths(lead, 'alerts');

  const alert = (await haven.alerts.store.list({ openOnly: true }))[0];
  expect(alert).toBeDefined();
  await card.getByRole('button', { name: /Acknowledge/ }).click();
  await lead
    .locator('#alerts li.alert', { hasText: 'i want to kill myself tonight' })
    .getByText('acknowledged', { exact: true })
    .waitFor();
  const after = await haven.alerts.store.get(alert!.id);
  expect(after?.status).toBe('acknowledged');
  expect(after?.acknowledgedBy).toMatch(/^Lee Lead </);

  await lead.goto(`${haven.url}/staff/alerts/${alert!.id}`);
  await lead.getByLabel('Text').fill('Called the young person back; parent informed.');
  await lead.getByLabel(/an action taken/).check();
  await lead.getByRole('button', { name: 'Add to the record' }).click();
  await lead.getByText('Called the young person back; parent informed.').waitFor();
  await screenshotBothWidths(lead, 'alert-detail');
  const history = await haven.alerts.store.history(alert!.id);
  expect(history.map((e) => e.event)).toEqual(expect.arrayContaining(['raised', 'viewed', 'acknowledged', 'action']));

  // The signed link's confirmation page, as a worker's phone would show it.
  const other = await haven.alerts.raise({
    screen: { alert: true, category: 'neglect_danger', severity: 'high', matched: ['no food'] },
    text: 'no food in the house for 3 days',
    channel: 'webchat',
    conversationId: haven.vault.conversationId('webchat', 'ack-link-person'),
    receivedAt: Date.now(),
  });
  const phone = await newPage(360);
  await phone.goto(haven.alerts.ackUrl(other.id).replace(/^https?:\/\/[^/]+/, haven.url));
  await screenshotBothWidths(phone, 'ack-link');
  await phone.getByLabel(/Your name/).fill('Wendy Worker');
  await phone.getByRole('button', { name: /acknowledge/ }).click();
  await phone.getByRole('heading', { name: /acknowledged/ }).waitFor();
  expect((await haven.alerts.store.get(other.id))?.acknowledgedBy).toBe('Wendy Worker (signed link)');
  // What they did goes in the record from the same page: no dashboard needed.
  await phone.getByLabel('Your name').fill('Wendy Worker');
  await phone.getByRole('textbox', { name: 'What you did' }).fill('Rang the family; food bank voucher given.');
  await screenshotBothWidths(phone, 'ack-link-note');
  await phone.getByRole('button', { name: 'Add to the record' }).click();
  await phone.getByText('Your note is in the alert').waitFor();
  expect((await haven.alerts.store.history(other.id)).some((e) => e.event === 'action')).toBe(true);
});

it('admins see channels (with the WhatsApp pairing QR) and the queues board; the sign-in page', async () => {
  // A channel waiting to be paired, as the WhatsApp adapter reports it.
  const pairing: ChannelStatus = {
    channel: 'whatsapp',
    state: 'needs_pairing',
    detail: 'Scan the QR code with the charity phone',
    pairing: { qr: '2@Xy1o0ZP3w3s8kM,Qm7uTbq0fX9+Zy4w=,Fh6cK0Qw=,Jd8e0Qy=' },
  };
  haven.adapters.set('whatsapp', { name: 'whatsapp', send: async () => undefined, status: () => pairing });
  try {
    const admin = await signedInStaff('admin', 'Ada Admin');
    await admin.goto(`${haven.url}/staff/channels`);
    const qr = admin.getByRole('img', { name: /WhatsApp pairing QR code/ });
    await qr.waitFor();
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    expect(await qr.evaluate((img: unknown) => (img as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(100);
    await screenshotBothWidths(admin, 'channels');

    // Every channel, on or off; the unauthenticated Bot Framework is a warning, not "Working".
    await admin.locator('[data-channel="messenger"] .badge', { hasText: 'Off' }).waitFor();
    await admin.locator('[data-channel="botframework"] .badge.warn', { hasText: 'Unsafe' }).waitFor();

    // The queue board asks for nothing outside Haven, and has a way back.
    const outside: string[] = [];
    admin.on('request', (r) => {
      if (!r.url().startsWith(haven.url) && !r.url().startsWith('data:')) outside.push(r.url());
    });
    await admin.goto(`${haven.url}/staff/queues`);
    await admin.getByText('alerts', { exact: true }).first().waitFor();
    expect(outside).toEqual([]);
    await screenshotBothWidths(admin, 'queues');
    await admin.getByRole('link', { name: /Back to the Haven dashboard/ }).click();
    await admin.waitForURL(/\/staff\/[a-z]+$/);

    const anon = await newPage();
    await anon.goto(`${haven.url}/staff/alerts`);
    await anon.waitForURL(/\/staff\/login\?next=/);
    await screenshotBothWidths(anon, 'login');
    await anon.getByLabel('Email').fill('nobody@example.org');
    await anon.getByLabel('Password').fill('not the password');
    await anon.getByRole('button', { name: 'Sign in' }).click();
    // The sign-in error is an alert; with no alert target set up here, so is the "nobody can be
    // told" banner every dashboard page carries (signed in or not): pick the sign-in one.
    await anon.getByRole('alert').filter({ hasText: 'That email and password do not match' }).waitFor();
    await screenshotBothWidths(anon, 'login-error');
  } finally {
    haven.adapters.delete('whatsapp');
  }
});

it('keyboard: the skip link is the first stop and moves focus to the main content', async () => {
  const page = await signedInStaff('worker', 'Wyn Worker');
  await page.keyboard.press('Tab');
  const first = await page.evaluate('document.activeElement && document.activeElement.textContent');
  expect(first).toBe('Skip to main content');
  await page.keyboard.press('Enter');
  await waitFor(
    async () => (await page.evaluate('document.activeElement && document.activeElement.id')) === 'main',
    3000,
    'focus on main',
  );
});
