import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createGroupService, GroupStore } from '../../src/domain/groups';
import { groupWords, loadGroupContent } from '../../src/flows/groups/content';
import { Outbox } from '../../src/engine/outbox';
import { StaffAccounts, type StaffRole } from '../../src/staff/accounts';
import { staffWorkerDirectory } from '../../src/staff/group-workers';
import { launchBrowser, screenshotBothWidths, setPasswordAndSignIn } from '../support/browser';
import { startConversation } from '../support/conversation';
import { startTestHaven } from '../support/haven';
import { captureLogger } from '../support/util';

/**
 * /staff/groups in real Chromium against a full Haven: a coordinator creates a session (one
 * worker refused with the policy's reason), reads its sign-up and waiting lists (first names
 * only), edits and moves it (those on it told), cancels it (told); a worker marks attendance.
 */
let haven: Awaited<ReturnType<typeof startTestHaven>>;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  haven = await startTestHaven('groups-ui');
  browser = await launchBrowser();
});
afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await haven?.shutdown();
});

async function signedIn(role: StaffRole, name: string): Promise<Page> {
  const email = `${role}-${Date.now()}@example.org`;
  const { token } = await new StaffAccounts(haven.redis, haven.keys).add({ email, name, role });
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  contexts.push(context);
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  await page.goto(`${haven.url}/staff/setup/${token}`);
  await setPasswordAndSignIn(page);
  return page;
}

/** A member on the web chat, joined. */
async function member(name: string) {
  const m = await haven.members.add({ name, consentBy: 'A parent', addedBy: 'test' });
  const chat = await startConversation(haven);
  await chat.send(`join ${m.joinCode}`);
  await chat.expectReply(/Welcome/);
  return { ...m, chat, name };
}

function inDays(n: number): string {
  return new Date(Date.now() + n * 24 * 3600_000).toISOString().slice(0, 10);
}

it('a coordinator creates, reads the lists, edits and moves, and cancels a session', async () => {
  const accounts = new StaffAccounts(haven.redis, haven.keys);
  await accounts.add({ email: 'terry@example.org', name: 'Terry Worker', role: 'worker' });
  await accounts.add({ email: 'ana@example.org', name: 'Ana Worker', role: 'worker' });
  const staff = await signedIn('coordinator', 'Casey Coordinator');
  await staff.getByRole('link', { name: 'Groups' }).click();
  await staff.getByRole('heading', { name: 'Peer support groups' }).waitFor();
  await staff.getByText('No sessions coming up.').waitFor();
  await staff.getByRole('link', { name: 'New session' }).click();

  await staff.getByLabel(/^Title/).fill("Young carers' chat");
  await staff.getByLabel(/^Description/).fill('A relaxed chat with other young carers. Bring a drink!');
  await staff.getByLabel('Date').fill(inDays(3));
  await staff.getByLabel(/^Start time/).fill('16:30');
  await staff.getByLabel('Length in minutes').fill('60');
  await staff.getByLabel(/^Zoom link/).fill('https://zoom.us/j/5550001234');
  await staff.getByLabel(/^Places/).fill('1');
  await staff.getByLabel(/^Youngest age/).fill('11');
  await staff.getByLabel(/^Oldest age/).fill('15');
  await staff.getByLabel(/Terry Worker/).check();
  await screenshotBothWidths(staff, 'groups-new');
  await staff.getByRole('button', { name: 'Create the session' }).click();
  // One worker: refused, with the policy's reason, and what was typed is kept.
  const refusal = staff.getByRole('alert').filter({ hasText: /Not created/ });
  await refusal.waitFor();
  expect(await refusal.innerText()).toMatch(/at least 2 youth workers/);
  expect(await refusal.innerText()).toMatch(/no young person is ever alone online with one adult/);
  await screenshotBothWidths(staff, 'groups-refused');
  expect(await staff.getByLabel(/^Title/).inputValue()).toBe("Young carers' chat");
  await staff.getByLabel(/Ana Worker/).check();
  await staff.getByRole('button', { name: 'Create the session' }).click();
  await staff.getByRole('heading', { name: /Young carers' chat/ }).waitFor();
  const [session] = await haven.groups.listAll();
  expect(session).toMatchObject({ title: "Young carers' chat", capacity: 1, ageMin: 11, ageMax: 15, minutes: 60 });
  expect(session!.workers.map((w) => w.name).sort()).toEqual(['Ana Worker', 'Terry Worker']);

  // Two members sign up in the chat: one gets the place, the other the waiting list.
  const riley = await member('Riley Smith');
  const kai = await member('Kai Jones');
  for (const [m, label] of [
    [riley, 'Sign up'],
    [kai, 'Join waiting list'],
  ] as const) {
    await m.chat.send('groups');
    await m.chat.expectReply(/groups coming up/);
    await m.chat.tap("1. Young carers' chat");
    await m.chat.expectReply(/Bring a drink/);
    await m.chat.tap(label);
    await m.chat.expectReply(/booked|waiting list/);
    // A place comes with the safety talk and the group's expectations; the waiting list does not.
    if (label === 'Sign up') await m.chat.expectReply(/Before the group, a few things to keep you safe online/);
  }

  await staff.reload();
  const booked = staff.locator('#booked');
  const waiting = staff.locator('#waiting');
  expect(await booked.innerText()).toContain('1. Riley');
  expect(await waiting.innerText()).toContain('1. Kai');
  // First names only: no surname anywhere on the page.
  const pageText = await staff.locator('main').innerText();
  expect(pageText).not.toMatch(/Smith|Jones/);
  expect(pageText).toMatch(/1 of 1 taken, for ages 11 to 15/);
  await screenshotBothWidths(staff, 'groups-detail');

  // A youth worker can write to a young person on the list from here.
  await staff.getByText('Message Riley').click();
  await staff
    .getByLabel(/^Message/)
    .first()
    .fill('See you on Thursday! Any questions, just ask.');
  await staff.getByRole('button', { name: 'Send to Riley' }).click();
  await staff.getByText('Message sent.').waitFor();
  const fromStaff = await riley.chat.expectReply(/From Casey Coordinator \(youth worker\), about Young carers' chat/);
  expect(fromStaff.text).toContain('See you on Thursday!');

  // Edit: a new title and a new time (a move): both told.
  await staff.getByLabel(/^Title/).fill("Young carers' catch-up");
  await staff.getByLabel(/^Start time/).fill('17:00');
  await staff.getByRole('button', { name: 'Save changes' }).click();
  await staff.getByText(/Moved\. Everyone signed up or waiting is being told/).waitFor();
  await staff.getByRole('heading', { name: /Young carers' catch-up/ }).waitFor();
  for (const m of [riley, kai]) {
    const told = await m.chat.expectReply(/has moved to a new time/);
    expect(told.text).toMatch(/5pm/);
  }
  await staff.getByRole('link', { name: 'All groups' }).click();
  await staff.getByRole('link', { name: "Young carers' catch-up" }).waitFor();
  expect(await staff.locator('main').innerText()).toMatch(/1 of 1 places taken · 1 on the waiting list/);
  await screenshotBothWidths(staff, 'groups-list');

  // Cancel: confirmed, everyone told.
  await staff.getByRole('link', { name: "Young carers' catch-up" }).click();
  await staff.getByLabel(/Cancel it and tell everyone/).check();
  await staff.getByRole('button', { name: 'Cancel the session' }).click();
  await staff.getByText(/Cancelled\. Everyone signed up or waiting is being told/).waitFor();
  await staff.getByText('cancelled', { exact: true }).first().waitFor();
  for (const m of [riley, kai]) await m.chat.expectReply(/has been cancelled/);
  await screenshotBothWidths(staff, 'groups-cancelled');
});

it('a youth worker marks attendance after a session, and cannot create sessions', async () => {
  // A session that has started: made through a service whose clock is two hours behind.
  const accounts = new StaffAccounts(haven.redis, haven.keys);
  // The two workers (made by the first test when it ran; made here when this one runs alone).
  for (const [email, name] of [
    ['terry@example.org', 'Terry Worker'],
    ['ana@example.org', 'Ana Worker'],
  ] as const)
    if (!(await accounts.byEmail(email))) await accounts.add({ email, name, role: 'worker' });
  const earlier = createGroupService({
    redis: haven.redis,
    keys: haven.keys,
    tasks: haven.queues.tasks,
    outbox: new Outbox(haven.queues.outbound),
    log: captureLogger().logger,
    workers: staffWorkerDirectory(accounts),
    timezone: 'Europe/London',
    reminderOffsetsMinutes: [],
    linkMinutesBefore: 30,
    retentionDays: 30,
    words: groupWords(loadGroupContent()),
    now: () => Date.now() - 2 * 3600_000,
  });
  expect(earlier.store).toBeInstanceOf(GroupStore);
  const s = await earlier.create(
    {
      title: 'Art club',
      description: '',
      at: Date.now() - 3600_000,
      minutes: 60,
      link: 'https://zoom.us/j/1',
      capacity: 4,
      workers: ['terry@example.org', 'ana@example.org'],
    },
    'test',
  );
  const ola = await haven.members.add({ name: 'Ola Brown', consentBy: 'P', addedBy: 'test' });
  await earlier.signUp(
    s.id,
    { memberId: ola.memberId, name: 'Ola Brown', conversationId: 'webchat:x' },
    { waitingList: false },
  );

  const worker = await signedIn('worker', 'Wren Worker');
  await worker.goto(`${haven.url}/staff/groups/${s.id}`);
  await worker.getByRole('heading', { name: /Art club/ }).waitFor();
  expect(await worker.getByRole('link', { name: 'New session' }).count()).toBe(0);
  expect(await worker.getByRole('button', { name: 'Save changes' }).count()).toBe(0);
  await worker.getByRole('button', { name: /^Came/ }).click();
  await worker.getByText('Attendance saved.').waitFor();
  expect(await worker.locator('#booked').innerText()).toMatch(/Came\? yes/);
  expect((await haven.groups.places(s.id)).booked[0]?.attended).toBe(true);
  await screenshotBothWidths(worker, 'groups-attendance');
  await worker.goto(`${haven.url}/staff/groups/new`);
  await worker.getByRole('heading', { name: 'Not allowed' }).waitFor();
});
