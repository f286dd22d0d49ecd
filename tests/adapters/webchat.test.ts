import { chromium, type Browser } from 'playwright-core';
import { existsSync } from 'node:fs';
import { startTestHaven } from '../support/haven';
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
        await page.getByLabel('Your message').fill('hi');
        await page.getByRole('button', { name: 'Send' }).click();
        await page.locator('.msg.bot', { hasText: "I'm Haven" }).waitFor({ timeout: 10_000 });
        await page.getByRole('button', { name: 'Staying safe online' }).waitFor();
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
