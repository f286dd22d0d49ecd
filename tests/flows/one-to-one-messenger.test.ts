import { runCli } from '../support/cli';
import { waitForDrained } from '../support/queues';
import { REMINDER_TASK } from '../../src/domain/requests';
import { startStub, startTestHaven, waitFor, type StubServer } from '../support/haven';
import { messengerPerson } from '../support/messenger';

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
  const person = () => messengerPerson({ graph, havenUrl: haven.url, appSecret: SECRET, expectMs: 8000 });

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
    const cli = (args: string[]) => runCli(args, haven.prefix, { REMINDER_OFFSETS_MINUTES: '60,30' });
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
