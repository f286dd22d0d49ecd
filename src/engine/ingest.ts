import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { AcceptResult } from './adapter';
import type { AlertService } from '../domain/alerts/service';
import { deleteIfHeld } from '../common/held';
import { MessageInFlightError } from '../common/errors';
import type { IdentityVault } from './identity';
import type { Keys } from './keys';
import type { Logger } from '../common/logger';
import { INBOUND_JOB, MAX_TEXT_CHARS, type InboundJob, type InboundMessage } from './message';
import type { Metrics } from '../common/metrics';
import { jobId, type Queues } from './queues';
import { textPieces } from '../safeguarding/screen';
import type { Screen, ScreenResult } from '../safeguarding/types';
import { LuaScript } from '../common/script';

const NO_CONCERN: ScreenResult = { alert: false, category: null, severity: null, matched: [] };
/** How long a message id is held as "being accepted" before the full dedupe window applies. */
const PENDING_SECONDS = 60;
/**
 * A pending claim older than this is taken over by a retry: the attempt that made it has most likely
 * failed (Redis went away before the message was queued, and releasing the claim failed too). Taking
 * over is safe even if the first attempt is only slow: the inbound job id, the alert id and the
 * engine's handled-marker all fold a second accept.
 */
const TAKE_OVER_PENDING_MS = 2000;
/** How often a retry that found its message still being accepted looks again. */
const IN_FLIGHT_POLL_MS = 50;
/** What the claim found. */
const CLAIMED = 1;
const IN_FLIGHT = 2;
/**
 * KEYS: the message id's dedupe key, the sender's rate counter for this minute, the sender's
 * address, the sender's last-message time. ARGV: how long the claim is held, this attempt's token
 * (`uuid@ms`), now (ms), after how long a pending claim is taken over, '1' to count this message
 * against the sender's rate (the first look only), the sealed address and its TTL, the message's
 * accepted time (ms) and that key's TTL, the rate limit per minute, '1' when the message raised an
 * alert (it always goes through), the count the first look found (when this look does not count).
 * Returns [what the claim found, the sender's count this minute]:
 * - CLAIMED (1): the id is this attempt's: claimed now, taken over from a stale pending claim, or
 *   claimed by this same command run before (ioredis sends a command again after a reconnect);
 *   unless the sender is over the rate limit (and it raised no alert), the address and the time
 *   of their last message are written in the same step, so the job queued next never exists
 *   without the address its replies need;
 * - STORED (0): the message is stored (the key holds '1'): a retry to fold;
 * - IN_FLIGHT (2): another attempt holds a pending claim younger than the take-over age: it may
 *   still store the message, or may have failed. Not yet known, so never answered as stored.
 */
const CLAIM = new LuaScript(`
local held = redis.call('get', KEYS[1])
local found
if not held or held == ARGV[2] then
  redis.call('set', KEYS[1], ARGV[2], 'EX', ARGV[1])
  found = 1
elseif held == '1' then
  found = 0
else
  local at = tonumber(string.match(held, '@(%d+)$'))
  if at and tonumber(ARGV[3]) - at > tonumber(ARGV[4]) then
    redis.call('set', KEYS[1], ARGV[2], 'EX', ARGV[1])
    found = 1
  else
    found = 2
  end
end
local count
if ARGV[5] == '1' then
  count = redis.call('incr', KEYS[2])
  if count == 1 then redis.call('expire', KEYS[2], 120) end
else
  count = tonumber(ARGV[12])
end
if found == 1 and (ARGV[11] == '1' or count <= tonumber(ARGV[10])) then
  redis.call('set', KEYS[3], ARGV[6], 'EX', ARGV[7])
  redis.call('set', KEYS[4], ARGV[8], 'EX', ARGV[9])
end
return {found, count}
`);

/**
 * KEYS: the message id's dedupe key, its inbound job's hash, its handled-marker. ARGV: the dedupe
 * TTL. Marks the message stored ('1') only if its job is there (or was handled already): sent on the
 * queue's own connection right behind the job's add, so that Redis runs it after the add, it marks
 * the message stored in the add's round trip, and never when the add failed. Returns 1 if it marked.
 */
const MARK_STORED = new LuaScript(`
if redis.call('exists', KEYS[2]) == 0 and redis.call('exists', KEYS[3]) == 0 then return 0 end
redis.call('set', KEYS[1], '1', 'EX', ARGV[1])
return 1
`);

/** What {@link Ingest} needs. */
export interface IngestDeps {
  redis: Redis;
  keys: Keys;
  queues: Queues;
  vault: IdentityVault;
  screen: Screen;
  alerts: AlertService;
  /**
   * Where a concerning message's claim goes: a connection kept for alerts (as the alert service's
   * own store is), so it never waits behind everyday traffic. Default: `redis`.
   */
  urgentRedis?: Redis;
  /**
   * The connection `queues.inbound` adds on: with it, a message is marked stored by a command sent
   * behind its job's add on that connection ({@link MARK_STORED}), in the same round trip, instead of
   * one more round trip after it. Default: marked after the add.
   */
  queueRedis?: Redis;
  dedupeTtlSeconds: number;
  ratePerMinute: number;
  log: Logger;
  metrics?: Metrics;
  /** The clock, in ms (tests control it: the rate limit counts per clock minute). */
  now?: () => number;
}

/**
 * The front door every adapter uses: fold platform retries, screen for safeguarding and raise
 * any alert first, then queue the message durably. Resolves only once the message is stored, so
 * an adapter can answer the platform 200 after it; throws when Redis cannot store it, so the
 * adapter answers 503 and the platform retries.
 */
export class Ingest {
  constructor(private readonly d: IngestDeps) {}

  /**
   * The part of a long message (over {@link MAX_TEXT_CHARS}, of which only the start is kept) that
   * raised `screen`'s alert: the first piece, as the screen reads them, that raises the same
   * concern, marked as a part. Rare (a long message with a concern), so screening again is cheap.
   */
  private concerningPart(whole: string, screen: ScreenResult): string {
    const pieces = textPieces(whole);
    const at = pieces.findIndex((p) => {
      const r = this.d.screen.screen(p);
      return r.alert && r.category === screen.category;
    });
    if (at < 0) return whole.slice(0, MAX_TEXT_CHARS);
    const piece = pieces[at] as string;
    return `${at > 0 ? '… ' : ''}${piece}${at < pieces.length - 1 ? ' …' : ''}`;
  }

  /**
   * Marks the message stored if its inbound job is there ({@link MARK_STORED}), sent once the job's
   * add has gone out on the same connection: the add's command is written by the promise steps that
   * follow `add()`, all run before an immediate. Should it go first anyway, it finds no job, marks
   * nothing and resolves false.
   */
  private async markStored(on: Redis, dedupeKey: string, inboundJobId: string, msg: InboundMessage): Promise<boolean> {
    await new Promise((r) => setImmediate(r));
    const marked = await MARK_STORED.run(
      on,
      3,
      dedupeKey,
      `${this.d.keys.queuePrefix}:${this.d.queues.inbound.name}:${inboundJobId}`,
      this.d.keys.handled(msg.channel, msg.messageId),
      String(this.d.dedupeTtlSeconds),
    );
    return marked === 1;
  }

  async accept(platformMsg: InboundMessage): Promise<AcceptResult> {
    const { redis, keys } = this.d;
    // From here on the message id is its keyed hash: dedupe keys, job ids, job data and the alert's
    // source never hold the platform's id (which can hold a phone number).
    const msg = { ...platformMsg, messageId: this.d.vault.messageKey(platformMsg.channel, platformMsg.messageId) };
    const startedAt = Date.now();
    const acceptedAt = this.d.now ? this.d.now() : startedAt;
    const dedupeKey = keys.dedupe(msg.channel, msg.messageId);
    const token = `${randomUUID()}@${startedAt}`;
    const conversationId = this.d.vault.conversationId(msg.channel, msg.senderId);
    const rateKey = keys.rate(conversationId, Math.floor(acceptedAt / 60_000));
    const text = msg.text.slice(0, MAX_TEXT_CHARS);
    // Everything anyone wrote is screened: typed text, a tapped choice's title, a photo's caption.
    // Screening is synchronous and touches no store, so it comes first: a concern's alert is then
    // begun in the claim's round trip (its conversation's member link is read), and written in the next.
    // The screen reads the whole text (in pieces when long), not only the part that is stored.
    const screen = msg.text.trim() !== '' ? this.d.screen.screen(msg.text) : NO_CONCERN;
    // One round trip: claim the message id and count the sender's messages this minute. The id is
    // held briefly first: if this process dies before the message is queued, the platform's retry
    // after PENDING_SECONDS gets through instead of being folded into a lost message.
    const claimOn = screen.alert && this.d.urgentRedis ? this.d.urgentRedis : redis;
    const sealedAddress = this.d.vault.sealAddress(msg.address);
    // `known`: the count the first look found (a second look does not count the message again).
    const runClaim = (known?: number) =>
      CLAIM.run(
        claimOn,
        4,
        dedupeKey,
        rateKey,
        keys.address(conversationId),
        keys.lastInbound(conversationId),
        String(PENDING_SECONDS),
        token,
        String(Date.now()),
        String(TAKE_OVER_PENDING_MS),
        known === undefined ? '1' : '0',
        sealedAddress,
        String(this.d.vault.addressTtlSeconds),
        String(acceptedAt),
        String(this.d.dedupeTtlSeconds),
        String(this.d.ratePerMinute),
        screen.alert ? '1' : '0',
        String(known ?? 0),
      ) as Promise<[number, number]>;
    const claim = runClaim();
    // Safeguarding first. The alert is keyed by the message's platform id, so raising it before the
    // claim is known is safe: a retry of this message finds the same alert instead of a second.
    const raising = screen.alert
      ? this.d.alerts.raise({
          screen,
          // Staff read what raised it: in a message longer than is kept, the part the concern is in.
          text: msg.text.length > MAX_TEXT_CHARS ? this.concerningPart(msg.text, screen) : text,
          channel: msg.channel,
          conversationId,
          receivedAt: acceptedAt,
          source: `${msg.channel}:${msg.messageId}`,
        })
      : undefined;
    // Awaited below; a failed claim must not leave its rejection unhandled.
    raising?.catch(() => undefined);
    const [first, count] = await claim;
    let found = first;
    // Another attempt at this same message holds it: wait until it is stored (a retry to fold) or
    // its claim is old enough to take over (that attempt failed). Answering "stored" before either
    // would lose the message if that attempt failed: the platform would never send it again.
    const gaveUpAt = Date.now() + TAKE_OVER_PENDING_MS + 1000;
    while (found === IN_FLIGHT) {
      if (Date.now() > gaveUpAt) {
        this.d.metrics?.inbound.inc({ channel: msg.channel, outcome: 'error' });
        // Not stored by this attempt and not known to be stored: the platform must try again.
        throw new MessageInFlightError(msg.channel);
      }
      await new Promise((r) => setTimeout(r, IN_FLIGHT_POLL_MS));
      [found] = await runClaim(count);
    }
    if (found !== CLAIMED) {
      // A retry that raced its original: whichever raised the alert first also queued its delivery.
      await raising;
      this.d.metrics?.inbound.inc({ channel: msg.channel, outcome: 'duplicate' });
      return { outcome: 'duplicate' };
    }
    try {
      let alertId: string | undefined;
      if (raising) {
        alertId = (await raising).id;
        const seconds = (Date.now() - startedAt) / 1000;
        this.d.metrics?.alertQueuedSeconds.observe(seconds);
        this.d.metrics?.alertQueuedQuantiles.observe(seconds);
      }

      // A concerning message always goes through, so its sender gets the helplines at once.
      if (count > this.d.ratePerMinute && !screen.alert) {
        await redis.set(dedupeKey, '1', 'EX', this.d.dedupeTtlSeconds);
        this.d.metrics?.inbound.inc({ channel: msg.channel, outcome: 'rate_limited' });
        this.d.log.warn(
          { channel: msg.channel, conversation: conversationId },
          'sender over rate limit; message screened but not answered',
        );
        return { outcome: 'rate_limited', conversationId, alertId };
      }

      const job: InboundJob = {
        channel: msg.channel,
        messageId: msg.messageId,
        conversationId,
        kind: msg.kind,
        text,
        payload: msg.payload,
        sentAt: msg.sentAt,
        acceptedAt,
        screen,
        alertId,
        ...(msg.origin ? { origin: this.d.vault.originKey(msg.origin) } : {}),
      };
      // The address and the time of this message were written with the claim (CLAIM), before the job.
      // Removed as soon as it is handled: the job holds what the young person wrote, and the
      // engine's own handled-marker already folds a retry.
      const inboundJobId = jobId('in', msg.channel, msg.messageId);
      const adding = this.d.queues.inbound.add(INBOUND_JOB, job, { jobId: inboundJobId, removeOnComplete: true });
      const marking = this.d.queueRedis ? this.markStored(this.d.queueRedis, dedupeKey, inboundJobId, msg) : undefined;
      // Awaited below; a failed add must not leave its rejection unhandled.
      marking?.catch(() => undefined);
      await adding;
      // Not marked behind the add (sent before it after all, or failed): marked now, as the add is done.
      if (!(await marking?.catch(() => false))) await redis.set(dedupeKey, '1', 'EX', this.d.dedupeTtlSeconds);
      this.d.metrics?.inbound.inc({ channel: msg.channel, outcome: 'queued' });
      return { outcome: 'queued', conversationId, alertId };
    } catch (err) {
      // Not stored: let the platform's retry through.
      // Only if this attempt still holds it.
      await deleteIfHeld(redis, dedupeKey, token).catch(() => undefined);
      this.d.metrics?.inbound.inc({ channel: msg.channel, outcome: 'error' });
      throw err;
    }
  }
}
