import { exportAlert } from '../../src/domain/alerts/export';
import { isoWithOffset } from '../../src/common/zoned-time';
import { sessionWarnings } from '../../src/domain/requests/suits';
import { havenQueuesPage } from '../../src/staff/routes/queues';
import { StaffAccounts } from '../../src/staff/accounts';
import { runCli } from '../support/cli';
import { joinedMember } from '../support/members';
import { startStub, startTestHaven, waitFor, type StubServer } from '../support/haven';
import { makeStaff, type StaffClient } from './client';

jest.setTimeout(120_000);

/** The rough edges staff hit on the dashboard, each as they met it, over HTTP. */
describe('the dashboard, as staff first used it', () => {
  let haven: Awaited<ReturnType<typeof startTestHaven>>;
  let hook: StubServer;
  let coordinator: StaffClient;
  let lead: StaffClient;
  let admin: StaffClient;

  beforeAll(async () => {
    hook = await startStub();
    haven = await startTestHaven('staff-rough', {
      COORDINATOR_WEBHOOK_URL: `${hook.url}/coord`,
      TIMEZONE: 'Europe/London',
    });
    coordinator = (await makeStaff(haven, 'coordinator')).client;
    lead = (await makeStaff(haven, 'safeguarding-lead')).client;
    admin = (await makeStaff(haven, 'admin')).client;
  });
  afterAll(async () => {
    await haven.shutdown();
    await hook.close();
  });

  const text = async (c: StaffClient, path: string) => {
    const res = await c.get(path);
    return { status: res.status, body: await res.text() };
  };

  async function requestFrom(name: string, when = 'after school on Tuesday') {
    const { memberId, chat } = await joinedMember(haven, name);
    const { request } = await haven.requests.create({
      memberId,
      memberName: name,
      conversationId: chat.conversationId,
      platform: 'zoom',
      when,
      workers: 'one',
    });
    return { chat, memberId, request };
  }

  /** The next given weekday (0 = Sunday) at least two days away, as YYYY-MM-DD in London. */
  function next(weekday: number): string {
    const d = new Date(Date.now() + 2 * 24 * 3600_000);
    while (d.getUTCDay() !== weekday) d.setUTCDate(d.getUTCDate() + 1);
    return d.toISOString().slice(0, 10);
  }

  it('adding a member redirects (post/redirect/get): a reload shows the same code and adds nobody', async () => {
    const csrf = await coordinator.csrf('/staff/members');
    const before = (await haven.members.list()).length;
    const res = await coordinator.post('/staff/members', {
      _csrf: csrf,
      name: 'Priya',
      consentBy: 'Mo',
      consentDate: new Date().toISOString().slice(0, 10),
    });
    expect(res.status).toBe(303);
    const to = res.headers.get('location') as string;
    expect(to).toMatch(/^\/staff\/members\/code\/[A-Za-z0-9_-]{16}$/);
    const first = await text(coordinator, to);
    const code = /class="joincode"[^>]*>([A-Z0-9]{8})</.exec(first.body)?.[1];
    expect(code).toBeDefined();
    // The reload: the same page, the same code, no second member.
    const again = await text(coordinator, to);
    expect(again.body).toContain(code);
    expect((await haven.members.list()).length).toBe(before + 1);
    // Not readable by another session, and the code is not in Redis as it is.
    expect((await text(admin, to)).status).toBe(404);
    const keys = await haven.redis.keys(`${haven.prefix}*flash*`);
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) expect(await haven.redis.get(k)).not.toContain(code);
  });

  it('a new code for a member is also post/redirect/get', async () => {
    const { memberId } = await haven.members.add({ name: 'Olu', consentBy: 'P', addedBy: 't' });
    const csrf = await coordinator.csrf('/staff/members');
    const res = await coordinator.post(`/staff/members/${memberId}/code`, { _csrf: csrf });
    expect(res.status).toBe(303);
    expect((await text(coordinator, res.headers.get('location') as string)).body).toMatch(/class="joincode"/);
  });

  it('workers are chosen from staff accounts; each worker sees their own sessions', async () => {
    const ana = await makeStaff(haven, 'worker');
    const other = await makeStaff(haven, 'worker');
    const anaAccount = (await new StaffAccounts(haven.redis, haven.keys).byEmail(ana.email))!;
    const { chat, request } = await requestFrom('Wil', 'weekends');
    const page = await text(coordinator, `/staff/requests/${request.id}`);
    expect(page.body).toMatch(new RegExp(`<select id="s-w1" name="worker1"`));
    expect(page.body).toContain(`<option value="${anaAccount.id}"`);
    const csrf = await coordinator.csrf(`/staff/requests/${request.id}`);
    const res = await coordinator.post(`/staff/requests/${request.id}/schedule`, {
      _csrf: csrf,
      date: next(6),
      time: '11:00',
      place: 'https://zoom.us/j/42',
      worker1: anaAccount.id,
    });
    expect(res.status).toBe(303);
    const r = await haven.requests.get(request.id);
    expect(r?.workerIds).toEqual([anaAccount.id]);
    expect(r?.workersAssigned).toEqual([anaAccount.name]);
    await chat.expectReply(new RegExp(`Who: ${anaAccount.name}`));
    expect((await text(ana.client, '/staff/requests/mine')).body).toContain(`data-request-id="${request.id}"`);
    expect((await text(other.client, '/staff/requests/mine')).body).not.toContain(request.id);
    // A name not chosen from the list is refused.
    const bad = await coordinator.post(`/staff/requests/${request.id}/assign`, {
      _csrf: csrf,
      worker1: 'Somebody Typed',
    });
    expect(bad.status).toBe(409);
    expect(await bad.text()).toMatch(/choose each youth worker from the list/);
  });

  it('a time that does not suit (or 4:25 in the morning) is warned about before anyone is told', async () => {
    const { chat, request } = await requestFrom('Tia', 'after school on Tuesday');
    const me = (await haven.requests.list()).length;
    expect(me).toBeGreaterThan(0);
    const accounts = await new StaffAccounts(haven.redis, haven.keys).list();
    const worker = accounts.find((a) => a.role === 'coordinator')!;
    const csrf = await coordinator.csrf(`/staff/requests/${request.id}`);
    const form = { _csrf: csrf, date: next(3), time: '04:25', place: 'Zoom', worker1: worker.id };
    const warned = await coordinator.post(`/staff/requests/${request.id}/schedule`, form);
    expect(warned.status).toBe(200);
    const body = await warned.text();
    expect(body).toMatch(/outside 8am to 9pm/);
    expect(body).toMatch(/They said &quot;after school on Tuesday&quot;, and this is a Wednesday/);
    expect(body).toMatch(/Schedule anyway/);
    expect(body).toContain('value="04:25"');
    expect((await haven.requests.get(request.id))?.status).toBe('new');
    // A fitting time goes straight through.
    expect(sessionWarnings('after school on Tuesday', Date.parse(`${next(2)}T16:30:00Z`), 'Europe/London')).toEqual([]);
    // "Schedule anyway" books it.
    const ok = await coordinator.post(`/staff/requests/${request.id}/schedule`, { ...form, confirm: 'yes' });
    expect(ok.status).toBe(303);
    expect((await haven.requests.get(request.id))?.status).toBe('scheduled');
    await chat.expectReply(/booked/);
  });

  it('closed and cancelled requests are listed in the history, with filters', async () => {
    const a = await requestFrom('Hana');
    const b = await requestFrom('Hugo');
    await haven.requests.close(a.request.id, 'done', 'Casey');
    const csrf = await coordinator.csrf(`/staff/requests/${b.request.id}`);
    const closed = await coordinator.post(`/staff/requests/${b.request.id}/close`, {
      _csrf: csrf,
      outcome: 'cancelled',
      reason: 'Our worker is ill; we will ask you again next week',
    });
    expect(closed.status).toBe(303);
    await b.chat.expectReply(/They said:\n"Our worker is ill; we will ask you again next week"/);
    const all = (await text(coordinator, '/staff/requests/history')).body;
    expect(all).toContain(`data-request-id="${a.request.id}"`);
    expect(all).toContain(`data-request-id="${b.request.id}"`);
    const cancelled = (await text(coordinator, '/staff/requests/history?status=cancelled')).body;
    expect(cancelled).not.toContain(a.request.id);
    expect(cancelled).toContain(b.request.id);
    const byName = (await text(coordinator, '/staff/requests/history?member=han')).body;
    expect(byName).toContain(a.request.id);
    expect(byName).not.toContain(b.request.id);
    const future = (await text(coordinator, '/staff/requests/history?from=2099-01-01')).body;
    expect(future).not.toContain(a.request.id);
    // The detail page of a closed request opens, with the reason in its history.
    expect((await text(coordinator, `/staff/requests/${b.request.id}`)).body).toContain('Our worker is ill');
  });

  it('removing a member from the dashboard tells staff who did it, not that the young person asked', async () => {
    const { memberId } = await haven.members.add({ name: 'Remy', consentBy: 'P', addedBy: 't' });
    const csrf = await coordinator.csrf('/staff/members');
    const res = await coordinator.post(`/staff/members/${memberId}/remove`, { _csrf: csrf, confirm: 'yes' });
    expect(res.status).toBe(303);
    const sent = await waitFor(
      () =>
        hook.requests.find(
          (r) =>
            (r.json as { type: string }).type === 'member_data_deleted' &&
            (r.json as { member: string }).member === 'Remy',
        ),
      30_000,
      'staff told of the removal',
    );
    const body = sent.json as { text: string; requestedBy: string; by: string; via: string };
    expect(body.text).toMatch(/^Test coordinator removed Remy from the members list \(on the dashboard\)/);
    expect(body.text).not.toMatch(/asked/);
    expect(body).toMatchObject({ requestedBy: 'staff', by: 'Test coordinator', via: 'dashboard' });
  });

  const raise = (conversation: string, matched: string[], category: 'exploitation' | 'neglect_danger') =>
    haven.alerts.raise({
      screen: { alert: true, category, severity: 'high', matched },
      text: 'words of a test',
      channel: 'webchat',
      conversationId: haven.vault.conversationId('webchat', conversation),
      receivedAt: Date.now(),
    });

  it('the signed link lets a worker add what they did, after acknowledging', async () => {
    const alert = await raise('link-person', ['neglect.no_food'], 'neglect_danger');
    const url = new URL(haven.alerts.ackUrl(alert.id));
    const sig = url.searchParams.get('sig') as string;
    const phone = new (coordinator.constructor as typeof StaffClient)(haven.url);
    const ack = await phone.post(`/alerts/${alert.id}/ack`, { sig, name: 'Wendy Worker' });
    expect(ack.status).toBe(303);
    const after = await text(phone, ack.headers.get('location') as string);
    expect(after.body).toMatch(/acknowledged/);
    expect(after.body).not.toMatch(/record what you do in the dashboard/);
    expect(after.body).toMatch(/Record what you did/);
    const noted = await phone.post(`/alerts/${alert.id}/note`, {
      sig,
      name: 'Wendy Worker',
      text: 'Rang the family; food bank voucher given.',
    });
    expect(noted.status).toBe(303);
    expect((await text(phone, noted.headers.get('location') as string)).body).toMatch(/Your note is in the alert/);
    const history = await haven.alerts.store.history(alert.id);
    expect(history.find((e) => e.event === 'action')).toMatchObject({
      by: 'Wendy Worker (signed link)',
      detail: 'Rang the family; food bank voucher given.',
    });
    // A wrong signature adds nothing.
    const forged = await phone.post(`/alerts/${alert.id}/note`, { sig: 'x'.repeat(43), name: 'M', text: 'forged' });
    expect(forged.status).toBe(403);
    expect((await haven.alerts.store.history(alert.id)).some((e) => e.detail === 'forged')).toBe(false);
  });

  it('views are kept but grouped apart from the actions; model verdicts are named as such', async () => {
    const alert = await raise('views-person', ['model.exploitation'], 'exploitation');
    for (let i = 0; i < 3; i++) await lead.get(`/staff/alerts/${alert.id}`);
    const { body } = await text(lead, `/staff/alerts/${alert.id}`);
    const record = body.slice(body.indexOf('<h2>Full record</h2>'), body.indexOf('id="views-h"'));
    expect(record).not.toMatch(/Viewed/);
    expect(record).toMatch(/Raised/);
    expect(body).toMatch(/Viewed\s+4\s+times\s+by\s+1\s+person/);
    expect((await haven.alerts.store.history(alert.id)).filter((e) => e.event === 'viewed').length).toBe(4);
    expect(body).toMatch(/data-found-by="model"[^<]*the statistical model/);
    expect(body).not.toMatch(/Matched phrases/);
    const rule = await raise('rule-person', ['neglect.no_food'], 'neglect_danger');
    const ruleBody = (await text(lead, `/staff/alerts/${rule.id}`)).body;
    expect(ruleBody).toMatch(/Matched phrases<\/dt>\s*<dd data-found-by="rules">no food/);
    expect(ruleBody).not.toMatch(/statistical model/);
  });

  it('two alerts from the same young person are grouped under the conversation', async () => {
    const first = await raise('same-person', ['neglect.no_food'], 'neglect_danger');
    const second = await raise('same-person', ['model.exploitation'], 'exploitation');
    const alone = await raise('another-person', ['neglect.no_food'], 'neglect_danger');
    const { body } = await text(lead, '/staff/alerts');
    const group = /<li class="card conversation"[\s\S]*?<\/ul>\s*<\/li>/.exec(
      body.slice(body.indexOf(first.id) - 2000),
    )?.[0];
    expect(group).toBeDefined();
    expect(group).toMatch(/2 alerts in this conversation/);
    expect(group).toContain(first.id);
    expect(group).toContain(second.id);
    expect(group).not.toContain(alone.id);
  });

  it('the channels page lists every channel with its state, and the unauthenticated Bot Framework as unsafe', async () => {
    const { body } = await text(admin, '/staff/channels');
    for (const c of ['webchat', 'messenger', 'botframework', 'whatsapp', 'whatsapp-cloud'])
      expect(body).toContain(`data-channel="${c}"`);
    expect(body).toMatch(/data-channel="messenger"\s+data-state="off"/);
    expect(body).toMatch(/MESSENGER_APP_SECRET/);
    const bf = /<li\s+class="card unsafe"\s+data-channel="botframework"[\s\S]*?<\/li>/.exec(body)?.[0] ?? '';
    expect(bf).toMatch(/badge warn">Unsafe: Working/);
    expect(bf).not.toMatch(/badge ok/);
    expect(bf).toMatch(/anyone can send Haven messages/);
    expect(body).toMatch(/role="alert"[^>]*>\s*One channel is running in an unsafe mode/);
  });

  it('the queue board loads no outside fonts and has a way back', async () => {
    const res = await admin.get('/staff/queues');
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).not.toMatch(/fonts\.googleapis|fonts\.gstatic/);
    expect(body).not.toMatch(/(href|src)="https?:\/\//);
    expect(body).toMatch(/<a id="haven-back" href="\/staff"/);
    expect(Number(res.headers.get('content-length'))).toBe(Buffer.byteLength(body));
    // The rewrite itself, on the page as @bull-board/ui ships it.
    expect(
      havenQueuesPage(
        '<head><link href="https://fonts.googleapis.com/css2?family=X" rel="stylesheet">\n<link href="static/a.css" rel="stylesheet"></head><body class="preload"><div id="root"></div></body>',
      ),
    ).toBe(
      `<head><link href="static/a.css" rel="stylesheet"></head><body class="preload">${/<a id="haven-back"[^]*?<\/a>/.exec(body)?.[0]}<div id="root"></div></body>`,
    );
  });

  it('exports write times as ISO 8601 with the offset, on the dashboard and from the CLI', async () => {
    expect(isoWithOffset(Date.parse('2026-07-01T09:00:00.123Z'), 'Europe/London')).toBe(
      '2026-07-01T10:00:00.123+01:00',
    );
    expect(isoWithOffset(Date.parse('2026-12-01T09:00:00Z'), 'Europe/London')).toBe('2026-12-01T09:00:00.000+00:00');
    expect(isoWithOffset(Date.parse('2026-12-01T09:00:00Z'), 'America/St_Johns')).toBe('2026-12-01T05:30:00.000-03:30');
    const e = exportAlert(
      {
        ...(await raise('export-person', ['neglect.no_food'], 'neglect_danger')),
        history: [{ at: Date.parse('2026-07-01T09:00:00Z'), event: 'raised' }],
      },
      'Europe/London',
    );
    expect(e.history[0]?.at).toBe('2026-07-01T10:00:00.000+01:00');
    const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{2}:\d{2}$/;
    const dash = (await text(lead, '/staff/alerts/export')).body.split('\n').filter(Boolean);
    expect(dash.length).toBeGreaterThan(0);
    for (const line of dash) {
      const a = JSON.parse(line) as { createdAt: unknown; history: { at: unknown }[] };
      expect(a.createdAt).toMatch(iso);
      for (const h of a.history) expect(h.at).toMatch(iso);
    }
    const cli = await runCli(['alerts', 'export'], haven.prefix, { TIMEZONE: 'Europe/London' });
    expect(cli.code).toBe(0);
    const lines = cli.stdout.split('\n').filter(Boolean);
    expect(lines.length).toBe(dash.length);
    for (const line of lines) {
      const a = JSON.parse(line) as { createdAt: unknown; history: { at: unknown }[] };
      expect(a.createdAt).toMatch(iso);
      expect(typeof a.createdAt).toBe('string');
      for (const h of a.history) expect(h.at).toMatch(iso);
    }
  });
});
