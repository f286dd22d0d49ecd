import { REMINDER_TASK } from '../../src/domain/requests';
import { runCli } from '../support/cli';
import { startConversation } from '../support/conversation';
import { startTestHaven } from '../support/haven';

type TestHaven = Awaited<ReturnType<typeof startTestHaven>>;

// Each command starts a TypeScript process: slow on a busy machine.
jest.setTimeout(120_000);

describe('haven members / requests CLI', () => {
  let h: TestHaven;
  beforeAll(async () => {
    h = await startTestHaven('cli');
  });
  afterAll(async () => {
    await h.shutdown();
  });

  it('members add prints exactly one JSON line, and the code links a chat', async () => {
    const out = await runCli(['members', 'add', '--name', 'Sam', '--consent-by', 'Jo Smith'], h.prefix);
    expect(out.code).toBe(0);
    const lines = out.stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    const parsed = JSON.parse(lines[0]!) as { memberId: string; joinCode: string };
    expect(Object.keys(parsed).sort()).toEqual(['joinCode', 'memberId']);
    const m = await h.members.get(parsed.memberId);
    expect(m).toMatchObject({ name: 'Sam', consentBy: 'Jo Smith' });
    const chat = await startConversation(h);
    await chat.send(`join ${parsed.joinCode}`);
    await chat.expectReply(/Welcome, Sam/);
  });

  it('bad options exit 2 with a clear message', async () => {
    const missing = await runCli(['members', 'add', '--name', 'Sam'], h.prefix);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--consent-by/);
    expect(missing.stdout).toBe('');
    const unknown = await runCli(['members', 'add', '--nme', 'Sam', '--consent-by', 'Jo'], h.prefix);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/nme/);
    const badOutcome = await runCli(
      ['requests', 'close', '--id', '7f1c0c8e-3a43-4c8f-9a47-1b6c1d1f0a11', '--outcome', 'maybe'],
      h.prefix,
    );
    expect(badOutcome.code).toBe(2);
    expect(badOutcome.stderr).toMatch(/done or cancelled/);
  });

  it('requests schedule from the CLI sends the young person the time and queues the reminders', async () => {
    const { memberId, joinCode } = await h.members.add({ name: 'Lu', consentBy: 'Pa', addedBy: 't' });
    const chat = await startConversation(h);
    await chat.send(`join ${joinCode}`);
    await chat.expectReply(/Welcome, Lu/);
    const { request } = await h.requests.create({
      memberId,
      memberName: 'Lu',
      conversationId: chat.conversationId,
      platform: 'teams',
      when: 'any',
      workers: 'one',
    });

    const listed = await runCli(['requests', 'list'], h.prefix);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(request.id);
    const claim = await runCli(['requests', 'claim', '--id', request.id, '--by', 'Terry'], h.prefix);
    expect(claim.code).toBe(0);
    const at = new Date(Date.now() + 2 * 86400_000).toISOString();
    const sched = await runCli(
      [
        'requests',
        'schedule',
        '--id',
        request.id,
        '--at',
        at,
        '--place',
        'https://teams.example/meet',
        '--workers',
        'Terry,Ana',
      ],
      h.prefix,
    );
    // Only npm's own notices about this machine's npm config may appear, never anything of Haven's.
    expect(sched.stderr.split('\n').filter((l) => l && !l.startsWith('npm warn'))).toEqual([]);
    expect(sched.code).toBe(0);
    const reply = await chat.expectReply(/booked/);
    expect(reply.text).toContain('https://teams.example/meet');
    expect(reply.text).toContain('Terry and Ana');
    expect((await h.queues.tasks.getDelayed()).filter((j) => j.name === REMINDER_TASK)).toHaveLength(2);
    const wrong = await runCli(['requests', 'claim', '--id', request.id, '--by', 'Ana'], h.prefix);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/not new/);
  });
});
