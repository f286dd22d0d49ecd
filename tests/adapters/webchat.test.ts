import { chromium, type Browser } from 'playwright-core';
import { existsSync } from 'node:fs';
import { startTestHaven, waitFor } from '../support/haven';
import { webchatClientKey } from '../../src/adapters/webchat';
import type { OutboundJob } from '../../src/engine/message';
import { QUICK_EXIT_URL } from '../../src/adapters/webchat/page';
import { screenshot } from '../support/browser';
import { startConversation } from '../support/conversation';

describe('web chat channel', () => {
  let haven: Awaited<ReturnType<typeof startTestHaven>>;
  beforeAll(async () => {
    haven = await startTestHaven('webchat', { CHARITY_NAME: 'Young Carers Together' });
  });
  afterAll(async () => {
    await haven.shutdown();
  });

  it('serves the chat page with no external assets', async () => {
    const res = await fetch(`${haven.url}/chat`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<label class="sr" for="text">Your message</label>');
    expect(html).toContain('var MAX = 4096;');
    expect(html).not.toMatch(/(src|href)="https?:/);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    // The inline script is valid JavaScript (a template-literal escape slip would silently break the page).
    const script = /<script>([\s\S]*)<\/script>/.exec(html)?.[1] ?? '';
    expect(() => new Function(script)).not.toThrow();
  });

  it('"clear this chat" deletes the replies kept for that device, and only those', async () => {
    const a = await startConversation(haven);
    const b = await startConversation(haven);
    await a.send('hi');
    await b.send('hi');
    await a.expectReply(/Haven/);
    await b.expectReply(/Haven/);
    const kept = (clientKey: string) => haven.redis.llen(haven.keys.webchatOutbox(clientKey));
    const bad = await fetch(`${haven.url}/chat/api/clear`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientId: 'short' }),
    });
    expect(bad.status).toBe(400);
    const res = await fetch(`${haven.url}/chat/api/clear`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientId: a.clientId }),
    });
    expect(res.status).toBe(200);
    expect(await kept(a.clientKey)).toBe(0);
    expect(await haven.redis.exists(haven.keys.custom('webchat', 'seq', webchatClientKey(a.clientId)))).toBe(0);
    expect(await kept(b.clientKey)).toBe(1);
  });

  it('greets "hi" with what Haven is and that it is not an emergency service', async () => {
    const person = await startConversation(haven);
    await person.send('hi');
    const reply = await person.expectReply(/Haven/);
    expect(reply.text).toContain('Young Carers Together');
    expect(reply.text).toContain('0800 1111');
    expect(reply.text).toContain('999');
    expect(reply.choices?.map((c) => c.title)).toContain('Talk to a youth worker');
  });

  it('refuses a message over 4,096 characters with a clear message', async () => {
    const res = await fetch(`${haven.url}/chat/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientId: 'a'.repeat(20), id: '1', text: 'x'.repeat(4097) }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/4,096 characters/);
  });

  it('refuses malformed bodies', async () => {
    for (const body of [
      '{',
      '[]',
      JSON.stringify({ clientId: 'short', id: '1', text: 'hi' }),
      JSON.stringify({ clientId: 'a'.repeat(20), text: 'hi' }),
    ]) {
      const res = await fetch(`${haven.url}/chat/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(res.status).toBe(400);
    }
  });

  it('folds a browser retry of the same message id', async () => {
    const person = await startConversation(haven);
    for (let i = 0; i < 3; i++) expect((await person.post('hello', { id: 'same-id' })).status).toBe(202);
    await person.expectReply(/Haven/);
    // Everything queued has run: a second answer would have been a job on a queue.
    await person.expectNoMoreReplies();
  });

  it('delivers a reply once when its send job runs again after delivering it', async () => {
    // What Redis going away does to a send job: its run delivered the reply, but the job could not be
    // marked done, so it runs again once its lock lapses (or ioredis sends the command again on
    // reconnecting). Here the finished job is simply run again, with the same id.
    const person = await startConversation(haven);
    await person.send('hi');
    await person.expectReply(/Haven/);
    const finished = await haven.queues.outbound.getJobs(['completed']);
    const job = finished.find((j) => (j.data as OutboundJob).conversationId === person.conversationId);
    expect(await job?.getState()).toBe('completed');
    await job?.retry('completed');
    await waitFor(async () => (await job?.getState()) === 'completed', 15_000, 'the send job to run again');
    expect((await haven.queues.outbound.getJob(job?.id ?? ''))?.attemptsStarted).toBeGreaterThan(1);
    await person.expectNoMoreReplies();

    // A new message is still answered, numbered after the first.
    await person.send('menu');
    expect((await person.expectReply(/./)).seq).toBe(2);
  });

  it('streams replies over SSE, including ones sent before the page connected', async () => {
    const person = await startConversation(haven);
    await person.send('hi');
    await person.expectReply(/Haven/);
    const controller = new AbortController();
    const res = await fetch(`${haven.url}/chat/api/events?clientId=${person.clientId}`, { signal: controller.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    while (!text.includes('event: reply')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    controller.abort();
    expect(text).toMatch(/id: 1\nevent: reply\ndata: \{.*Haven/);
  });

  const chromiumPath = '/usr/bin/chromium';
  (existsSync(chromiumPath) ? it : it.skip)(
    'works in a real browser: open /chat, send "hi", see the greeting',
    async () => {
      let browser: Browser | undefined;
      try {
        browser = await chromium.launch({
          executablePath: chromiumPath,
          args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
        });
        const page = await browser.newPage({ viewport: { width: 320, height: 640 } });
        await page.goto(`${haven.url}/chat`);
        // The page opens with Haven's welcome; "hi" is then answered with a second greeting.
        const greetings = page.locator('.msg.bot', { hasText: "I'm Haven" });
        await greetings.first().waitFor({ timeout: 10_000 });
        await page.getByLabel('Your message').fill('hi');
        await page.getByRole('button', { name: 'Send' }).click();
        await greetings.nth(1).waitFor({ timeout: 10_000 });
        await page.getByRole('button', { name: 'Staying safe online' }).first().waitFor();
        // Readable at 320 px: nothing wider than the screen.
        expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(320);
        // A pasted message over the limit is refused with a clear word, never cut off and sent.
        const sent = await page.locator('.msg.me').count();
        await page.getByLabel('Your message').fill('x'.repeat(5000));
        await page.getByRole('status').filter({ hasText: 'too long' }).waitFor();
        await page.getByRole('button', { name: 'Send' }).click();
        expect(await page.locator('.msg.me').count()).toBe(sent);
        expect(await page.getByLabel('Your message').inputValue()).toHaveLength(5000);
        if (process.env.HAVEN_SCREENSHOTS)
          await page.screenshot({ path: `${process.env.HAVEN_SCREENSHOTS}/chat-360.png`, fullPage: true });
      } finally {
        await browser?.close();
      }
    },
  );
});

describe('/chat in a real browser: welcome, links, quick exit, clear', () => {
  let haven: Awaited<ReturnType<typeof startTestHaven>>;
  let browser: Browser | undefined;
  const chromiumPath = '/usr/bin/chromium';
  const run = existsSync(chromiumPath) ? it : it.skip;
  beforeAll(async () => {
    haven = await startTestHaven('webchat-ui', { CHARITY_NAME: 'Young Carers Together' });
    if (existsSync(chromiumPath))
      browser = await chromium.launch({
        executablePath: chromiumPath,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      });
  });
  afterAll(async () => {
    await browser?.close();
    await haven.shutdown();
  });

  async function open() {
    const context = await browser!.newContext({ viewport: { width: 360, height: 740 } });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    // No network here: the neutral exit site is answered locally.
    await context.route('https://www.bbc.co.uk/**', (route) =>
      route.fulfill({ status: 200, contentType: 'text/html', body: '<title>Weather</title><h1>Weather</h1>' }),
    );
    return { context, page };
  }

  run("opens with Haven's welcome and the menu buttons before anything is typed, once", async () => {
    const { context, page } = await open();
    try {
      await page.goto(`${haven.url}/chat`);
      await page.locator('.msg.bot', { hasText: "Hi, I'm Haven" }).waitFor();
      await page.getByRole('button', { name: 'Talk to a youth worker' }).waitFor();
      expect(await page.locator('.msg.me').count()).toBe(0);
      await screenshot(page, 'chat-welcome');
      // A reload shows the same welcome once, not a second one.
      await page.reload();
      await page.locator('.msg.bot', { hasText: "Hi, I'm Haven" }).waitFor();
      const id = await page.evaluate("localStorage.getItem('haven.clientId')");
      const stored = await haven.redis.lrange(haven.keys.webchatOutbox(webchatClientKey(id as string)), 0, -1);
      expect(stored).toHaveLength(1);
    } finally {
      await context.close();
    }
  });

  run('a reply taller than the screen (the safety tips) is shown from its start, not its end', async () => {
    const { context, page } = await open();
    try {
      await page.goto(`${haven.url}/chat`);
      await page.getByRole('button', { name: 'Staying safe online' }).click();
      const tips = page.locator('.msg.bot').last();
      await page.locator('.msg.bot').nth(1).waitFor();
      const m = (await tips.boundingBox())!;
      const l = (await page.locator('#log').boundingBox())!;
      const box = { msgTop: m.y, msgHeight: m.height, logTop: l.y, logHeight: l.height };
      // It is taller than the conversation area, and its first line is in view.
      expect(box.msgHeight).toBeGreaterThan(box.logHeight);
      expect(box.msgTop).toBeGreaterThanOrEqual(box.logTop - 1);
      expect(box.msgTop).toBeLessThan(box.logTop + box.logHeight / 2);
      expect(await tips.innerText()).toBeTruthy();
      await screenshot(page, 'chat-long-reply');
    } finally {
      await context.close();
    }
  });

  run('makes http(s) links in replies clickable and safe; nothing else becomes a link', async () => {
    const { context, page } = await open();
    try {
      await page.goto(`${haven.url}/chat`);
      await page.locator('.msg.bot', { hasText: "Hi, I'm Haven" }).waitFor();
      const id = (await page.evaluate("localStorage.getItem('haven.clientId')")) as string;
      const adapter = haven.adapters.get('webchat')!;
      await adapter.send(
        { k: webchatClientKey(id) },
        {
          text: 'Your session: https://zoom.us/j/5550001234?pwd=ab. Not javascript:alert(1) nor <a href="x">x</a> nor ftp://x.org',
        },
        { purpose: 'staff' },
      );
      const link = page.locator('.msg.bot a', { hasText: 'https://zoom.us/j/5550001234?pwd=ab' });
      await link.waitFor();
      expect(await link.getAttribute('href')).toBe('https://zoom.us/j/5550001234?pwd=ab');
      expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
      expect(await link.getAttribute('target')).toBe('_blank');
      const msg = page.locator('.msg.bot', { hasText: 'Your session' });
      expect(await msg.locator('a').count()).toBe(1);
      expect(await msg.innerText()).toContain('<a href="x">x</a>');
      await screenshot(page, 'chat-link');
    } finally {
      await context.close();
    }
  });

  run('Quick exit leaves at once for a neutral site, and Back does not return to the chat', async () => {
    const { context, page } = await open();
    try {
      await page.goto(`${haven.url}/readyz`);
      await page.goto(`${haven.url}/chat`);
      await page.locator('.msg.bot', { hasText: "Hi, I'm Haven" }).waitFor();
      const exit = page.getByRole('button', { name: 'Quick exit' });
      expect(await exit.isVisible()).toBe(true);
      await exit.click();
      await page.waitForURL(QUICK_EXIT_URL);
      await page.goBack();
      await waitFor(async () => !page.url().endsWith('/chat'), 5000, 'back to leave the chat behind');
      expect(page.url()).toBe(`${haven.url}/readyz`);
    } finally {
      await context.close();
    }
  });

  run('"Clear this chat" asks, then empties the page and the device\'s backlog, and starts afresh', async () => {
    const { context, page } = await open();
    try {
      await page.goto(`${haven.url}/chat`);
      await page.locator('.msg.bot', { hasText: "Hi, I'm Haven" }).waitFor();
      await page.getByLabel('Your message').fill('staying safe');
      await page.getByRole('button', { name: 'Send' }).click();
      await page.locator('.msg.bot', { hasText: 'Tips for everyone' }).waitFor();
      const oldId = (await page.evaluate("localStorage.getItem('haven.clientId')")) as string;
      await page.getByRole('button', { name: 'Clear this chat' }).click();
      await page.getByRole('button', { name: 'Yes, clear it' }).waitFor();
      await screenshot(page, 'chat-clear-confirm');
      await page.getByRole('button', { name: 'Yes, clear it' }).click();
      await page.getByRole('status').filter({ hasText: 'Cleared' }).waitFor();
      expect(await page.locator('.msg', { hasText: 'Tips for everyone' }).count()).toBe(0);
      expect(await haven.redis.exists(haven.keys.webchatOutbox(webchatClientKey(oldId)))).toBe(0);
      const newId = await page.evaluate("localStorage.getItem('haven.clientId')");
      expect(newId).not.toBe(oldId);
      // A reload does not bring the old chat back.
      await page.reload();
      await page.locator('.msg.bot', { hasText: "Hi, I'm Haven" }).waitFor();
      expect(await page.locator('.msg', { hasText: 'Tips for everyone' }).count()).toBe(0);
    } finally {
      await context.close();
    }
  });
});
