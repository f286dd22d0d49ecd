import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Keys } from '../keys';
import { memberKeys } from '../members/store';
import type { ChannelName } from '../message';
import type { Category, Severity } from '../safeguarding/types';

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
}

/** One line of an alert's append-only record: who, when, what, what was done. */
export interface AlertEvent {
  at: number;
  event:
    | 'raised'
    | 'delivered'
    | 'delivery_failed'
    | 'escalated'
    | 'acknowledged'
    | 'note'
    | 'action'
    | 'replied'
    | 'viewed';
  by?: string;
  detail?: string;
}

const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

/**
 * KEYS: alert, open set, record stream. ARGV: the record as read, the record to write, 1 to take the
 * alert off the open set, its id, then the event's fields. Writes (and returns 1) only if the record
 * is still as read.
 */
const SWAP = `
if redis.call('get', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('set', KEYS[1], ARGV[2])
if ARGV[3] == '1' then redis.call('zrem', KEYS[2], ARGV[4]) end
redis.call('xadd', KEYS[3], '*', unpack(ARGV, 5))
return 1
`;

/**
 * The id of the alert raised for a message (`source`: its `channel:messageId`): derived from it, so
 * the alert's delivery job can be queued in the same round trip as the alert is written, and a
 * platform's retry of the message names the same alert. A UUID of version 8 (RFC 9562, custom).
 */
export function alertIdFor(source: string): string {
  const b = createHash('sha256').update(`haven alert id\n${source}`).digest().subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x80;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * KEYS: source mark, alert, all, open, code index, record stream, the conversation's member link.
 * ARGV: mark TTL (0: no mark), id, alert JSON, createdAt, code, the member key prefix ('' when the
 * alert names its member already), then the `raised` event's fields.
 * When the mark was already set, or the alert exists (an id derived from a source whose mark has
 * lapsed), writes nothing and returns {the earlier alert's id}; when another alert has the code,
 * writes nothing and returns {'', '', '', 'code taken'}. Otherwise adds the linked member (if any)
 * to the alert JSON, writes the alert and returns {'', member id, member name} ('' for none).
 */
const CREATE_ONCE = `
local marked = tonumber(ARGV[1]) > 0
if marked then
  local earlier = redis.call('get', KEYS[1])
  if earlier then return {earlier} end
end
if redis.call('exists', KEYS[2]) == 1 then return {ARGV[2]} end
if redis.call('exists', KEYS[5]) == 1 then return {'', '', '', 'code taken'} end
if marked then redis.call('set', KEYS[1], ARGV[2], 'EX', ARGV[1]) end
local json, memberId, memberName = ARGV[3], '', ''
if ARGV[6] ~= '' then
  local id = redis.call('get', KEYS[7])
  local raw = id and redis.call('get', ARGV[6] .. id)
  if raw then
    local extra = ',"memberId":' .. cjson.encode(id)
    local name = cjson.decode(raw).name
    if type(name) == 'string' then
      memberName = name
      extra = extra .. ',"memberName":' .. cjson.encode(name)
    end
    memberId = id
    json = string.sub(json, 1, -2) .. extra .. '}'
  end
end
redis.call('set', KEYS[2], json)
redis.call('zadd', KEYS[3], ARGV[4], ARGV[2])
redis.call('zadd', KEYS[4], ARGV[4], ARGV[2])
redis.call('set', KEYS[5], ARGV[2])
redis.call('xadd', KEYS[6], '*', unpack(ARGV, 7))
return {'', memberId, memberName}
`;

/**
 * Alerts in Redis: a hash per alert, an append-only stream per alert for its record, a sorted set
 * of every alert by time and one of the open ones, and a code index for `ack CODE`.
 * Safeguarding records are never removed by the retention sweep.
 */
export class AlertStore {
  private readonly members: ReturnType<typeof memberKeys>;

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {
    this.members = memberKeys(keys);
  }

  private key(id: string) {
    return this.keys.custom('alert', id);
  }
  private logKey(id: string) {
    return this.keys.custom('alertlog', id);
  }
  private get allKey() {
    return this.keys.custom('alerts', 'all');
  }
  private get openKey() {
    return this.keys.custom('alerts', 'open');
  }
  private codeKey(code: string) {
    return this.keys.custom('alertcode', code);
  }
  private deliveredKey(id: string) {
    return this.keys.custom('alertsent', id);
  }

  /**
   * Creates the alert and its `raised` record in one step (one Lua script, so one round trip on the
   * alert's path), or, when `once` names a message whose alert was already raised, creates nothing
   * and returns that alert with `created: false`. A platform's retry of a message whose queueing
   * failed after its alert was raised must not raise a second alert; the mark is kept `ttlSeconds`.
   * An alert that names no member is given the conversation's linked member, read by the same script.
   * With `once`, the new alert's id is {@link alertIdFor} its source, so a caller knows it before
   * the write.
   */
  async create(
    input: Omit<Alert, 'id' | 'code' | 'status' | 'level' | 'createdAt'> & { createdAt?: number },
    once?: { source: string; ttlSeconds: number },
  ): Promise<{ alert: Alert; created: boolean }> {
    const alert: Alert = {
      ...input,
      id: once ? alertIdFor(once.source) : randomUUID(),
      code: Array.from(randomBytes(5), (b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join(''),
      status: 'open',
      level: 0,
      createdAt: input.createdAt ?? Date.now(),
    };
    const sourceKey = once
      ? this.keys.custom('alertsrc', createHash('sha256').update(once.source).digest('base64url'))
      : this.keys.custom('alertsrc', '-');
    const fields = eventFields({
      at: alert.createdAt,
      event: 'raised',
      detail: `${alert.category.replace(/_/g, ' ')} (${alert.severity}) on ${alert.channel}`,
    });
    const resolveMember = alert.memberId === undefined;
    const [earlier, memberId, memberName, taken] = (await this.redis.eval(
      CREATE_ONCE,
      7,
      sourceKey,
      this.key(alert.id),
      this.allKey,
      this.openKey,
      this.codeKey(alert.code),
      this.logKey(alert.id),
      this.members.link(alert.conversationId),
      once ? String(once.ttlSeconds) : '0',
      alert.id,
      JSON.stringify(alert),
      String(alert.createdAt),
      alert.code,
      resolveMember ? this.members.member('') : '',
      ...fields,
    )) as [string, string?, string?, string?];
    // Codes are short so that staff can type them; one already given to another alert (all are
    // kept) would make `ack CODE` acknowledge the wrong one. Drawn again.
    if (taken) return this.create(input, once);
    if (!earlier) {
      if (memberId) alert.memberId = memberId;
      if (memberName) alert.memberName = memberName;
      return { alert, created: true };
    }
    const existing = await this.get(earlier);
    // The earlier alert's record is gone (it cannot be, short of an admin deleting it): raise this one.
    if (!existing) return this.create(input);
    return { alert: existing, created: false };
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
  async escalate(id: string, level: number, at = Date.now()): Promise<Alert | null> {
    return this.change(id, (a) => {
      if (a.status !== 'open') return null;
      if (a.level >= level) return { alert: a };
      return {
        alert: { ...a, level },
        event: { at, event: 'escalated', detail: `level ${level}: nobody acknowledged in time` },
      };
    });
  }

  /** Whether the alert's delivery at `level` has been done (see {@link markDelivered}). */
  async wasDelivered(id: string, level: number): Promise<boolean> {
    return (await this.redis.hexists(this.deliveredKey(id), String(level))) === 1;
  }

  /**
   * Notes the alert's delivery at `level` as done, so that a delivery job made again for it (a
   * platform's retry of the message, even days later) sends nothing twice. Kept with the alert.
   */
  async markDelivered(id: string, level: number): Promise<void> {
    await this.redis.hset(this.deliveredKey(id), String(level), String(Date.now()));
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
      const written = await this.redis.eval(
        SWAP,
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

function eventFields(e: AlertEvent): string[] {
  const f = ['at', String(e.at), 'event', e.event];
  if (e.by) f.push('by', e.by);
  if (e.detail) f.push('detail', e.detail);
  return f;
}
