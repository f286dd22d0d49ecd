import { createHmac, randomBytes } from 'node:crypto';
import { CoordinatorNotifier } from '../../src/domain/requests/notify';
import type { Outbox } from '../../src/engine/outbox';
import type { RequestStore } from '../../src/domain/requests/store';
import { captureLogger, startStub, startTestHaven, waitFor, type StubRequest, type StubServer } from '../support/haven';
import { startConversation } from '../support/conversation';

const KEY = randomBytes(24);
const SECRET = `whsec_${KEY.toString('base64')}`;

/** Checks a Standard Webhooks signature as a receiver would, from the specification alone. */
function verified(r: StubRequest): boolean {
  const id = r.headers['webhook-id'] as string;
  const ts = r.headers['webhook-timestamp'] as string;
  const sig = r.headers['webhook-signature'] as string;
  if (!id || !ts || !sig) return false;
  const want = createHmac('sha256', KEY).update(`${id}.${ts}.${r.body}`).digest('base64');
  return sig.split(' ').includes(`v1,${want}`) && Math.abs(Date.now() / 1000 - Number(ts)) < 300;
}

describe('alert webhooks', () => {
  let hook: StubServer;
  let haven: Awaited<ReturnType<typeof startTestHaven>>;
  beforeAll(async () => {
    hook = await startStub();
    haven = await startTestHaven('webhooks', { ALERT_WEBHOOK_URL: `${hook.url}/alerts`, ALERT_WEBHOOK_SECRET: SECRET });
  });
  afterAll(async () => {
    await haven?.shutdown();
    await hook?.close();
  });

  it('are signed, leave the words out, and escape Slack and Teams markup in names', async () => {
    const { joinCode } = await haven.members.add({
      name: '<!channel> [open me](https://evil.example) <https://evil.example|here>',
      consentBy: 'Jo',
      addedBy: 'test',
    });
    const member = await startConversation(haven);
    await member.send(`join ${joinCode}`);
    await member.waitForReply(/Welcome|linked|joined|Hi/i);
    const words = 'my stepdad hits me and i have bruises';
    await member.send(words);
    const posted = await waitFor(() => hook.requests.find((r) => r.url === '/alerts'), 10_000, 'the webhook');
    expect(verified(posted)).toBe(true);
    // Tampered: the signature no longer holds.
    expect(verified({ ...posted, body: posted.body.replace('safeguarding_alert', 'x') })).toBe(false);
    expect(posted.body).not.toContain('bruises');
    expect(posted.body).not.toContain('stepdad');
    const body = posted.json as { text: string; alert: Record<string, unknown> };
    expect(body.alert.message).toBeUndefined();
    expect(body.alert.matched).toBeUndefined();
    expect(body.alert.code).toMatch(/^[A-Z2-9]{5}$/);
    expect(body.text).not.toMatch(/<!channel>|<https:\/\/evil\.example\|here>|\[open me\]\(/);
    expect(body.text).toContain('&lt;!channel&gt;');
    expect(body.text).toContain('\\[open me\\]');
  });
});

describe('coordinator webhooks', () => {
  it('are signed and escape markup in what goes in `text`', async () => {
    const hook = await startStub();
    try {
      const notifier = new CoordinatorNotifier(
        {} as RequestStore,
        {} as Outbox,
        { webhookUrl: hook.url, webhookSecret: SECRET, coordinatorIds: [], timezone: 'Europe/London' },
        captureLogger().logger,
      );
      await notifier.deliver({ kind: 'data_deleted', memberName: '<!here> [x](https://evil.example)', at: 0 }, 'job-1');
      const [r] = hook.requests;
      expect(verified(r as StubRequest)).toBe(true);
      const text = (r?.json as { text: string }).text;
      expect(text).not.toContain('<!here>');
      expect(text).toContain('&lt;!here&gt; \\[x\\](https://evil.example)');
    } finally {
      await hook.close();
    }
  });
});
