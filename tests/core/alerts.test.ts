import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { AlertStore, alertIdFor } from '../../src/domain/alerts/store';
import { jobId } from '../../src/engine/queues';
import { startStub, startTestHaven, waitFor, type StubServer } from '../support/haven';
import { startConversation, type Conversation } from '../support/conversation';
import { waitForDrained } from '../support/queues';

/** A web chat message as its adapter hands it to Ingest, from a new sender. */
function webchatMessage(idPrefix: string, text: string) {
  const clientId = randomUUID();
  return {
    channel: 'webchat' as const,
    messageId: `${idPrefix}-${randomUUID()}`,
    senderId: clientId,
    kind: 'text' as const,
    text,
    sentAt: Date.now(),
    address: { k: clientId },
  };
}

/** Escalation delays far longer than any test: escalation happens when a test moves time on. */
const NORMAL_MINUTES = 30;
const URGENT_MINUTES = 5;

/**
 * The safeguarding alert pipeline end to end, through the web chat: a concerning message reaches
 * the alert webhook and on-duty staff, the young person gets the helplines, nobody acknowledging
 * escalates to the lead, and `ack CODE` from staff stops it.
 *
 * Time is the subject of escalation, so the test holds the clock: each escalation level is a
 * delayed job on the alerts queue, made with the delay the settings give; the test reads that
 * delay, then brings the job forward (BullMQ's promote) as if the time had passed.
 */
describe('safeguarding alerts', () => {
  let hook: StubServer;
  let haven: Awaited<ReturnType<typeof startTestHaven>>;
  const staffId = randomUUID();
  const leadId = randomUUID();
  /** The on-duty member of staff and the lead, each on their own chat identity. */
  let staff: Conversation;
  let lead: Conversation;

  /** The delayed job of an alert's escalation `level` (undefined when none). */
  const escalation = (alertId: string, level: number) =>
    haven.queues.alerts.getJob(jobId('alert', alertId, String(level)));

  /** Moves time on to an alert's next escalation: waits for its delayed job, runs it now, waits till done. */
  async function escalateNow(alertId: string, level: number): Promise<number> {
    const job = await waitFor(() => escalation(alertId, level), 30_000, `escalation level ${level} to be scheduled`);
    expect(await job.isDelayed()).toBe(true);
    const delay = job.opts.delay ?? 0;
    await job.promote();
    await waitFor(async () => (await escalation(alertId, level))?.isCompleted(), 30_000, `level ${level} to run`);
    return delay;
  }

  beforeAll(async () => {
    hook = await startStub();
    haven = await startTestHaven('alerts', {
      ALERT_WEBHOOK_URL: `${hook.url}/alerts`,
      // These tests read the words in the webhook; without this they are left out.
      ALERT_WEBHOOK_INCLUDE_TEXT: 'true',
      SAFEGUARDING_ON_DUTY: `webchat:${staffId}`,
      SAFEGUARDING_LEADS: `webchat:${leadId}`,
      ESCALATION_MINUTES: String(NORMAL_MINUTES),
      ESCALATION_URGENT_MINUTES: String(URGENT_MINUTES),
    });
    // Staff chat identities are reachable once they have written to Haven. Every test here counts
    // on it: an alert nobody on duty can be told of escalates at once.
    staff = await startConversation(haven, { clientId: staffId });
    lead = await startConversation(haven, { clientId: leadId });
    await staff.send('hello');
    await staff.expectReply(/Haven/, { skip: true });
    await lead.send('hello');
    await lead.expectReply(/Haven/, { skip: true });
  });
  afterAll(async () => {
    await haven.shutdown();
    await hook.close();
  });

  it('alerts, replies with helplines, escalates, and stops when acknowledged', async () => {
    // Staff identities hear of every alert in this file: reading theirs, they skip the others'.
    const young = await startConversation(haven);
    await young.send('i want to kill myself tonight');

    const reply = await young.expectReply(/0800 1111/);
    expect(reply.text).toContain('85258');
    expect(reply.text).toContain('999');
    expect(reply.text).toMatch(/may have to tell people whose job is to keep children safe/);

    const posted = await waitFor(() => hook.requests.find((r) => r.url === '/alerts'), 30_000, 'the alert webhook');
    const body = posted.json as {
      type: string;
      text: string;
      alert: { id: string; category: string; severity: string; message: string; code: string };
    };
    expect(body.type).toBe('safeguarding_alert');
    expect(body.alert.category).toBe('suicide');
    expect(body.alert.severity).toBe('urgent');
    expect(body.alert.message).toBe('i want to kill myself tonight');
    expect(body.text).toContain(body.alert.code);

    const toStaff = await staff.expectReply(/Safeguarding alert/, { skip: true });
    expect(toStaff.text).toContain(`ack ${body.alert.code}`);

    // Nobody acknowledges: after the urgent delay (time moved on by the test), the lead is told.
    expect(await escalateNow(body.alert.id, 1)).toBe(URGENT_MINUTES * 60_000);
    const escalated = await lead.expectReply(/ESCALATED \(1\)/, { skip: true });
    expect(escalated.text).toContain(body.alert.code);
    // The next level waits for its turn.
    expect((await escalation(body.alert.id, 2))?.opts.delay).toBe(URGENT_MINUTES * 60_000);

    await staff.send(`ack ${body.alert.code}`);
    await staff.expectReply(/acknowledged/, { skip: true });

    const alert = await haven.alerts.store.get(body.alert.id);
    expect(alert?.status).toBe('acknowledged');
    const history = await haven.alerts.store.history(alert!.id);
    const events = history.map((e) => e.event);
    expect(events[0]).toBe('raised');
    expect(events).toEqual(expect.arrayContaining(['delivered', 'escalated', 'acknowledged']));

    // The pending level is taken off the queue, and nothing more goes out once the queues are drained.
    expect(await escalation(body.alert.id, 2)).toBeUndefined();
    const hooksAfterAck = hook.requests.filter((r) => (r.json as { alert: { id: string } }).alert.id === alert!.id);
    await waitForDrained(haven);
    expect(hook.requests.filter((r) => (r.json as { alert: { id: string } }).alert.id === alert!.id)).toEqual(
      hooksAfterAck,
    );
    await young.expectNoMoreReplies();
  });

  it('escalates an urgent alert after the urgent delay and any other after the normal one', async () => {
    const raise = (severity: 'urgent' | 'high', text: string) =>
      haven.alerts.raise({
        screen: { alert: true, category: 'self_harm', severity, matched: ['self_harm.cutting'] },
        text,
        channel: 'webchat',
        conversationId: `webchat:${randomUUID()}`,
        receivedAt: Date.now(),
      });
    const urgent = await raise('urgent', 'delay test urgent');
    const high = await raise('high', 'delay test high');
    const level1 = async (id: string) => waitFor(() => escalation(id, 1), 30_000, 'level 1 to be scheduled');
    expect((await level1(urgent.id)).opts.delay).toBe(URGENT_MINUTES * 60_000);
    expect((await level1(high.id)).opts.delay).toBe(NORMAL_MINUTES * 60_000);
    expect(URGENT_MINUTES).not.toBe(NORMAL_MINUTES);
    // Until the time comes, neither has escalated.
    expect(await haven.alerts.store.get(urgent.id)).toMatchObject({ level: 0, status: 'open' });
    expect(await haven.alerts.store.get(high.id)).toMatchObject({ level: 0, status: 'open' });
    for (const a of [urgent, high]) {
      await haven.alerts.acknowledge(a.id, 'test');
      expect(await escalation(a.id, 1)).toBeUndefined();
    }
  });

  it('escalates at most 12 times, then stops', async () => {
    const alert = await haven.alerts.raise({
      screen: { alert: true, category: 'self_harm', severity: 'urgent', matched: ['self_harm.cutting'] },
      text: 'cap test',
      channel: 'webchat',
      conversationId: `webchat:${randomUUID()}`,
      receivedAt: Date.now(),
    });
    for (let level = 1; level <= 12; level++) await escalateNow(alert.id, level);
    expect(await haven.alerts.store.get(alert.id)).toMatchObject({ level: 12, status: 'open' });
    // Level 12 ran to the end (a next level is added before a level's job completes) and added none.
    expect(await escalation(alert.id, 13)).toBeUndefined();
    const levels = hook.requests
      .map((r) => (r.json as { alert: { id: string; level: number } }).alert)
      .filter((a) => a.id === alert.id)
      .map((a) => a.level);
    expect(levels).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    await haven.alerts.acknowledge(alert.id, 'test');
  });

  it('ignores "ack CODE" from a young person and from a stranger: the alert stays open', async () => {
    const { joinCode } = await haven.members.add({ name: 'Noor', consentBy: 'Jo', addedBy: 'test' });
    const member = await startConversation(haven);
    await member.send(`join ${joinCode}`);
    await member.expectReply(/Noor/);
    await member.send('my stepdad hits me every day');
    await member.expectReply(/0800 1111/);
    const alert = (await haven.alerts.store.list({ openOnly: true })).find(
      (a) => a.conversationId === member.conversationId,
    );
    expect(alert).toBeDefined();
    const stranger = await startConversation(haven);
    for (const who of [member, stranger]) {
      await who.send(`ack ${alert!.code}`);
      const [answer] = await who.nextReplies(1);
      expect(answer!.text).not.toMatch(/acknowledged|couldn't find an open alert/);
    }
    expect(await haven.alerts.store.get(alert!.id)).toMatchObject({ status: 'open' });
    const events = (await haven.alerts.store.history(alert!.id)).map((e) => e.event);
    expect(events).not.toContain('acknowledged');
    // Its escalation still stands.
    expect(await (await escalation(alert!.id, 1))?.isDelayed()).toBe(true);
    await haven.alerts.acknowledge(alert!.id, 'test');
  });

  it('tells on-duty staff while replies are held up on the outbound queue', async () => {
    const staff = await startConversation(haven, { clientId: staffId });
    const young = await startConversation(haven);
    await young.send('hello');
    await young.expectReply(/Haven/);
    await young.expectNoMoreReplies({ only: ['inbound', 'outbound'] });
    const before = (await young.allReplies()).length;
    // Nothing on the outbound queue moves: as if a backlog of replies stood in front.
    await haven.queues.outbound.pause();
    try {
      await young.send('my uncle touches me and says its our secret');
      const toStaff = await staff.expectReply(/our secret/, { skip: true });
      expect(toStaff.text).toMatch(/Safeguarding alert[\s\S]*ack [A-Z2-9]{5}/);
      expect(await young.allReplies()).toHaveLength(before);
    } finally {
      await haven.queues.outbound.resume();
    }
    // The young person's own answer follows once the outbound queue moves again.
    await young.expectReply(/0800 1111/);
    const alert = (await haven.alerts.store.list({ openOnly: true })).find(
      (a) => a.conversationId === young.conversationId,
    );
    await haven.alerts.acknowledge(alert!.id, 'test');
  });

  it('retries an alert whose webhook is down, and escalation still runs; staff are told once', async () => {
    const text = 'my stepdad hits me every night and i have bruises';
    let calls = 0;
    hook.respond(async (req, res) => {
      const level0 = (req.json as { alert: { message: string; level: number } }).alert;
      if (level0.message !== text || level0.level !== 0) return void res.writeHead(200).end('{}');
      calls++;
      // As if the outage lasted past the hour completed jobs are kept: the staff notice's job id no
      // longer folds a second one when the third attempt comes.
      if (calls === 2) await haven.queues.alerts.clean(0, 1000, 'completed');
      res.writeHead(calls <= 2 ? 500 : 200).end('{}');
    });
    const young = await startConversation(haven);
    await young.send(text);
    await young.expectReply(/0800 1111/);
    await waitFor(() => calls >= 3, 60_000, 'the webhook to be retried until it answers');
    const alert = (await haven.alerts.store.list({ openOnly: true })).find((a) => a.text === text);
    expect(alert).toBeDefined();
    // The next level was scheduled on the first (failed) attempt: time moved on, it runs.
    await escalateNow(alert!.id, 1);
    const events = (await haven.alerts.store.history(alert!.id)).map((e) => e.event);
    expect(events).toContain('delivery_failed');
    expect(events).toContain('escalated');
    // The delivery job ran three times; on-duty staff were told of the alert once.
    await waitForDrained(haven, { only: ['outbound'] });
    const staff = await startConversation(haven, { clientId: staffId });
    const told = (await staff.allReplies()).filter((r) => r.text.includes(alert!.code) && !/ESCALATED/.test(r.text));
    expect(told).toHaveLength(1);
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
    const msg = webchatMessage('retry', 'i am going to kill myself tonight');
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
  it("names the member in the alert from a member's chat, and nobody in a stranger's", async () => {
    const { memberId, joinCode } = await haven.members.add({ name: 'Tamsin', consentBy: 'Jo', addedBy: 'test' });
    const member = await startConversation(haven);
    await member.send(`join ${joinCode}`);
    await member.expectReply(/Tamsin/);
    await member.send('my stepdad hits me');
    await member.expectReply(/0800 1111/);
    const stranger = await startConversation(haven);
    await stranger.send('my stepdad hits me');
    await stranger.expectReply(/0800 1111/);

    const alerts = (await haven.alerts.store.list()).filter((a) => a.text === 'my stepdad hits me');
    expect(alerts).toHaveLength(2);
    const named = alerts.find((a) => a.memberId);
    expect(named).toMatchObject({ memberId, memberName: 'Tamsin' });
    expect(alerts.find((a) => !a.memberId)?.memberName).toBeUndefined();
    await waitFor(
      () => hook.requests.some((r) => (r.json as { alert: { member: string | null } }).alert.member === 'Tamsin'),
      30_000,
      "the member's alert posted with their name",
    );
    for (const a of alerts) await haven.alerts.acknowledge(a.id, 'test');

    // A name Redis's JSON reader refuses (a lone surrogate, which JSON.stringify writes as \ud83d)
    // still raises the alert, with the member's id and without the name.
    const odd = await haven.members.add({ name: 'Sam\ud83d', consentBy: 'Jo', addedBy: 'test' });
    const sam = await startConversation(haven);
    await sam.send(`join ${odd.joinCode}`);
    await sam.expectReply(/Welcome/);
    await sam.send('my stepdad hits me');
    await sam.expectReply(/0800 1111/);
    const hers = (await haven.alerts.store.list()).find((a) => a.memberId === odd.memberId);
    expect(hers).toMatchObject({ text: 'my stepdad hits me', memberId: odd.memberId });
    expect(hers?.memberName).toBeUndefined();
    await haven.alerts.acknowledge(hers!.id, 'test');
  });

  it('raises and delivers one alert when a retry races its original, whichever records first', async () => {
    const raised: string[] = [];
    const unsubscribe = haven.alerts.onChange((e) => e.type === 'raised' && raised.push(e.alertId));
    // The original claims the id and records first; the retry finds both.
    const first = webchatMessage('race', 'someone online wants me to send nudes');
    const outcomes = await Promise.all([haven.ingest.accept(first), haven.ingest.accept(first)]);
    expect(outcomes.map((r) => r.outcome).sort()).toEqual(['duplicate', 'queued']);
    // The original has claimed the id but not yet recorded when the retry arrives: the retry records
    // the alert and queues its delivery; the original then finds the alert already there.
    const second = webchatMessage('race', 'a man i met online wants to meet me and says keep it secret');
    const claimKey = haven.keys.dedupe('webchat', haven.vault.messageKey('webchat', second.messageId));
    await haven.redis.set(claimKey, '1', 'EX', 60);
    await expect(haven.ingest.accept(second)).resolves.toMatchObject({ outcome: 'duplicate' });
    await haven.redis.del(claimKey);
    await expect(haven.ingest.accept(second)).resolves.toMatchObject({ outcome: 'queued' });

    unsubscribe();
    for (const text of [first.text, second.text]) {
      const alerts = (await haven.alerts.store.list()).filter((a) => a.text === text);
      expect(alerts).toHaveLength(1);
      // The dashboard's live view hears of it once.
      expect(raised.filter((id) => id === alerts[0]!.id)).toHaveLength(1);
      const delivered = () =>
        hook.requests.filter((r) => {
          const a = (r.json as { alert: { id: string; level: number } }).alert;
          return a.id === alerts[0]!.id && a.level === 0;
        });
      await waitFor(() => delivered().length > 0 || undefined, 30_000, `the alert for "${text}" delivered`);
      await haven.alerts.acknowledge(alerts[0]!.id, 'test');
      // Nothing of this alert left to run: its delivery done, its escalation taken off the queue.
      await waitFor(async () => (await escalation(alerts[0]!.id, 0))?.isCompleted(), 30_000, 'the delivery done');
      expect(await escalation(alerts[0]!.id, 1)).toBeUndefined();
      expect(delivered()).toHaveLength(1);
    }
  });
  it('delivers, at its first attempt, an alert whose delivery job was taken up before its record was written', async () => {
    // As after a wrong guess of the conversation's member link: the job first, the record written
    // just after the worker first looked for it and found nothing.
    const source = `webchat:${randomUUID()}`;
    const alertId = haven.alerts.store.idFor(source);
    const store = haven.alerts.store;
    const get = store.get.bind(store);
    let recording: Promise<unknown> | undefined;
    store.get = async (id) => {
      const found = await get(id);
      if (id === alertId && !found)
        recording ??= store.create(
          {
            category: 'self_harm',
            severity: 'high',
            matched: ['self_harm.cutting'],
            text: 'recorded after its job',
            channel: 'webchat',
            conversationId: `webchat.${randomUUID()}`,
          },
          source,
          null,
        );
      return found;
    };
    try {
      await haven.queues.alerts.add(
        'deliver',
        { alertId, level: 0 },
        { jobId: jobId('alert', alertId, '0'), priority: 1 },
      );
      const job = await waitFor(
        async () => {
          const j = await haven.queues.alerts.getJob(jobId('alert', alertId, '0'));
          return (await j?.isCompleted()) ? j : undefined;
        },
        30_000,
        'the delivery job to complete',
      );
      expect(recording).toBeDefined();
      expect(job.attemptsMade).toBe(1);
    } finally {
      store.get = get;
    }
    expect(hook.requests.filter((r) => (r.json as { alert: { id: string } }).alert.id === alertId)).toHaveLength(1);
    await haven.alerts.acknowledge(alertId, 'test');
  });

  it("derives a message's alert id from its platform id, keyed, and never writes over an alert", async () => {
    const source = `webchat:again-${randomUUID()}`;
    const idFor = (key: string, from: string) => alertIdFor(key, from);
    expect(idFor('k', source)).toBe(idFor('k', source));
    expect(idFor('k', source)).not.toBe(idFor('k', `${source}x`));
    expect(idFor('k', source)).not.toBe(idFor('other key', source));
    expect(z.uuid().safeParse(idFor('k', source)).success).toBe(true);

    const input = {
      screen: {
        alert: true,
        category: 'self_harm' as const,
        severity: 'high' as const,
        matched: ['self_harm.cutting'],
      },
      text: 'i cut myself again',
      channel: 'webchat' as const,
      conversationId: `webchat:${randomUUID()}`,
      receivedAt: Date.now(),
      source,
    };
    const first = await haven.alerts.raise(input);
    expect(first.id).toBe(haven.alerts.store.idFor(source));
    await haven.alerts.acknowledge(first.id, 'test');
    // The same message id comes again, any time later.
    const again = await haven.alerts.raise({ ...input, text: 'something else' });
    expect(again.id).toBe(first.id);
    expect(await haven.alerts.store.get(first.id)).toMatchObject({
      text: 'i cut myself again',
      status: 'acknowledged',
    });
  });

  it('delivers an alert once when its message comes again after the delivery job is long gone', async () => {
    const msg = webchatMessage('late', 'i took a load of pills');
    await expect(haven.ingest.accept(msg)).resolves.toMatchObject({ outcome: 'queued' });
    const id = haven.alerts.store.idFor(`webchat:${haven.vault.messageKey('webchat', msg.messageId)}`);
    const delivered = () =>
      hook.requests.filter((r) => {
        const a = (r.json as { alert: { id: string; level: number } }).alert;
        return a.id === id && a.level === 0;
      });
    await waitFor(() => delivered().length > 0 || undefined, 30_000, 'the alert delivered');
    // Completed jobs are kept an hour: after that, the same job id no longer folds a second add.
    const job = () => haven.queues.alerts.getJob(jobId('alert', id, '0'));
    await waitFor(async () => (await job())?.isCompleted(), 30_000, 'the delivery job done');
    await (await job())!.remove();
    await expect(haven.ingest.accept(msg)).resolves.toMatchObject({ outcome: 'duplicate' });
    // The retry made the job again; it has run, and sent nothing.
    await waitFor(async () => (await job())?.isCompleted(), 30_000, 'the job made again done');
    expect(delivered()).toHaveLength(1);
    await haven.alerts.acknowledge(id, 'test');
  });

  it('delivers the alert of a message whose alert record failed once, when the platform retries', async () => {
    const deliveredFor = (text: string) =>
      hook.requests.filter((r) => {
        const a = (r.json as { alert: { message: string; level: number } }).alert;
        return a.message === text && a.level === 0;
      });
    const create = haven.alerts.store.create.bind(haven.alerts.store);
    const remove = haven.queues.alerts.remove.bind(haven.queues.alerts);
    // First the record fails; then the record fails and so does taking the job away again, so its
    // job stands and must wait for the record rather than end.
    for (const failRemove of [false, true]) {
      const msg = webchatMessage('fails', `i want to die ${failRemove ? 'today' : 'now'}`);
      haven.alerts.store.create = (async () => {
        throw new Error('simulated: Redis refused the script');
      }) as typeof create;
      if (failRemove)
        haven.queues.alerts.remove = (async () => {
          throw new Error('simulated: Redis went away');
        }) as typeof remove;
      try {
        await expect(haven.ingest.accept(msg)).rejects.toThrow(/simulated/);
      } finally {
        haven.alerts.store.create = create;
        haven.queues.alerts.remove = remove;
      }
      const job = () =>
        haven.queues.alerts.getJob(
          jobId('alert', haven.alerts.store.idFor(`webchat:${haven.vault.messageKey('webchat', msg.messageId)}`), '0'),
        );
      if (!failRemove) expect(await job()).toBeUndefined();
      // The job left standing runs before the retry comes, and finds no record.
      else await waitFor(async () => ((await job())?.attemptsMade ?? 0) >= 1, 30_000, 'the job tried once');
      // The id was let go, so the platform's retry (after the 503) is taken, and its alert delivered.
      await expect(haven.ingest.accept(msg)).resolves.toMatchObject({ outcome: 'queued' });
      await waitFor(() => deliveredFor(msg.text).length > 0 || undefined, 30_000, `"${msg.text}" delivered`);
      const alerts = (await haven.alerts.store.list()).filter((a) => a.text === msg.text);
      expect(alerts).toHaveLength(1);
      await haven.alerts.acknowledge(alerts[0]!.id, 'test');
      expect(deliveredFor(msg.text)).toHaveLength(1);
    }
  });

  it('keeps an acknowledgement that races an escalation', async () => {
    const alert = await haven.alerts.raise({
      screen: { alert: true, category: 'self_harm', severity: 'high', matched: ['self_harm.cutting'] },
      text: 'race test',
      channel: 'webchat',
      conversationId: `webchat:${randomUUID()}`,
      receivedAt: Date.now(),
    });
    const [acked, escalated] = await Promise.all([
      haven.alerts.store.acknowledge(alert.id, 'Test lead'),
      haven.alerts.store.escalate(alert.id, 1),
    ]);
    expect(acked?.status).toBe('acknowledged');
    expect(escalated).toBeNull();
    expect(await haven.alerts.store.get(alert.id)).toMatchObject({ status: 'acknowledged', level: 0 });
    const events = (await haven.alerts.store.history(alert.id)).map((e) => e.event);
    expect(events.filter((e) => e === 'acknowledged')).toHaveLength(1);
    expect(events).not.toContain('escalated');
  });

  it('never gives two alerts the same acknowledgement code', async () => {
    const input = (text: string) => ({
      screen: {
        alert: true,
        category: 'self_harm' as const,
        severity: 'high' as const,
        matched: ['self_harm.cutting'],
      },
      text,
      channel: 'webchat' as const,
      conversationId: `webchat:${randomUUID()}`,
      receivedAt: Date.now(),
    });
    const first = await haven.alerts.raise(input('code test one'));
    // The next code drawn is the first alert's (the alphabet's index of each letter, as bytes).
    const alphabet = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
    const same = Buffer.from([...first.code].map((c) => alphabet.indexOf(c)));
    // The module object itself (an `import *` namespace cannot be spied on).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const crypto = require('node:crypto') as typeof import('node:crypto');
    const spy = jest.spyOn(crypto, 'randomBytes').mockImplementationOnce(() => same);
    // The second comes as a message, so its delivery job is queued with its record.
    const msg = webchatMessage('code', 'i want to end my life');
    try {
      await expect(haven.ingest.accept(msg)).resolves.toMatchObject({ outcome: 'queued' });
    } finally {
      spy.mockRestore();
    }
    const second = (await haven.alerts.store.get(
      haven.alerts.store.idFor(`webchat:${haven.vault.messageKey('webchat', msg.messageId)}`),
    ))!;
    expect(second.code).not.toBe(first.code);
    expect((await haven.alerts.store.byCode(first.code))?.id).toBe(first.id);
    expect((await haven.alerts.store.byCode(second.code))?.id).toBe(second.id);
    await waitFor(
      () => hook.requests.some((r) => (r.json as { alert: { id: string } }).alert.id === second.id) || undefined,
      30_000,
      'the second alert delivered',
    );
    await haven.alerts.acknowledge(first.id, 'test');
    await haven.alerts.acknowledge(second.id, 'test');
  });

  it('takes a command sent again after a reconnect as its own: the message is not made a duplicate', async () => {
    // ioredis sends a command again when the connection drops before its answer: the first run's
    // answer is lost, and the second run finds the first one's work.
    // Scripts run by their hash (EVALSHA), or sent whole (EVAL) when Redis does not know them yet:
    // either is sent twice when its arguments name a key matching `match`.
    const twice = (redis: typeof haven.redis, match: RegExp) => {
      const spies = (['eval', 'evalsha'] as const).map((method) => {
        const once = redis[method].bind(redis) as (...args: unknown[]) => Promise<unknown>;
        return jest.spyOn(redis, method).mockImplementation((async (...args: unknown[]) => {
          if (args.some((a) => match.test(String(a)))) await once(...args);
          return once(...args);
        }) as never);
      });
      return {
        calls: () =>
          spies.reduce((n, s) => n + s.mock.calls.filter((c) => c.some((a) => match.test(String(a)))).length, 0),
        mockRestore: () => spies.forEach((s) => s.mockRestore()),
      };
    };
    const claimSpy = twice(haven.redis, /:dedupe:/);
    try {
      await expect(haven.ingest.accept(webchatMessage('resent', 'hi'))).resolves.toMatchObject({ outcome: 'queued' });
      expect(claimSpy.calls()).toBeGreaterThan(0);
    } finally {
      claimSpy.mockRestore();
    }
    const store = new AlertStore(haven.redis, haven.keys, 'a secret');
    const createSpy = twice(haven.redis, /alertcode/);
    try {
      const { alert, created } = await store.create(
        {
          category: 'self_harm',
          severity: 'high',
          matched: ['self_harm.cutting'],
          text: 'resent alert',
          channel: 'webchat',
          conversationId: `webchat:${randomUUID()}`,
        },
        `webchat:resent-${randomUUID()}`,
      );
      expect(created).toBe(true);
      expect(createSpy.calls()).toBeGreaterThan(0);
      await store.acknowledge(alert.id, 'test');
    } finally {
      createSpy.mockRestore();
    }
  });
});
