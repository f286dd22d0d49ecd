import { randomUUID } from 'node:crypto';
import { startStub, startTestHaven, waitFor, type StubServer } from '../support/haven';
import { WebchatPerson } from '../support/webchat';

/**
 * The safeguarding alert pipeline end to end, through the web chat: a concerning message reaches
 * the alert webhook and on-duty staff, the young person gets the helplines, nobody acknowledging
 * escalates to the lead, and `ack CODE` from staff stops it.
 */
describe('safeguarding alerts', () => {
  let hook: StubServer;
  let haven: Awaited<ReturnType<typeof startTestHaven>>;
  const staffId = randomUUID();
  const leadId = randomUUID();

  beforeAll(async () => {
    hook = await startStub();
    haven = await startTestHaven('alerts', {
      ALERT_WEBHOOK_URL: `${hook.url}/alerts`,
      SAFEGUARDING_ON_DUTY: `webchat:${staffId}`,
      SAFEGUARDING_LEADS: `webchat:${leadId}`,
      // 0.6 s, so escalation can be seen in a test.
      ESCALATION_MINUTES: '0.01',
      ESCALATION_URGENT_MINUTES: '0.01',
    });
  });
  afterAll(async () => {
    await haven.shutdown();
    await hook.close();
  });

  it('alerts, replies with helplines, escalates, and stops when acknowledged', async () => {
    const staff = Object.assign(new WebchatPerson(haven), { clientId: staffId });
    const lead = Object.assign(new WebchatPerson(haven), { clientId: leadId });
    // Staff chat identities are reachable once they have written to Haven.
    await staff.say('hello');
    await staff.expectReply(/Haven/);
    await lead.say('hello');
    await lead.expectReply(/Haven/);

    const young = new WebchatPerson(haven);
    await young.say('i want to kill myself tonight');

    const reply = await young.expectReply(/0800 1111/);
    expect(reply.text).toContain('85258');
    expect(reply.text).toContain('999');
    expect(reply.text).toMatch(/might need to tell someone/);

    const posted = await waitFor(() => hook.requests.find((r) => r.url === '/alerts'), 3000, 'the alert webhook');
    const body = posted.json as {
      type: string;
      text: string;
      alert: { category: string; severity: string; message: string; code: string };
    };
    expect(body.type).toBe('safeguarding_alert');
    expect(body.alert.category).toBe('suicide');
    expect(body.alert.message).toBe('i want to kill myself tonight');
    expect(body.text).toContain(body.alert.code);

    const toStaff = await staff.expectReply(/Safeguarding alert/);
    expect(toStaff.text).toContain(`ack ${body.alert.code}`);

    // Nobody acknowledges: the lead is told.
    const escalated = await lead.expectReply(/ESCALATED/, 10_000);
    expect(escalated.text).toContain(body.alert.code);

    await staff.say(`ack ${body.alert.code}`);
    await staff.expectReply(/acknowledged/);

    const alerts = await haven.alerts.store.list();
    const alert = alerts.find((a) => a.code === body.alert.code);
    expect(alert?.status).toBe('acknowledged');
    const history = await haven.alerts.store.history(alert!.id);
    const events = history.map((e) => e.event);
    expect(events[0]).toBe('raised');
    expect(events).toEqual(expect.arrayContaining(['delivered', 'escalated', 'acknowledged']));

    // No escalation after the acknowledgement.
    const hooksAfterAck = hook.requests.length;
    await new Promise((r) => setTimeout(r, 1500));
    expect(hook.requests.length).toBe(hooksAfterAck);
  });

  it('tells on-duty staff while replies are held up on the outbound queue', async () => {
    const staff = Object.assign(new WebchatPerson(haven), { clientId: staffId });
    const young = new WebchatPerson(haven);
    await young.say('hello');
    await young.expectReply(/Haven/);
    await new Promise((r) => setTimeout(r, 300));
    const before = (await young.replies()).length;
    // Nothing on the outbound queue moves: as if a backlog of replies stood in front.
    await haven.queues.outbound.pause();
    try {
      await young.say('my uncle touches me and says its our secret');
      const toStaff = await staff.expectReply(/our secret/, 10_000);
      expect(toStaff.text).toMatch(/Safeguarding alert[\s\S]*ack [A-Z2-9]{5}/);
      expect(await young.replies()).toHaveLength(before);
    } finally {
      await haven.queues.outbound.resume();
    }
    // The young person's own answer follows once the outbound queue moves again.
    await young.expectReply(/0800 1111/, 10_000);
  });

  it('retries an alert whose webhook is down, and escalation still runs', async () => {
    let calls = 0;
    hook.respond((_req, res) => {
      calls++;
      res.writeHead(calls <= 2 ? 500 : 200).end('{}');
    });
    const young = new WebchatPerson(haven);
    await young.say('my stepdad hits me every night and i have bruises');
    await young.expectReply(/0800 1111/);
    await waitFor(() => calls >= 3, 15_000, 'the webhook to be retried until it answers');
    const alert = (await haven.alerts.store.list({ openOnly: true }))[0];
    expect(alert).toBeDefined();
    await waitFor(
      async () => (await haven.alerts.store.history(alert!.id)).some((e) => e.event === 'escalated'),
      10_000,
      'escalation',
    );
    const events = (await haven.alerts.store.history(alert!.id)).map((e) => e.event);
    expect(events).toContain('delivery_failed');
    await haven.alerts.acknowledge(alert!.id, 'test');
  });

  it('raises one alert for a message the platform sends again after its queueing failed', async () => {
    const before = (await haven.alerts.store.list()).length;
    const inbound = haven.queues.inbound;
    const add = inbound.add.bind(inbound);
    let failures = 0;
    // The message's alert is raised, then storing the message itself fails once (Redis hiccup).
    inbound.add = (async (...args: Parameters<typeof add>) => {
      if (failures++ === 0) throw new Error('simulated: queue unavailable');
      return add(...args);
    }) as typeof inbound.add;
    const clientId = randomUUID();
    const msg = {
      channel: 'webchat' as const,
      messageId: `retry-${randomUUID()}`,
      senderId: clientId,
      kind: 'text' as const,
      text: 'i am going to kill myself tonight',
      sentAt: Date.now(),
      address: { k: clientId },
    };
    try {
      await expect(haven.ingest.accept(msg)).rejects.toThrow(/simulated/);
      // The platform retries the same message id: stored this time, and no second alert.
      await expect(haven.ingest.accept(msg)).resolves.toMatchObject({ outcome: 'queued' });
    } finally {
      inbound.add = add;
    }
    const raised = (await haven.alerts.store.list()).length - before;
    expect(raised).toBe(1);
  });
});
