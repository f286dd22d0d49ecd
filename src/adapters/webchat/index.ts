import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import fastifyRateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Adapter, AdapterContext, ChannelStatus, SendContext } from '../kit/adapter';
import { LuaScript } from '../../common/script';
import type { Keys } from '../../engine/keys';
import type { Logger } from '../../common/logger';
import { openEventStream } from '../../http/event-stream';
import { MAX_TEXT_CHARS, type ChannelAddress, type OutboundMessage } from '../../engine/message';
import { chatPage } from './page';
import { channelKeys } from '../kit/keys';

/** What the web chat channel needs. */
export interface WebchatConfig {
  redis: Redis;
  /** A connection of its own for Redis pub/sub (it cannot run other commands). */
  subscriber: Redis;
  keys: Keys;
  log: Logger;
  charityName: string;
  /** A keyed hash of a network address: the per-address limit's key in Redis, never the address. */
  addressKey: (address: string) => string;
  /** Replies kept for a browser that is not connected right now. */
  backlogSeconds?: number;
  /** Messages accepted from one network address a minute (WEBCHAT_RATE_PER_ADDRESS_PER_MINUTE). */
  ratePerAddressPerMinute: number;
  /**
   * Open reply streams (`/chat/api/events`) allowed from one address, and in all, in this process
   * (WEBCHAT_STREAMS_PER_ADDRESS, WEBCHAT_STREAMS_TOTAL): idle streams must never use up the
   * connections a platform's webhook (a safeguarding message) needs.
   */
  streamsPerAddress?: number;
  streamsTotal?: number;
}

const clientId = z.string().regex(/^[A-Za-z0-9-]{16,64}$/, 'clientId must be 16 to 64 letters, digits or dashes');
const messageBody = z.object({
  clientId,
  id: z.string().min(1).max(64),
  text: z
    .string()
    .min(1, 'Please type a message.')
    .max(
      MAX_TEXT_CHARS,
      `Messages can be up to ${MAX_TEXT_CHARS.toLocaleString('en-GB')} characters. Please make it shorter.`,
    ),
  payload: z.string().max(100).optional(),
});
/** The page opening for the first time: asks for Haven's welcome (a `start`, as Get Started is elsewhere). */
const startBody = z.object({ clientId, id: z.string().min(1).max(64), start: z.literal(true) });
const clearBody = z.object({ clientId });

/** One reply as the browser receives it. */
interface WireReply {
  seq: number;
  text: string;
  choices?: OutboundMessage['choices'];
  at: number;
}

/**
 * The web chat channel, built in: `/chat` serves the page; `POST /chat/api/messages` takes what
 * the browser sends; `GET /chat/api/events` streams replies (SSE), with a short backlog in Redis
 * so a reply sent while the page was closed arrives when it opens again.
 */
export class WebchatAdapter implements Adapter {
  readonly name = 'webchat' as const;
  private readonly listeners = new Map<string, Set<(entry: string) => void>>();
  private readonly streams = new Set<ServerResponse>();
  /** Open streams by network address. */
  private readonly streamsByAddress = new Map<string, number>();
  private readonly backlogSeconds: number;

  constructor(private readonly c: WebchatConfig) {
    this.backlogSeconds = c.backlogSeconds ?? 24 * 3600;
    c.subscriber.on('message', (channel: string, entry: string) => {
      const key = channel.slice(channel.lastIndexOf(':') + 1);
      for (const l of this.listeners.get(key) ?? []) l(entry);
    });
  }

  private static clientKey(id: string): string {
    return webchatClientKey(id);
  }

  async registerRoutes(app: FastifyInstance, ctx: AdapterContext): Promise<void> {
    const page = chatPage({ charityName: this.c.charityName, maxChars: MAX_TEXT_CHARS });
    app.get('/chat', async (_req, reply) => {
      reply
        .type('text/html; charset=utf-8')
        .header(
          'content-security-policy',
          "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'",
        )
        .header('referrer-policy', 'no-referrer')
        .header('cache-control', 'no-store');
      return page;
    });

    const handler = async (req: FastifyRequest, reply: FastifyReply) => {
      const start = (req.body as { start?: unknown } | null)?.start === true ? startBody.safeParse(req.body) : null;
      if (start?.success) return this.accept(ctx, req, reply, { ...start.data, kind: 'start', text: '' });
      const parsed = start ?? messageBody.safeParse(req.body);
      if (!parsed.success) {
        const first = parsed.error.issues[0];
        return reply.code(400).send({
          error: first?.message ?? 'invalid message',
          issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`),
        });
      }
      const b = parsed.data as z.infer<typeof messageBody>;
      return this.accept(ctx, req, reply, { ...b, kind: b.payload ? 'choice' : 'text' });
    };

    // "Clear this chat": deletes the replies kept for this device (the page then forgets its id).
    const clear = async (req: FastifyRequest, reply: FastifyReply) => {
      const parsed = clearBody.safeParse(req.body);
      if (!parsed.success) return reply.code(400).send({ error: 'clientId is missing or malformed' });
      const key = WebchatAdapter.clientKey(parsed.data.clientId);
      try {
        await this.c.redis.del(this.c.keys.webchatOutbox(key), channelKeys(this.c.keys, 'webchat')('seq', key));
      } catch (err) {
        req.log.error({ err }, 'web chat backlog not cleared');
        return reply.code(503).send({ error: 'Sorry, that did not work. Please try again.' });
      }
      return reply.code(200).send({ ok: true });
    };

    // Per address, shared by every process through Redis: one browser rotating its anonymous id
    // cannot flood Haven. Generous, as a school's pupils may share one address.
    await app.register(async (scope) => {
      await scope.register(fastifyRateLimit, {
        global: false,
        redis: this.c.redis,
        nameSpace: `${channelKeys(this.c.keys, 'webchat')('rate')}:`,
        // A young person's network address is never a Redis key: its keyed hash is.
        keyGenerator: (req) => this.c.addressKey(req.ip),
        // Redis down: the message path answers 503 on its own; the limiter must not answer 500.
        skipOnError: true,
        errorResponseBuilder: (_req, context) => ({
          statusCode: 429,
          error: `Too many messages from here. Please wait ${Math.ceil(context.ttl / 1000)} seconds and try again. If you're in danger, call 999.`,
        }),
      });
      scope.post(
        '/chat/api/messages',
        {
          bodyLimit: 64 * 1024,
          config: { rateLimit: { max: this.c.ratePerAddressPerMinute, timeWindow: 60_000 } },
        },
        handler,
      );
      scope.post(
        '/chat/api/clear',
        { bodyLimit: 1024, config: { rateLimit: { max: this.c.ratePerAddressPerMinute, timeWindow: 60_000 } } },
        clear,
      );
    });

    app.get('/chat/api/events', async (req, reply) => {
      const q = z.object({ clientId, after: z.coerce.number().int().min(0).default(0) }).safeParse(req.query);
      if (!q.success) return reply.code(400).send({ error: 'clientId is missing or malformed' });
      const lastEventId = Number(req.headers['last-event-id']);
      let after = Number.isFinite(lastEventId) && lastEventId > 0 ? lastEventId : q.data.after;
      const key = WebchatAdapter.clientKey(q.data.clientId);

      const ip = req.ip;
      const fromHere = this.streamsByAddress.get(ip) ?? 0;
      if (fromHere >= (this.c.streamsPerAddress ?? 6) || this.streams.size >= (this.c.streamsTotal ?? 500)) {
        req.log.warn(
          { open: this.streams.size, fromAddress: fromHere },
          'web chat reply stream refused: too many open',
        );
        // The page falls back to reading replies again in a moment (the backlog keeps them).
        return reply
          .code(429)
          .header('retry-after', '10')
          .send({ error: 'too many open chat windows, try again soon' });
      }
      this.streamsByAddress.set(ip, fromHere + 1);
      const res = openEventStream(reply, 2000);
      this.streams.add(res);
      const write = (entry: string) => {
        const m = JSON.parse(entry) as WireReply;
        if (m.seq <= after) return;
        after = m.seq;
        res.write(`id: ${m.seq}\nevent: reply\ndata: ${entry}\n\n`);
      };
      // Listen first, then read the backlog, so nothing falls between the two.
      const pending: string[] = [];
      let live = false;
      const listener = (entry: string) => (live ? write(entry) : pending.push(entry));
      await this.listen(key, listener);
      const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 25_000);
      let closed = false;
      const close = () => {
        if (closed) return;
        closed = true;
        const n = (this.streamsByAddress.get(ip) ?? 1) - 1;
        if (n > 0) this.streamsByAddress.set(ip, n);
        else this.streamsByAddress.delete(ip);
        clearInterval(heartbeat);
        this.streams.delete(res);
        void this.unlisten(key, listener);
      };
      req.raw.on('close', close);
      res.on('close', close);
      if (res.destroyed) close();
      try {
        for (const entry of await this.c.redis.lrange(this.c.keys.webchatOutbox(key), 0, -1)) write(entry);
      } catch (err) {
        req.log.warn({ err }, 'web chat backlog unavailable');
      }
      for (const entry of pending) write(entry);
      live = true;
    });
  }

  private async accept(
    ctx: AdapterContext,
    req: FastifyRequest,
    reply: FastifyReply,
    b: { clientId: string; id: string; kind: 'text' | 'choice' | 'start'; text: string; payload?: string },
  ): Promise<FastifyReply> {
    try {
      await ctx.accept({
        channel: 'webchat',
        messageId: `${WebchatAdapter.clientKey(b.clientId)}:${b.id}`,
        senderId: b.clientId,
        kind: b.kind,
        text: b.text,
        payload: b.payload,
        sentAt: Date.now(),
        address: { k: WebchatAdapter.clientKey(b.clientId) },
        // Wrong join codes are counted per address too: a new browser id costs a guesser nothing.
        origin: req.ip,
      });
    } catch (err) {
      req.log.error({ err }, 'web chat message not stored');
      return reply
        .code(503)
        .header('retry-after', '2')
        .send({ error: 'Sorry, Haven is busy. Your message will be sent again in a moment.' });
    }
    return reply.code(202).send({ ok: true });
  }

  private async listen(key: string, l: (entry: string) => void): Promise<void> {
    let set = this.listeners.get(key);
    if (!set) {
      set = new Set();
      this.listeners.set(key, set);
      await this.c.subscriber.subscribe(this.c.keys.webchatChannel(key));
    }
    set.add(l);
  }

  private async unlisten(key: string, l: (entry: string) => void): Promise<void> {
    const set = this.listeners.get(key);
    if (!set) return;
    set.delete(l);
    if (set.size === 0) {
      this.listeners.delete(key);
      await this.c.subscriber.unsubscribe(this.c.keys.webchatChannel(key)).catch(() => undefined);
    }
  }

  /**
   * Forgets the replies kept for this browser now ("delete my data", "clear this chat"). The
   * sequence number stays, so a reply sent after this one still reaches an open page.
   */
  async clearHistory(address: ChannelAddress): Promise<void> {
    const key = z.object({ k: z.string() }).parse(address).k;
    await this.c.redis.del(this.c.keys.webchatOutbox(key));
  }

  /**
   * Keeps the reply for the browser and tells an open page, in one step (a script): numbered, kept
   * in the backlog, published. A part sent again with the same `deliveryId` (a job re-run after
   * Redis went away before it was marked done, or a command ioredis sent again on reconnecting) is
   * delivered once.
   */
  async send(address: ChannelAddress, message: OutboundMessage, context?: SendContext): Promise<void> {
    const key = z.object({ k: z.string() }).parse(address).k;
    const { redis, keys } = this.c;
    const webchat = channelKeys(keys, 'webchat');
    // Everything but the number, which the script puts first: {"seq":N,"text":...}.
    const rest = JSON.stringify({ text: message.text, choices: message.choices, at: Date.now() } satisfies Omit<
      WireReply,
      'seq'
    >);
    const delivery = context?.deliveryId ? [webchat('sent', key, context.deliveryId)] : [];
    await DELIVER.run(
      redis,
      2 + delivery.length,
      webchat('seq', key),
      keys.webchatOutbox(key),
      ...delivery,
      rest.slice(1),
      this.backlogSeconds,
      keys.webchatChannel(key),
    );
  }

  status(): ChannelStatus {
    return { channel: 'webchat', state: 'ready' };
  }

  /** Ends open event streams so the server can close. */
  async stop(): Promise<void> {
    for (const res of this.streams) res.end();
    this.streams.clear();
  }
}

/**
 * KEYS: the browser's reply number, its backlog, and optionally this part's delivery mark. ARGV: the
 * reply's JSON without its opening brace, how long replies are kept (s), the pub/sub channel of its
 * open pages. Returns the reply's number, or 0 when this delivery was made before.
 */
const DELIVER = new LuaScript(`
if KEYS[3] and not redis.call('SET', KEYS[3], '1', 'NX', 'EX', ARGV[2]) then return 0 end
local seq = redis.call('INCR', KEYS[1])
local entry = '{"seq":' .. seq .. ',' .. ARGV[1]
redis.call('RPUSH', KEYS[2], entry)
redis.call('LTRIM', KEYS[2], -100, -1)
redis.call('EXPIRE', KEYS[2], ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[2])
redis.call('PUBLISH', ARGV[3], entry)
return seq
`);

/** The key a browser's replies are kept under: its id is hashed first, as the raw id is a bearer secret. */
export function webchatClientKey(clientId: string): string {
  return createHash('sha256').update(clientId).digest('base64url').slice(0, 32);
}

/** Creates the web chat channel (always on: it needs no platform account). */
export function createWebchatAdapter(config: WebchatConfig): WebchatAdapter {
  return new WebchatAdapter(config);
}

/**
 * Deletes the replies the web chat keeps for a browser to fetch later (its backlog), for a young
 * person who asked Haven to delete their data. `address` is the web chat's own address record.
 */
export async function eraseWebchatBacklog(redis: Redis, keys: Keys, address: ChannelAddress): Promise<void> {
  const parsed = z.object({ k: z.string() }).safeParse(address);
  if (!parsed.success) return;
  // The sequence number stays (it holds no text): an open page drops replies numbered at or below
  // the last it saw, so the next reply (the "Done") must carry on from it.
  await redis.del(keys.webchatOutbox(parsed.data.k));
}
