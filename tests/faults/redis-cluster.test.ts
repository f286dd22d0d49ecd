import { randomUUID } from 'node:crypto';
import { Cluster } from 'ioredis';
import { startHaven, type Haven } from '../../src/main';
import { askForOneToOne } from '../support/members';
import { startConversation } from '../support/conversation';
import { startStub, testConfig, uniquePrefix, waitFor, type StubServer } from '../support/haven';
import { OwnCluster } from '../support/redis-cluster';

/**
 * Haven on a Redis Cluster of three masters (local redis-server processes on spare ports), as a
 * web process (HAVEN_ROLE=web: HTTP, ingest, raising alerts) and a worker process (HAVEN_ROLE=worker:
 * the engine, sending, alert delivery): every connection is an ioredis Cluster, every key under the
 * hash tag `{prefix}`, and a conversation, a one-to-one request and a safeguarding alert go through
 * end to end.
 */
describe('Haven on a Redis Cluster (3 masters), as a web and a worker process', () => {
  let cluster: OwnCluster;
  let hook: StubServer;
  let haven: Haven;
  let worker: Haven;
  const prefix = uniquePrefix('cluster');
  const staffId = randomUUID();

  beforeAll(async () => {
    cluster = new OwnCluster(3);
    await cluster.start();
    hook = await startStub();
    const env = {
      REDIS_CLUSTER_NODES: cluster.nodes,
      ALERT_WEBHOOK_URL: `${hook.url}/alerts`,
      COORDINATOR_WEBHOOK_URL: `${hook.url}/coordinator`,
      SAFEGUARDING_ON_DUTY: `webchat:${staffId}`,
    };
    haven = await startHaven(testConfig(prefix, { ...env, HAVEN_ROLE: 'web' }));
    worker = await startHaven(testConfig(prefix, { ...env, HAVEN_ROLE: 'worker' }));
  }, 120_000);
  afterAll(async () => {
    await haven?.stop();
    await worker?.stop();
    await hook?.close();
    await cluster?.destroy();
  }, 60_000);

  it('talks to the cluster, with every key of its own under one hash tag', async () => {
    expect(haven.redis).toBeInstanceOf(Cluster);
    expect(worker.redis).toBeInstanceOf(Cluster);
    expect(haven.keys.queuePrefix).toBe(`{${prefix}}:q`);
    const masters = (haven.redis as unknown as Cluster).nodes('master');
    expect(masters).toHaveLength(3);
  });

  it('answers a conversation on the web chat', async () => {
    const chat = await startConversation(haven);
    await chat.send('hi');
    await chat.expectReply(/Haven/);
    await chat.send('staying safe');
    await chat.expectReply(/screenshots|record/i);
  });

  it('takes a one-to-one request from a member and tells the coordinator', async () => {
    const { memberId, joinCode } = await haven.members.add({ name: 'Sam', consentBy: 'Jo Smith', addedBy: 'test' });
    const chat = await startConversation(haven);
    await chat.send(`join ${joinCode}`);
    await chat.expectReply(/Welcome, Sam/);
    await askForOneToOne(chat, { when: 'after school on Tuesday' });
    const posted = await waitFor(
      () => hook.requests.find((r) => r.url === '/coordinator'),
      15_000,
      'the coordinator webhook',
    );
    expect((posted.json as { request: { member: string } }).request.member).toBe('Sam');
    expect(await haven.requests.openRequestFor(memberId)).toMatchObject({ status: 'new', platform: 'zoom' });
  });

  it("raises an alert naming the member, tells on-duty staff, and takes staff's acknowledgement", async () => {
    const staff = await startConversation(haven, { clientId: staffId });
    await staff.send('hello');
    await staff.waitForReply(/Haven/, 15_000);

    const { memberId, joinCode } = await haven.members.add({ name: 'Tamsin', consentBy: 'Jo', addedBy: 'test' });
    const young = await startConversation(haven);
    await young.send(`join ${joinCode}`);
    await young.waitForReply(/Tamsin/, 15_000);
    await young.send('i want to kill myself tonight');
    await young.waitForReply(/0800 1111/, 15_000);

    const posted = await waitFor(() => hook.requests.find((r) => r.url === '/alerts'), 15_000, 'the alert webhook');
    const alert = (posted.json as { alert: { code: string; category: string; member: string | null } }).alert;
    expect(alert.category).toBe('suicide');
    // The alert store's script read the member's name from the member store's keys, on the cluster.
    expect(alert.member).toBe('Tamsin');
    await staff.waitForReply(new RegExp(`ack ${alert.code}`), 15_000);

    await staff.send(`ack ${alert.code}`);
    await staff.waitForReply(/acknowledged/, 15_000);
    const stored = (await haven.alerts.store.list()).find((a) => a.code === alert.code);
    expect(stored).toMatchObject({ status: 'acknowledged', memberId });
  });

  it("keeps every one of Haven's keys in the one slot of its hash tag, on one master", async () => {
    const nodes = cluster.ports.map((p) => cluster.node(p));
    try {
      const slot = Number(await nodes[0]!.cluster('KEYSLOT', `{${prefix}}`));
      const perNode = await Promise.all(nodes.map((n) => n.dbsize()));
      // The keys are all on one master; the others hold none of them.
      expect(perNode.filter((n) => n > 0)).toHaveLength(1);
      const holder = nodes[perNode.findIndex((n) => n > 0)]!;
      expect(Number(await holder.cluster('COUNTKEYSINSLOT', slot))).toBe(Math.max(...perNode));
    } finally {
      for (const n of nodes) n.disconnect();
    }
  });
});
