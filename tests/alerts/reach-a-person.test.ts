import { randomUUID } from 'node:crypto';
import { loadConfig } from '../../src/config';
import { IdentityVault } from '../../src/engine/identity';
import { makeStaff } from '../staff/client';
import { captureLogger, startStub, startTestHaven, waitFor, type StubServer } from '../support/haven';
import { messengerText, postSignedMessenger } from '../support/messenger';
import { startSmtp, type SmtpStub } from '../support/smtp';
import { startConversation } from '../support/conversation';

const SECRET = 'messenger-app-secret';
type Json = { recipient?: { id?: string }; message?: { text?: string } };

/**
 * An alert counts a staff member as told only when their platform (or mail server) accepted the
 * message. A target that cannot be told is recorded on the alert, shown on its dashboard page, and
 * the next level (the leads) is told at once, here by email on a loopback SMTP server.
 */
describe('alerts that provably reach a person', () => {
  let graph: StubServer;
  let smtp: SmtpStub;
  let haven: Awaited<ReturnType<typeof startTestHaven>>;
  const onDutyPsid = `psid-${randomUUID()}`;
  const windowPsid = `psid-${randomUUID()}`;
  const leadEmail = 'lead@example.org';
  const refusedPsid = `psid-${randomUUID()}`;

  beforeAll(async () => {
    graph = await startStub();
    smtp = await startSmtp();
    graph.respond((req, res) => {
      const id = (req.json as Json | undefined)?.recipient?.id ?? '';
      if (id === refusedPsid && (req.json as Json).message)
        return void res.writeHead(400, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            error: { message: 'This person isn\u2019t available right now.', code: 551, type: 'OAuthException' },
          }),
        );
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ recipient_id: id, message_id: `m_${randomUUID()}` }));
    });
    haven = await startTestHaven('reach', {
      MESSENGER_APP_SECRET: SECRET,
      MESSENGER_VERIFY_TOKEN: 'verify',
      MESSENGER_PAGE_ACCESS_TOKEN: 'token',
      MESSENGER_API_URL: `${graph.url}/v21.0`,
      SAFEGUARDING_ON_DUTY: `messenger:${onDutyPsid}`,
      SAFEGUARDING_LEADS: `email:${leadEmail}`,
      SMTP_URL: smtp.url,
      PUBLIC_URL: 'https://haven.example.org',
      // The timer alone would take ten minutes: anything sooner is the "at once" escalation.
      ESCALATION_MINUTES: '10',
      ESCALATION_URGENT_MINUTES: '10',
    });
  });
  afterAll(async () => {
    await haven?.shutdown();
    await graph?.close();
    await smtp?.close();
  });

  /** The staff member writes to the page (so Haven has their address), then `ageHours` pass. */
  async function staffWrote(psid: string, ageHours: number) {
    const res = await postSignedMessenger(haven.url, messengerText(psid, `m_${randomUUID()}`, 'hello'), SECRET);
    expect(res.status).toBe(200);
    const conversation = haven.vault.conversationId('messenger', psid);
    await waitFor(() => haven.vault.getAddress(conversation), 5000, 'the staff address stored');
    // Their greeting's reply is not what this test is about: wait for it to be sent.
    await waitFor(
      () => graph.requests.some((r) => (r.json as Json)?.recipient?.id === psid && (r.json as Json).message),
      10_000,
      'the reply to the staff greeting',
    );
    await haven.redis.set(haven.keys.lastInbound(conversation), String(Date.now() - ageHours * 3600_000));
    return conversation;
  }

  it('records a Messenger target outside the 24-hour window as not delivered, escalates at once, and emails the lead', async () => {
    const onDuty = await staffWrote(onDutyPsid, 25);
    const graphCallsBefore = graph.requests.filter((r) => (r.json as Json)?.recipient?.id === onDutyPsid).length;
    const young = await startConversation(haven);
    const words = 'i want to kill myself tonight';
    await young.send(words);
    await young.waitForReply(/0800 1111/);
    const alert = await waitFor(
      async () => (await haven.alerts.store.list()).find((a) => a.text === words),
      5000,
      'the alert',
    );

    // The lead's email arrives long before the ten-minute escalation timer.
    const mail = await waitFor(() => smtp.mails.find((m) => m.to.includes(leadEmail)), 15_000, 'the email to the lead');
    expect(mail.raw).toContain(alert.code);
    expect(mail.raw).toMatch(/Category: suicide/);
    expect(mail.raw).toMatch(/Severity: urgent/);
    expect(mail.raw).toContain(`https://haven.example.org/staff/alerts/${alert.id}`);
    expect(mail.raw).not.toContain('kill myself');
    expect(mail.raw).toMatch(/ESCALATED \(1\): the staff on duty could not be told/);

    // The mail server's acceptance is recorded just after it answers.
    const history = await waitFor(
      async () => {
        const h = await haven.alerts.store.history(alert.id);
        return h.some((e) => e.event === 'delivered' && e.detail?.startsWith('told email')) ? h : null;
      },
      10_000,
      "the lead's email recorded as delivered",
    );
    const failed = history.filter((e) => e.event === 'delivery_failed').map((e) => e.detail);
    expect(failed).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^not delivered to ${IdentityVault.shortName(onDuty)}: .*window`)),
      ]),
    );
    // Never "delivered" to the on-duty target: Messenger never accepted it (no Send API call was made).
    const delivered = history.filter((e) => e.event === 'delivered').map((e) => e.detail ?? '');
    expect(delivered.some((d) => d.includes(IdentityVault.shortName(onDuty)))).toBe(false);
    expect(delivered).toEqual(expect.arrayContaining([expect.stringMatching(/^told email l…@example\.org/)]));
    expect(history.map((e) => e.event)).toContain('escalated');
    expect((await haven.alerts.store.get(alert.id))?.level).toBe(1);
    expect(graph.requests.filter((r) => (r.json as Json)?.recipient?.id === onDutyPsid).length).toBe(graphCallsBefore);

    // The alert's dashboard page says who was not told, and why.
    const { client } = await makeStaff(haven, 'safeguarding-lead');
    const page = await (await client.get(`/staff/alerts/${alert.id}`)).text();
    expect(page).toContain('data-not-delivered');
    expect(page).toContain(`not delivered to ${IdentityVault.shortName(onDuty)}`);
    await haven.alerts.acknowledge(alert.id, 'test');
  });

  it('counts a staff member as told only once the platform accepted the message', async () => {
    const staff = await staffWrote(windowPsid, 1);
    const refused = await staffWrote(refusedPsid, 1);
    // Straight to the service, as the worker would: level 0 to these two targets.
    const alerts = haven.alerts as unknown as { settings: { onDuty: string[] } };
    const before = alerts.settings.onDuty;
    alerts.settings.onDuty = [staff, refused];
    try {
      const young = await startConversation(haven);
      const words = 'my stepdad hits me every night';
      await young.send(words);
      const alert = await waitFor(
        async () => (await haven.alerts.store.list()).find((a) => a.text === words),
        5000,
        'the alert',
      );
      const history = await waitFor(
        async () => {
          const h = await haven.alerts.store.history(alert.id);
          const details = h.map((e) => e.detail ?? '');
          return details.some((d) => d.startsWith(`told ${IdentityVault.shortName(staff)}`)) &&
            details.some((d) => d.startsWith(`not delivered to ${IdentityVault.shortName(refused)}`))
            ? h
            : null;
        },
        15_000,
        'both outcomes recorded',
      );
      // The accepted one: a Send API call to that PSID carries the alert.
      expect(
        graph.requests.some(
          (r) => (r.json as Json)?.recipient?.id === windowPsid && (r.json as Json).message?.text?.includes(alert.code),
        ),
      ).toBe(true);
      const refusedLine = history.find((e) =>
        e.detail?.startsWith(`not delivered to ${IdentityVault.shortName(refused)}`),
      );
      expect(refusedLine?.detail).toMatch(/refused/);
      // The refusal brought the leads in at once.
      await waitFor(() => smtp.mails.some((m) => m.raw.includes(alert.code)), 15_000, "the lead's email for it");
      await haven.alerts.acknowledge(alert.id, 'test');
    } finally {
      alerts.settings.onDuty = before;
    }
  });
});

describe('nobody can be told', () => {
  let haven: Awaited<ReturnType<typeof startTestHaven>>;
  const captured = captureLogger('info');

  beforeAll(async () => {
    haven = await startTestHaven('nobody', {}, { logger: captured.logger });
  });
  afterAll(async () => {
    await haven?.shutdown();
  });

  it('is said at start in the log, in /readyz and on every dashboard page', async () => {
    const line = captured.lines
      .map((l) => JSON.parse(l) as { level: number; msg: string; nobodyCanBeTold?: boolean })
      .find((l) => l.nobodyCanBeTold);
    expect(line?.level).toBe(50);
    expect(line?.msg).toMatch(/Nobody can be told of a safeguarding alert/);

    const ready = (await (await fetch(`${haven.url}/readyz`)).json()) as {
      safeguarding: { alerts: string; problem: string };
    };
    expect(ready.safeguarding.alerts).toBe('nobody_can_be_told');
    expect(ready.safeguarding.problem).toMatch(/SAFEGUARDING_ON_DUTY/);

    const login = await (await fetch(`${haven.url}/staff/login`)).text();
    expect(login).toContain('data-nobody-can-be-told');
    const { client } = await makeStaff(haven, 'coordinator');
    for (const path of ['/staff', '/staff/requests', '/staff/channels']) {
      const res = await client.get(path);
      const body = await res.text();
      if (res.status === 200) expect(body).toContain('data-nobody-can-be-told');
    }
  });
});

describe('email targets in settings', () => {
  it('are accepted with SMTP_URL and refused without it', () => {
    const env = { NODE_ENV: 'test', SAFEGUARDING_LEADS: 'email:lead@example.org,messenger:123' };
    expect(() => loadConfig(env)).toThrow(/SMTP_URL: needed because SAFEGUARDING_LEADS name an email: target/);
    const c = loadConfig({ ...env, SMTP_URL: 'smtp://127.0.0.1:2525' });
    expect(c.SAFEGUARDING_LEADS).toEqual(['email:lead@example.org', 'messenger:123']);
    expect(() => loadConfig({ ...env, SAFEGUARDING_LEADS: 'email:not-an-address', SMTP_URL: 'smtp://x' })).toThrow(
      /channel:id or email:address/,
    );
  });
});

describe("alert jobs hold ids, not a young person's words", () => {
  let haven: Awaited<ReturnType<typeof startTestHaven>>;
  const staffId = randomUUID();
  beforeAll(async () => {
    haven = await startTestHaven('alert-ids', { SAFEGUARDING_ON_DUTY: `webchat:${staffId}` });
  });
  afterAll(async () => {
    await haven?.shutdown();
  });

  it('puts the words in the staff notice only when it is sent; the queued job has none', async () => {
    const staff = await startConversation(haven, { clientId: staffId });
    await staff.send('hello');
    await staff.waitForReply(/Haven/);
    const young = await startConversation(haven);
    const words = 'my uncle touches me and says its our secret';
    await young.send(words);
    const told = await staff.waitForReply(/Safeguarding alert/, 10_000);
    expect(told.text).toContain(words);
    const jobs = await haven.queues.alerts.getJobs(['completed', 'waiting', 'active', 'delayed', 'failed']);
    const sends = jobs.filter((j) => j.name === 'send');
    expect(sends.length).toBeGreaterThan(0);
    for (const j of jobs) expect(JSON.stringify(j.data)).not.toContain('our secret');
    // A finished job's hash has a TTL (an hour), not only BullMQ's lazy age-based removal.
    const hashKey = `${haven.keys.queuePrefix}:alerts:${sends[0]!.id}`;
    const ttl = await waitFor(
      async () => {
        const t = await haven.redis.ttl(hashKey);
        return t > 0 ? t : null;
      },
      5000,
      'a TTL on the finished job',
    );
    expect(ttl).toBeLessThanOrEqual(3600);
  });
});
