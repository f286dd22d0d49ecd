import { createHmac, randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { waitForDrained } from '../support/queues';
import { REMINDER_TASK } from '../../src/domain/requests';
import { startStub, startTestHaven, waitFor, type StubServer } from '../support/haven';

/**
 * Issue 7's journey over Messenger, as a new young person would take it: signed webhooks in,
 * replies at a loopback stand-in for the Graph API, the coordinator's webhook, and scheduling from
 * the `haven requests` CLI with reminders (short offsets).
 */
const SECRET = 'one-to-one-messenger-secret';

describe('one-to-one over Messenger', () => {
  let graph: StubServer;
  let hook: StubServer;
  let haven: Awaited<ReturnType<typeof startTestHaven>>;

  beforeAll(async () => {
    graph = await startStub();
    graph.respond((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"recipient_id":"1","message_id":"m"}'),
    );
    hook = await startStub();
    haven = await startTestHaven('121-messenger', {
      MESSENGER_APP_SECRET: SECRET,
      MESSENGER_VERIFY_TOKEN: 'v',
      MESSENGER_PAGE_ACCESS_TOKEN: 'page-token',
      MESSENGER_API_URL: graph.url,
      COORDINATOR_WEBHOOK_URL: `${hook.url}/coordinator`,
      REMINDER_OFFSETS_MINUTES: '60,30',
    });
  });
  afterAll(async () => {
    await haven.shutdown();
    await graph.close();
    await hook.close();
  });

  /** One young person on Messenger. */
  const person = () => {
    const psid = `7${randomBytes(7).readUIntBE(0, 6)}`;
    let seen = 0;
    const sent = () =>
      graph.requests
        .filter((r) => r.url.startsWith('/me/messages'))
        .map(
          (r) =>
            r.json as {
              recipient: { id: string };
              message?: { text: string; quick_replies?: { title: string; payload: string }[] };
            },
        )
        .filter((m) => m.recipient.id === psid && m.message);
    return {
      async say(text: string, payload?: string) {
        const message = payload
          ? { mid: `m_${randomBytes(8).toString('hex')}`, text, quick_reply: { payload } }
          : { mid: `m_${randomBytes(8).toString('hex')}`, text };
        const body = JSON.stringify({
          object: 'page',
          entry: [
            {
              id: 'PAGE',
              time: Date.now(),
              messaging: [{ sender: { id: psid }, recipient: { id: 'PAGE' }, timestamp: Date.now(), message }],
            },
          ],
        });
        const res = await fetch(`${haven.url}/webhooks/messenger`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-hub-signature-256': `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`,
          },
          body,
        });
        expect(res.status).toBe(200);
      },
      /** The next reply matching `pattern`, with its quick replies. */
      async expect(pattern: RegExp, ms = 8000) {
        const found = await waitFor(
          () =>
            sent()
              .slice(seen)
              .find((m) => pattern.test(m.message!.text)),
          ms,
          `a Messenger reply matching ${pattern}`,
        );
        seen = sent().indexOf(found) + 1;
        return found.message!;
      },
      /** Every text sent to this person so far. */
      all: () => sent().map((m) => m.message!.text),
      /** Taps a quick reply of the last message that offered one. */
      async tap(title: string) {
        const offered =
          [...sent()].reverse().find((m) => m.message?.quick_replies?.length)?.message?.quick_replies ?? [];
        const choice = offered.find((q) => q.title === title);
        if (!choice) throw new Error(`no quick reply "${title}" in ${offered.map((q) => q.title).join(', ')}`);
        await this.say(choice.title, choice.payload);
      },
    };
  };

  it('turns away a non-member kindly, then takes a member from "can i talk to someone" to a scheduled session with reminders', async () => {
    const stranger = person();
    await stranger.say('can i talk to someone');
    const told = await stranger.expect(/join/);
    expect(told.text).toMatch(/form to say yes/);
    expect(await haven.requests.list({ status: ['new', 'claimed', 'scheduled', 'done', 'cancelled'] })).toHaveLength(0);

    const { memberId, joinCode } = await haven.members.add({ name: 'Riley', consentBy: 'Pat Riley', addedBy: 'test' });
    const yp = person();
    await yp.say(`join ${joinCode}`);
    await yp.expect(/Welcome, Riley/);
    await yp.say('can i speak to a youth worker pls');
    await yp.expect(/How would you like to meet/);
    await yp.tap('Messenger');
    await yp.expect(/When suits you/);
    await yp.say('weekends');
    await yp.expect(/one youth worker or two/);
    await yp.tap("Don't mind");
    await yp.expect(/anything you'd like the youth worker to know/);
    await yp.tap('Skip');
    await yp.expect(/Shall I send it/);
    await yp.tap('Yes, send it');
    const queued = await yp.expect(/sent your request/);
    expect(queued.text).toMatch(/number 1 in the queue/);
    const posted = await waitFor(
      () => hook.requests.find((r) => (r.json as { type?: string })?.type === 'one_to_one_request'),
      8000,
      'the coordinator webhook',
    );
    expect(posted.body).toContain('Riley');
    const open = await haven.requests.openRequestFor(memberId);
    expect(open).not.toBeNull();
    const request = open!;
    expect(request).toMatchObject({ memberId, status: 'new' });

    // The coordinator schedules it from the CLI, two hours from now.
    const at = new Date(Date.now() + 2 * 3600_000).toISOString();
    const cli = (args: string[]) =>
      new Promise<{ code: number; stderr: string }>((resolve) => {
        const child = spawn(join('node_modules', '.bin', 'tsx'), ['src/cli.ts', ...args], {
          env: {
            ...process.env,
            REDIS_PREFIX: haven.prefix,
            NODE_ENV: 'test',
            LOG_LEVEL: 'silent',
            REMINDER_OFFSETS_MINUTES: '60,30',
          },
        });
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('close', (code) => resolve({ code: code ?? -1, stderr }));
      });
    expect((await cli(['requests', 'claim', '--id', request.id, '--by', 'Terry'])).code).toBe(0);
    const scheduled = await cli([
      'requests',
      'schedule',
      '--id',
      request.id,
      '--at',
      at,
      '--place',
      "we'll call you on Messenger",
      '--workers',
      'Terry',
    ]);
    expect([scheduled.code, scheduled.stderr.split('\n').filter((l) => l && !l.startsWith('npm warn'))]).toEqual([
      0,
      [],
    ]);
    const booked = await yp.expect(/booked/);
    expect(booked.text).toMatch(/Terry/);
    expect(booked.text).toMatch(/don't share|personal information|screenshot/i);
    // The reminders are delayed jobs an hour and half an hour before; time is moved on by promoting them.
    const reminders = (await haven.queues.tasks.getDelayed()).filter((j) => j.name === REMINDER_TASK);
    expect(reminders).toHaveLength(2);
    for (const j of reminders) await j.promote();
    // Both arrive (Messenger may split a long one into parts), each with the online-safety reminder.
    await yp.expect(/^Reminder:/, 15_000);
    await yp.expect(/^Reminder:/, 15_000);
    // Nothing left to send: a third reminder, or one sent twice, would still be a job on a queue.
    await waitForDrained(haven);
    const all = yp.all().join('\n');
    expect(all.match(/^Reminder:/gm)).toHaveLength(2);
    expect(all.match(/screenshot/gi)?.length ?? 0).toBeGreaterThanOrEqual(3);
  });
});
