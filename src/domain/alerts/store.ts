import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Keys } from '../../engine/keys';
import { memberKeys } from '../members/keys';
import type { ChannelName } from '../../engine/message';
import type { Category, Severity } from '../../safeguarding/types';
import { alertKeys } from './keys';
import { unflaggedCode } from '../../safeguarding/unflagged';
import { LuaScript } from '../../common/script';
import { HavenError } from '../../common/errors';

/** One safeguarding alert as staff see it. */
export interface Alert {
  id: string;
  /** Short code staff type to acknowledge: `ack CODE`. */
  code: string;
  category: Category;
  severity: Severity;
  /** What the young person wrote. Kept only here, in the alert record; never logged. */
  text: string;
  matched: string[];
  channel: ChannelName;
  conversationId: string;
  memberId?: string;
  memberName?: string;
  createdAt: number;
  status: 'open' | 'acknowledged';
  /** 0: on-duty staff told; 1, 2...: escalated that many times. */
  level: number;
  acknowledgedBy?: string;
  acknowledgedAt?: number;
  /** Staff's verdict on the screen's decision, for the next training run (never retrained automatically). */
  feedback?: ScreenFeedback;
}

/** A member of staff's verdict on what the screen decided for one alert. */
export interface ScreenFeedback {
  /** `not_concern`: the screen should not have alerted; `wrong_category`: it should have, as `category`. */
  verdict: 'not_concern' | 'wrong_category';
  category?: Category;
  by: string;
  at: number;
}

/** One line of an alert's append-only record: who, when, what, what was done. */
export interface AlertEvent {
  at: number;
  event:
    | 'raised'
    | 'queued'
    | 'delivered'
    | 'delivery_failed'
    | 'escalated'
    | 'acknowledged'
    | 'note'
    | 'action'
    | 'replied'
    | 'viewed'
    | 'feedback';
  by?: string;
  detail?: string;
}

/** Letters and digits of an acknowledgement code. */
export const ACK_CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
/** Characters in an acknowledgement code. */
const CODE_LENGTH = 5;
/** Draws of an acknowledgement code before {@link newAckCode} gives up (each is flagged about 1 time in 10,000). */
export const ACK_CODE_MAX_DRAWS = 50;

/**
 * A fresh random acknowledgement code, e.g. `K7MXP`, that the safeguarding screen does not flag as
 * staff would type it (on its own or after "ack ", in either case): a random code can spell
 * something (`3RAPE`, `CTB52`), and staff acknowledging an alert would raise another. Such a code
 * is drawn again. `bytes(n)` gives n random bytes (tests pass their own).
 */
export function newAckCode(bytes: (size: number) => Uint8Array = randomBytes): string {
  const draw = () => Array.from(bytes(CODE_LENGTH), (b) => ACK_CODE_ALPHABET[b % ACK_CODE_ALPHABET.length]).join('');
  return unflaggedCode(draw, ackCodeAsTyped, ACK_CODE_MAX_DRAWS, 'acknowledgement code');
}

/** The ways staff might send an acknowledgement code: as given or in lower case, on its own and after "ack ". */
function ackCodeAsTyped(code: string): string[] {
  const lower = code.toLowerCase();
  return [code, lower, `ack ${code}`, `ack ${lower}`];
}

/**
 * KEYS: alert, open set, record stream. ARGV: the record as read, the record to write, 1 to take the
 * alert off the open set, its id, then the event's fields. Writes (and returns 1) only if the record
 * is still as read.
 */
const SWAP = new LuaScript(`
if redis.call('get', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('set', KEYS[1], ARGV[2])
if ARGV[3] == '1' then redis.call('zrem', KEYS[2], ARGV[4]) end
redis.call('xadd', KEYS[3], '*', unpack(ARGV, 5))
return 1
`);

/**
 * The id of the alert raised for a message (`source`: its `channel:messageId`), keyed by `secret`
 * (a platform's message id can hold a phone number): derived from the source, so the alert's
 * delivery job can be queued in the same round trip as the alert is written, and a platform's retry
 * of the message names the same alert. A UUID of version 8 (RFC 9562, custom).
 */
export function alertIdFor(secret: string, source: string): string {
  const b = createHmac('sha256', secret).update(`alert id\n${source}`).digest().subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x80;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * KEYS: alert, all, open, record stream, then the candidate codes' index keys, then (when the
 * alert's member is looked up) the conversation's member link and, when it was read to name one,
 * that member's record. ARGV: id, the alert's JSON without its code and member, createdAt, how
 * many candidate codes follow, the codes, the member id the link was read to hold ('' for none),
 * then the `raised` event's fields. Every key it reads or writes is declared.
 *
 * Everything is read before anything is written, so an error leaves nothing half done. When the
 * alert exists already (its id derived from a message raised before), writes nothing and returns
 * {'exists', its JSON}. When the link no longer holds what it was read to hold (relinked in
 * between), writes nothing and returns {'relinked', the member id it holds now ('' for none)}: the
 * caller runs it again with that member's record declared. Otherwise takes the first candidate
 * code no alert has, adds it and the linked member (if any, and if its record can be read) to the
 * JSON, writes the alert and returns {'created', code, member id, member name} ('' for none).
 */
const CREATE_ONCE = new LuaScript(`
local existing = redis.call('get', KEYS[1])
if existing then return {'exists', existing} end
local codes = tonumber(ARGV[4])
local link, record = 5 + codes, 6 + codes
local id = ''
if #KEYS >= link then
  id = redis.call('get', KEYS[link]) or ''
  if id ~= ARGV[5 + codes] then return {'relinked', id} end
end
local code, codeKey
for i = 1, codes do
  if redis.call('exists', KEYS[4 + i]) == 0 then
    code, codeKey = ARGV[4 + i], KEYS[4 + i]
    break
  end
end
if not code then return redis.error_reply('no free acknowledgement code among the candidates') end
local extra, memberId, memberName = ',"code":"' .. code .. '"', '', ''
local raw = id ~= '' and redis.call('get', KEYS[record])
if raw then
  memberId = id
  extra = extra .. ',"memberId":' .. cjson.encode(id)
  local read, member = pcall(cjson.decode, raw)
  if read and type(member) == 'table' and type(member.name) == 'string' then
    local written, name = pcall(cjson.encode, member.name)
    if written then
      memberName = member.name
      extra = extra .. ',"memberName":' .. name
    end
  end
end
redis.call('set', KEYS[1], string.sub(ARGV[2], 1, -2) .. extra .. '}')
redis.call('zadd', KEYS[2], ARGV[3], ARGV[1])
redis.call('zadd', KEYS[3], ARGV[3], ARGV[1])
redis.call('set', codeKey, ARGV[1])
redis.call('xadd', KEYS[4], '*', unpack(ARGV, 6 + codes))
return {'created', code, memberId, memberName}
`);
/**
 * Runs of {@link CREATE_ONCE} for one alert that may find the conversation relinked since its link
 * was read: links change at the pace of people typing codes, so more than a couple means something
 * is wrong.
 */
export const CREATE_RUNS = 5;
/** Candidate codes sent with each new alert: the chance that all are taken is negligible. */
const CANDIDATE_CODES = 4;
/** Unflagged candidate codes kept drawn ahead: enough for a few alerts in quick succession. */
const SPARE_CODES = 4 * CANDIDATE_CODES;
/** How long after an alert is raised the spare codes are drawn again (off the alert's path). */
const REFILL_AFTER_MS = 50;
/** Conversations whose member link this process last saw, remembered to guess the next alert's (oldest forgotten). */
const LINKS_REMEMBERED = 5000;

/**
 * Alerts in Redis: a hash per alert, an append-only stream per alert for its record, a sorted set
 * of every alert by time and one of the open ones, and a code index for `ack CODE`.
 * Safeguarding records are never removed by the retention sweep.
 */
export class AlertStore {
  private readonly members: ReturnType<typeof memberKeys>;
  /**
   * Acknowledgement codes drawn (and screened) ahead of need, so that raising an alert does not
   * screen its candidate codes on its own path (16 screens): drawn again a moment after it.
   */
  private readonly spareCodes: string[] = [];
  private refill: NodeJS.Timeout | undefined;
  /**
   * The member id each conversation's link held ('' for none) when this process last wrote or read
   * it for an alert: {@link guessLinked}'s answer. Only a guess: {@link create} checks it in its script.
   */
  private readonly links = new Map<string, string>();

  /**
   * `idSecret` keys the ids of alerts raised from messages (ID_HASH_SECRET); a store that only reads
   * (an export) needs none.
   */
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly idSecret?: string,
  ) {
    this.members = memberKeys(keys);
  }

  /** The id an alert raised from the message `source` has ({@link alertIdFor}). */
  idFor(source: string): string {
    if (!this.idSecret) throw new Error('this AlertStore was made without an id secret: it cannot raise alerts');
    return alertIdFor(this.idSecret, source);
  }

  private get k() {
    return alertKeys(this.keys);
  }
  private key(id: string) {
    return this.k.alert(id);
  }
  private logKey(id: string) {
    return this.k.log(id);
  }
  private get allKey() {
    return this.k.all();
  }
  private get openKey() {
    return this.k.open();
  }
  private readonly codeKey = (code: string) => this.k.code(code);
  private deliveredKey(id: string) {
    return this.k.delivered(id);
  }

  /**
   * The member id a conversation's member link holds now (null: none): what {@link create} is
   * given as `linked`, read by the caller first so that whatever it sends with the alert's write
   * (its delivery job) comes after it.
   */
  async linkedMember(conversationId: string): Promise<string | null> {
    const id = await this.redis.get(this.members.link(conversationId));
    this.noteLink(conversationId, id);
    return id;
  }

  /**
   * The member id a conversation's link held when this process last saw it (null: none, or never
   * seen), without a round trip: what {@link create} may be given as `linked` when the alert's
   * record is to be written at once. A wrong guess costs one more run of its script, never a wrong
   * record (the script checks the link itself); most conversations are linked to nobody, and a
   * link changes only when someone types a join code.
   */
  guessLinked(conversationId: string): string | null {
    return this.links.get(conversationId) || null;
  }

  private noteLink(conversationId: string, memberId: string | null): void {
    this.links.delete(conversationId);
    this.links.set(conversationId, memberId ?? '');
    if (this.links.size > LINKS_REMEMBERED) this.links.delete(this.links.keys().next().value as string);
  }

  /**
   * Creates the alert and its `raised` record in one step (one Lua script, so one round trip on the
   * alert's path once the member link is read). With `source` (the message's `channel:messageId`),
   * the alert's id is {@link idFor} it, so a caller knows it before the write, and a message whose
   * alert was raised before (a platform's retry) creates nothing: that alert is returned with
   * `created: false`. An alert that names no member is given the conversation's linked member:
   * `linked` is the member id its link was read to hold ({@link linkedMember}; read here when not
   * given), and the script reads that member's record and writes only if the link still holds it,
   * else runs again with the member it holds now (at most {@link CREATE_RUNS} runs).
   */
  async create(
    input: Omit<Alert, 'id' | 'code' | 'status' | 'level' | 'createdAt'> & { createdAt?: number },
    source?: string,
    linked?: string | null,
  ): Promise<{ alert: Alert; created: boolean }> {
    const base: Omit<Alert, 'code'> = {
      ...input,
      id: source ? this.idFor(source) : randomUUID(),
      status: 'open',
      level: 0,
      createdAt: input.createdAt ?? Date.now(),
    };
    const lookUp = base.memberId === undefined;
    let memberId = lookUp ? (linked === undefined ? await this.linkedMember(base.conversationId) : linked) : null;
    const codes = this.candidateCodes();
    const fields = eventFields({
      at: base.createdAt,
      event: 'raised',
      detail: `${base.category.replace(/_/g, ' ')} (${base.severity}) on ${base.channel}`,
    });
    const json = JSON.stringify(base);
    for (let runs = 1; ; runs++) {
      const keys = [this.key(base.id), this.allKey, this.openKey, this.logKey(base.id), ...codes.map(this.codeKey)];
      if (lookUp) keys.push(this.members.link(base.conversationId));
      if (memberId) keys.push(this.members.member(memberId));
      const [outcome, value, namedId, memberName] = (await CREATE_ONCE.run(
        this.redis,
        keys.length,
        ...keys,
        base.id,
        json,
        String(base.createdAt),
        String(codes.length),
        ...codes,
        memberId ?? '',
        ...fields,
      )) as [outcome: 'created' | 'exists' | 'relinked', value: string, memberId?: string, memberName?: string];
      if (outcome === 'created') {
        // The script wrote only because the link held what this run was given.
        if (lookUp) this.noteLink(base.conversationId, memberId);
        const alert: Alert = { ...base, code: value };
        if (namedId) alert.memberId = namedId;
        if (memberName) alert.memberName = memberName;
        return { alert, created: true };
      }
      if (outcome === 'exists') {
        const existing = JSON.parse(value) as Alert;
        // A command the connection sent again after a reconnect finds its own first run's alert: this
        // attempt did create it, so its caller still tells staff it was raised.
        return { alert: existing, created: codes.includes(existing.code) };
      }
      this.noteLink(base.conversationId, value || null);
      if (runs >= CREATE_RUNS) throw new AlertLinkChangingError(base.id, runs);
      memberId = value || null;
    }
  }

  /** {@link CANDIDATE_CODES} fresh unflagged codes: spare ones drawn before, else drawn now. */
  private candidateCodes(): string[] {
    const codes = this.spareCodes.splice(0, CANDIDATE_CODES);
    while (codes.length < CANDIDATE_CODES) codes.push(newAckCode());
    this.refill ??= setTimeout(() => {
      this.refill = undefined;
      while (this.spareCodes.length < SPARE_CODES) this.spareCodes.push(newAckCode());
    }, REFILL_AFTER_MS).unref();
    return codes;
  }

  async get(id: string): Promise<Alert | null> {
    const raw = await this.redis.get(this.key(id));
    return raw ? (JSON.parse(raw) as Alert) : null;
  }

  async byCode(code: string): Promise<Alert | null> {
    const id = await this.redis.get(this.codeKey(code.toUpperCase()));
    return id ? this.get(id) : null;
  }

  /**
   * Raises an open alert's level to `level` (an escalation), with its `escalated` event the first
   * time. Returns the alert, or null when it is acknowledged or gone.
   */
  async escalate(
    id: string,
    level: number,
    at = Date.now(),
    why = 'nobody acknowledged in time',
  ): Promise<Alert | null> {
    return this.change(id, (a) => {
      if (a.status !== 'open') return null;
      if (a.level >= level) return { alert: a };
      return {
        alert: { ...a, level },
        event: { at, event: 'escalated', detail: `level ${level}: ${why}` },
      };
    });
  }

  /**
   * The parts of the alert's delivery done so far: `"<level>"` for a whole level, and
   * `"<level>:chat:<staff conversation>"` and `"<level>:webhook"` for each target within it.
   */
  async deliveredParts(id: string): Promise<Set<string>> {
    return new Set(await this.redis.hkeys(this.deliveredKey(id)));
  }

  /**
   * Notes a part of the alert's delivery as done (see {@link deliveredParts}), so that a delivery
   * job run again for it (a retry after a failed webhook, or a platform's retry of the message, even
   * days later) sends nothing twice. Kept with the alert.
   */
  async markDelivered(id: string, part: string): Promise<void> {
    await this.redis.hset(this.deliveredKey(id), part, String(Date.now()));
  }

  /**
   * Notes a staff target's last delivery: null when it was told, else why not. Read by
   * {@link targetStates} to say whether anyone can be told of an alert now.
   */
  async noteTarget(target: string, why: string | null): Promise<void> {
    const key = alertKeys(this.keys).targets();
    if (why === null) await this.redis.hdel(key, target);
    else await this.redis.hset(key, target, why.slice(0, 200));
  }

  /** Each staff target whose last delivery failed, with why. */
  async targetStates(): Promise<Map<string, string>> {
    return new Map(Object.entries(await this.redis.hgetall(alertKeys(this.keys).targets())));
  }

  async append(id: string, event: AlertEvent): Promise<void> {
    await this.redis.xadd(this.logKey(id), '*', ...eventFields(event));
  }

  async history(id: string): Promise<AlertEvent[]> {
    const rows = await this.redis.xrange(this.logKey(id), '-', '+');
    return rows.map(([, fields]) => {
      const o: Record<string, string> = {};
      for (let i = 0; i + 1 < fields.length; i += 2) o[fields[i] as string] = fields[i + 1] as string;
      return {
        at: Number(o.at),
        event: o.event as AlertEvent['event'],
        by: o.by || undefined,
        detail: o.detail || undefined,
      };
    });
  }

  /** Marks acknowledged; returns null when it already was (or is gone). */
  async acknowledge(id: string, by: string, at = Date.now()): Promise<Alert | null> {
    return this.change(id, (a) =>
      a.status === 'acknowledged'
        ? null
        : {
            alert: { ...a, status: 'acknowledged', acknowledgedBy: by, acknowledgedAt: at },
            event: { at, event: 'acknowledged', by },
          },
    );
  }

  /** Records staff's verdict on the screen's decision (the latest one counts), with a `feedback` event. */
  async setFeedback(id: string, feedback: ScreenFeedback): Promise<Alert | null> {
    return this.change(id, (a) => ({
      alert: { ...a, feedback },
      event: {
        at: feedback.at,
        event: 'feedback',
        by: feedback.by,
        detail:
          feedback.verdict === 'not_concern' ? 'not a concern' : `wrong category: ${a.category} → ${feedback.category}`,
      },
    }));
  }

  /**
   * Changes an alert's record as `change` says, with its event on the record stream, in one step
   * that writes only if the record is still as read: a change made in between (an acknowledgement
   * racing an escalation) is read again and built on, never overwritten. `change` returns null for
   * nothing to do; without an event, the alert as read is returned and nothing written.
   */
  private async change(
    id: string,
    change: (a: Alert) => { alert: Alert; event?: AlertEvent } | null,
  ): Promise<Alert | null> {
    for (;;) {
      const raw = await this.redis.get(this.key(id));
      if (!raw) return null;
      const next = change(JSON.parse(raw) as Alert);
      if (!next) return null;
      if (!next.event) return next.alert;
      const written = await SWAP.run(
        this.redis,
        3,
        this.key(id),
        this.openKey,
        this.logKey(id),
        raw,
        JSON.stringify(next.alert),
        next.alert.status === 'open' ? '0' : '1',
        id,
        ...eventFields(next.event),
      );
      if (written === 1) return next.alert;
    }
  }

  /** Open alerts, then the rest, newest first within each, at most `limit`. */
  async list(opts: { openOnly?: boolean; limit?: number } = {}): Promise<Alert[]> {
    const ids = await this.redis.zrevrange(opts.openOnly ? this.openKey : this.allKey, 0, (opts.limit ?? 200) - 1);
    if (!ids.length) return [];
    const raws = await this.redis.mget(ids.map((id) => this.key(id)));
    return raws.filter((r): r is string => !!r).map((r) => JSON.parse(r) as Alert);
  }

  /** Every alert with its record, oldest first, for `haven alerts export`. */
  async *exportAll(): AsyncGenerator<Alert & { history: AlertEvent[] }> {
    const ids = await this.redis.zrange(this.allKey, '0', '-1');
    for (const id of ids) {
      const alert = await this.get(id);
      if (alert) yield { ...alert, history: await this.history(id) };
    }
  }
}

/** Thrown when a conversation's member link changed on every run of an alert's creation ({@link CREATE_RUNS}). */
export class AlertLinkChangingError extends HavenError {
  constructor(alertId: string, runs: number) {
    super(`the conversation's member link changed on each of ${runs} runs creating an alert`, 'ALERT_LINK_CHANGING', {
      context: { alertId },
    });
  }
}

/** One labelled line for the screen's training data (data/safeguarding/train/, same shape). */
export interface FeedbackLine {
  id: string;
  text: string;
  alert: boolean;
  category: Category | null;
}

/** The labelled line staff feedback on an alert makes, or null when it has none. */
export function feedbackLine(a: Alert): FeedbackLine | null {
  if (!a.feedback) return null;
  const id = `feedback-${a.id}`;
  if (a.feedback.verdict === 'not_concern') return { id, text: a.text, alert: false, category: null };
  if (!a.feedback.category) return null;
  return { id, text: a.text, alert: true, category: a.feedback.category };
}

function eventFields(e: AlertEvent): string[] {
  const f = ['at', String(e.at), 'event', e.event];
  if (e.by) f.push('by', e.by);
  if (e.detail) f.push('detail', e.detail);
  return f;
}
