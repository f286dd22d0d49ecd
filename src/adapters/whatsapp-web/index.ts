import { existsSync } from 'node:fs';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Adapter, AdapterContext, ChannelStatus, SendContext } from '../kit/adapter';
import { DrivenElsewhereError, PlatformRefusedError, PlatformUnavailableError } from '../../common/errors';
import type { Keys } from '../../engine/keys';
import type { Logger } from '../../common/logger';
import type { ChannelAddress, OutboundMessage } from '../../engine/message';
import { realClientFactory, type ClientFactory, type ClientLike, type WhatsAppMessage } from './client';
import { PartProgress, WHATSAPP_TEXT_LIMIT, splitText } from '../meta';
import { withNumberedChoices } from './format';
import { toInbound } from './inbound';
import { SessionLock } from './lock';
import { PendingAccepts } from './pending';
import { codeInstructions, printToTerminal, qrForTerminal, qrInstructions, type Print } from './terminal';
import { channelKeys } from '../kit/keys';

export type { ClientFactory, ClientFactoryOptions, ClientLike, WhatsAppMessage } from './client';

/** The settings the WhatsApp Web channel reads. */
export interface WhatsAppWebConfig {
  /** `WHATSAPP_AUTH_PATH`: LocalAuth's session folder (a volume, so a restart needs no new pairing). */
  authPath: string;
  /** `PUPPETEER_EXECUTABLE_PATH`. */
  executablePath: string;
  /** `WHATSAPP_PAIRING_NUMBER`: pair by code sent to this number instead of a QR scan. */
  pairingNumber?: string;
}

/** Timings, all overridable (tests use short ones). */
export interface WhatsAppTiming {
  /** How long the session lock lives without renewal: another process takes over this long after a crash. */
  lockTtlMs: number;
  lockRenewMs: number;
  /** How often a standing-by process tries the lock. */
  standbyRetryMs: number;
  /** Reconnect after a disconnect: base × 2^attempt, capped. */
  reconnectBaseMs: number;
  reconnectMaxMs: number;
  /** Messages the core could not store (Redis down): retried base × 2^attempt, capped; at most `maxHeld` kept. */
  acceptRetryBaseMs: number;
  acceptRetryMaxMs: number;
  maxHeld: number;
}

export const DEFAULT_TIMING: WhatsAppTiming = {
  lockTtlMs: 30_000,
  lockRenewMs: 10_000,
  standbyRetryMs: 15_000,
  reconnectBaseMs: 2_000,
  reconnectMaxMs: 5 * 60_000,
  acceptRetryBaseMs: 1_000,
  acceptRetryMaxMs: 60_000,
  maxHeld: 500,
};

/** What the channel gets from the composition root. */
export interface WhatsAppWebDeps {
  /** For the session lock. Owned by the caller (not closed by `stop()`). */
  redis: Redis;
  keys: Keys;
  log: Logger;
  /** Makes the whatsapp-web.js client (default: the real one; tests pass a fake). */
  createClient?: ClientFactory;
  /** Where pairing QR codes and codes are printed for staff (default: the terminal). */
  print?: Print;
  timing?: Partial<WhatsAppTiming>;
}

const address = z.object({ chatId: z.string().min(3).max(200) });

/** The driving process's status as it shares it in Redis (for the dashboard on every other process). */
const sharedStatus = z.object({
  owner: z.string(),
  state: z.enum(['starting', 'ready', 'standby', 'needs_pairing', 'down', 'stopped']),
  detail: z.string().optional(),
  pairing: z.object({ qr: z.string().optional(), code: z.string().optional() }).optional(),
});

/**
 * WhatsApp through whatsapp-web.js: the charity's own number linked like WhatsApp Web, driven by
 * a headless Chromium. One process drives the session (a lock in Redis); others stand by.
 * Never throws from `start()`: a missing Chromium, a refused login or a lost connection leaves the
 * channel `down` with the reason in `status()` (and /readyz) while the rest of Haven carries on.
 *
 * Pairing secrets: the QR payload and pairing code are printed for staff on standard error (not
 * through the JSON logger) and kept in `status().pairing` for the staff dashboard. There,
 * `pairing` is a non-enumerable property, so serialising a status (as /readyz does) never shows it.
 */
export class WhatsAppWebAdapter implements Adapter {
  readonly name = 'whatsapp' as const;
  private readonly timing: WhatsAppTiming;
  private readonly lock: SessionLock;
  /** Where the process holding the session shares its status (and pairing QR/code), for a lease's time. */
  private readonly statusKey: string;
  private readonly print: Print;
  private readonly createClient: ClientFactory;
  private readonly progress: PartProgress;
  private state: ChannelStatus['state'] = 'stopped';
  private detail?: string;
  private pairing?: { qr?: string; code?: string };
  private client?: ClientLike;
  private ctx?: AdapterContext;
  private pending?: PendingAccepts;
  private stopped = true;
  private holding = false;
  private lastRenewedAt = 0;
  private pairingRequested = false;
  private reconnectAttempt = 0;
  private renewTimer?: NodeJS.Timeout;
  private standbyTimer?: NodeJS.Timeout;
  private reconnectTimer?: NodeJS.Timeout;

  constructor(
    private readonly config: WhatsAppWebConfig,
    private readonly deps: WhatsAppWebDeps,
  ) {
    this.timing = { ...DEFAULT_TIMING, ...deps.timing };
    this.lock = new SessionLock(deps.redis, channelKeys(deps.keys, 'whatsapp')('lock'), this.timing.lockTtlMs);
    this.statusKey = channelKeys(deps.keys, 'whatsapp')('status');
    this.print = deps.print ?? printToTerminal;
    this.createClient = deps.createClient ?? realClientFactory;
    this.progress = new PartProgress(deps.redis, deps.keys, 'whatsapp');
  }

  status(): ChannelStatus {
    const s: ChannelStatus = { channel: 'whatsapp', state: this.state };
    if (this.detail) s.detail = this.detail;
    if (this.pairing) Object.defineProperty(s, 'pairing', { value: { ...this.pairing }, enumerable: false });
    return s;
  }

  /**
   * The channel's status as the process driving WhatsApp Web sees it, from any process: a web
   * process (HAVEN_ROLE=web) or a standing-by worker reads what the driving one shares in Redis.
   * A shared status counts only while its writer still holds the session lock.
   */
  async sharedStatus(): Promise<ChannelStatus> {
    if (this.holding) return this.status();
    const local = this.status();
    let owner: string | null | undefined;
    let raw: string | null | undefined;
    try {
      [owner, raw] = await this.deps.redis.mget(this.lock.key, this.statusKey);
    } catch (err) {
      return { ...local, detail: `cannot read WhatsApp's state from Redis: ${describe(err)}` };
    }
    let parsed: z.infer<typeof sharedStatus> | undefined;
    try {
      parsed = raw ? sharedStatus.parse(JSON.parse(raw)) : undefined;
    } catch {
      parsed = undefined;
    }
    if (owner && parsed && parsed.owner === owner) {
      const s: ChannelStatus = { channel: 'whatsapp', state: parsed.state };
      if (parsed.detail) s.detail = parsed.detail;
      if (parsed.pairing) Object.defineProperty(s, 'pairing', { value: parsed.pairing, enumerable: false });
      return s;
    }
    if (owner)
      return { channel: 'whatsapp', state: 'starting', detail: 'another Haven process is starting WhatsApp Web' };
    if (local.state !== 'stopped') return local;
    return {
      channel: 'whatsapp',
      state: 'down',
      detail:
        'no Haven worker process is running WhatsApp Web (it runs on one worker process with WHATSAPP_ENABLED=true)',
    };
  }

  /** Shares this process's status while it holds the session (expires with the lease if it dies). */
  private async share(): Promise<void> {
    if (!this.holding) return;
    const body: z.infer<typeof sharedStatus> = { owner: this.lock.owner, state: this.state };
    if (this.detail) body.detail = this.detail;
    if (this.pairing) body.pairing = { ...this.pairing };
    try {
      await this.deps.redis.set(this.statusKey, JSON.stringify(body), 'PX', this.timing.lockTtlMs);
    } catch (err) {
      this.deps.log.warn({ err: { message: describe(err) } }, 'could not share the WhatsApp status in Redis');
    }
  }

  async start(ctx: AdapterContext): Promise<void> {
    this.ctx = ctx;
    this.stopped = false;
    this.pending = new PendingAccepts({
      accept: (m) => ctx.accept(m),
      log: this.deps.log,
      max: this.timing.maxHeld,
      retryBaseMs: this.timing.acceptRetryBaseMs,
      retryMaxMs: this.timing.acceptRetryMaxMs,
    });
    if (!existsSync(this.config.executablePath)) {
      this.setState(
        'down',
        `Chromium not found at ${this.config.executablePath} (install it or set PUPPETEER_EXECUTABLE_PATH)`,
      );
      this.deps.log.error({ detail: this.detail }, 'WhatsApp channel cannot start; the other channels carry on');
      return;
    }
    this.setState('starting');
    await this.tryTakeSession();
  }

  /** Takes the session lock and drives the client, or stands by and tries again later. */
  private async tryTakeSession(): Promise<void> {
    if (this.stopped) return;
    let got: boolean;
    try {
      got = await this.lock.acquire();
    } catch (err) {
      this.setState('down', `cannot reach Redis to take the WhatsApp session lock: ${describe(err)}`);
      this.deps.log.warn({ detail: this.detail }, 'WhatsApp session lock unavailable; will try again');
      this.scheduleStandbyRetry();
      return;
    }
    if (this.stopped) {
      if (got) await this.lock.release().catch(() => undefined);
      return;
    }
    if (!got) {
      if (this.state !== 'standby')
        this.deps.log.info('another Haven process drives the WhatsApp session; this one is standing by');
      this.setState('standby', 'another Haven process drives the WhatsApp session');
      this.scheduleStandbyRetry();
      return;
    }
    this.holding = true;
    this.lastRenewedAt = Date.now();
    void this.share();
    this.deps.log.info('took the WhatsApp session lock; starting WhatsApp Web');
    this.renewTimer = setInterval(() => void this.renew(), this.timing.lockRenewMs);
    this.renewTimer.unref?.();
    await this.launch();
  }

  private scheduleStandbyRetry(): void {
    if (this.stopped || this.standbyTimer) return;
    this.standbyTimer = setTimeout(() => {
      this.standbyTimer = undefined;
      void this.tryTakeSession();
    }, this.timing.standbyRetryMs);
    this.standbyTimer.unref?.();
  }

  private async renew(): Promise<void> {
    if (!this.holding || this.stopped) return;
    let ours: boolean;
    try {
      ours = await this.lock.renew();
    } catch (err) {
      // Redis unreachable: keep going until the lease would have run out, then assume another took it.
      ours = Date.now() - this.lastRenewedAt < this.timing.lockTtlMs;
      this.deps.log.warn({ err: { message: describe(err) } }, 'could not renew the WhatsApp session lock');
    }
    if (ours) {
      this.lastRenewedAt = Date.now();
      await this.share();
      return;
    }
    if (!this.holding || this.stopped) return;
    this.deps.log.error('lost the WhatsApp session lock; closing this WhatsApp Web client and standing by');
    await this.letGo();
    this.setState('standby', 'lost the WhatsApp session lock to another Haven process');
    this.scheduleStandbyRetry();
  }

  /** Creates the client, wires its events and initialises it (failures leave the channel down, retrying). */
  private async launch(): Promise<void> {
    let client: ClientLike;
    try {
      client = await this.createClient({
        authPath: this.config.authPath,
        executablePath: this.config.executablePath,
        pairingNumber: this.config.pairingNumber,
      });
    } catch (err) {
      this.setState('down', `WhatsApp Web client could not be created: ${describe(err)}`);
      this.deps.log.error({ detail: this.detail }, 'WhatsApp channel down');
      this.scheduleReconnect();
      return;
    }
    if (this.stopped || !this.holding) {
      await client.destroy().catch(() => undefined);
      return;
    }
    this.client = client;
    this.wire(client);
    await this.initialize(client);
  }

  private async initialize(client: ClientLike): Promise<void> {
    try {
      await client.initialize();
    } catch (err) {
      if (this.stopped || this.client !== client) return;
      this.setState('down', `WhatsApp Web failed to start: ${describe(err)}`);
      this.deps.log.error({ detail: this.detail }, 'WhatsApp channel down; will try again');
      this.scheduleReconnect();
    }
  }

  private wire(client: ClientLike): void {
    const log = this.deps.log;
    client.on('qr', (qr) => {
      this.pairing = { ...this.pairing, qr };
      this.setState('needs_pairing', 'WhatsApp needs linking to the charity phone (QR code or pairing code)');
      log.info('WhatsApp needs pairing: a QR code is printed in the terminal and shown on the staff dashboard');
      void qrForTerminal(qr).then((art) => this.print(qrInstructions(art)));
      if (this.config.pairingNumber && !this.pairingRequested) {
        // Older whatsapp-web.js emitted `qr` even with a pairing number; ask for a code then.
        this.pairingRequested = true;
        client.requestPairingCode(this.config.pairingNumber).then(
          (code) => this.onCode(code),
          (err: unknown) => {
            this.pairingRequested = false;
            log.warn(
              { err: { message: describe(err) } },
              'WhatsApp pairing code request failed; the QR code still works',
            );
          },
        );
      }
    });
    client.on('code', (code) => this.onCode(code));
    client.on('authenticated', () => {
      this.pairing = undefined;
      this.setState('starting', 'authenticated; loading chats');
      log.info('WhatsApp authenticated');
    });
    client.on('auth_failure', (message) => {
      this.pairing = undefined;
      this.pairingRequested = false;
      this.setState('down', `WhatsApp refused the login: ${describe(message)} (staff need to link the phone again)`);
      log.error({ detail: this.detail }, 'WhatsApp authentication failed');
      this.scheduleReconnect();
    });
    client.on('ready', () => {
      this.pairing = undefined;
      this.pairingRequested = false;
      this.reconnectAttempt = 0;
      this.setState('ready');
      log.info('WhatsApp ready');
    });
    client.on('disconnected', (reason) => {
      this.pairingRequested = false;
      this.setState('down', `disconnected from WhatsApp: ${describe(reason)}`);
      log.warn({ detail: this.detail }, 'WhatsApp disconnected; reconnecting');
      this.scheduleReconnect();
    });
    client.on('message', (m) => this.onMessage(m));
  }

  private onCode(code: string): void {
    if (this.pairing?.code === code) return;
    this.pairing = { ...this.pairing, code };
    this.setState('needs_pairing', 'WhatsApp needs linking to the charity phone (QR code or pairing code)');
    this.deps.log.info('WhatsApp pairing code issued: printed in the terminal and shown on the staff dashboard');
    this.print(codeInstructions(code));
  }

  private onMessage(m: WhatsAppMessage): void {
    let result: ReturnType<typeof toInbound>;
    try {
      result = toInbound(m);
    } catch (err) {
      this.deps.log.warn({ err: { message: describe(err) } }, 'unreadable WhatsApp message ignored');
      return;
    }
    if (typeof result === 'string') {
      this.deps.log.debug({ reason: result, type: m.type }, 'WhatsApp message ignored');
      return;
    }
    void this.pending?.submit(result);
  }

  private scheduleReconnect(): void {
    if (this.stopped || !this.holding || this.reconnectTimer) return;
    const delayMs = Math.min(this.timing.reconnectBaseMs * 2 ** this.reconnectAttempt, this.timing.reconnectMaxMs);
    this.reconnectAttempt++;
    this.deps.log.info({ attempt: this.reconnectAttempt, delayMs }, 'WhatsApp reconnect scheduled');
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.reconnect();
    }, delayMs);
    this.reconnectTimer.unref?.();
  }

  private async reconnect(): Promise<void> {
    if (this.stopped || !this.holding) return;
    const client = this.client;
    if (!client) return this.launch();
    await client
      .destroy()
      .catch((err: unknown) =>
        this.deps.log.warn({ err: { message: describe(err) } }, 'closing the old WhatsApp Web client failed'),
      );
    if (this.stopped || this.client !== client) return;
    this.setState('starting', `reconnecting (attempt ${this.reconnectAttempt})`);
    await this.initialize(client);
  }

  /** Closes the client and gives up the lock (state is the caller's to set). */
  private async letGo(): Promise<void> {
    this.holding = false;
    clearInterval(this.renewTimer);
    clearTimeout(this.reconnectTimer);
    this.renewTimer = this.reconnectTimer = undefined;
    this.reconnectAttempt = 0;
    this.pairing = undefined;
    this.pairingRequested = false;
    const client = this.client;
    this.client = undefined;
    if (client) {
      client.removeAllListeners();
      await client
        .destroy()
        .catch((err: unknown) =>
          this.deps.log.warn({ err: { message: describe(err) } }, 'closing WhatsApp Web failed'),
        );
    }
  }

  /** WhatsApp Web has no messaging window (unlike the Cloud API), so the send context is not needed. */
  async send(to: ChannelAddress, message: OutboundMessage, _context?: SendContext): Promise<void> {
    const parsed = address.safeParse(to);
    if (!parsed.success) throw new PlatformRefusedError('not a WhatsApp chat address', 400, { permanent: true });
    const client = this.client;
    // Another worker process holds the session: the job goes back for it (not an attempt spent).
    if (this.state === 'standby') throw new DrivenElsewhereError('WhatsApp Web is driven by another Haven process');
    if (this.state !== 'ready' || !client) {
      throw new PlatformUnavailableError(`WhatsApp is not ready (${this.state})`);
    }
    // WhatsApp takes ~65k characters, but parts of at most 4,096 read better on a phone. A retry
    // after a failure on part 3 sends parts 3 onwards (shared with the Meta adapters).
    const chatId = parsed.data.chatId;
    const parts = splitText(withNumberedChoices(message), WHATSAPP_TEXT_LIMIT);
    const key = parts.length > 1 ? this.progress.key(`whatsapp:${chatId}`, parts) : undefined;
    const first = key ? await this.progress.done(key) : 0;
    for (let i = first; i < parts.length; i++) {
      try {
        await client.sendMessage(chatId, parts[i] as string);
      } catch (err) {
        throw new PlatformUnavailableError(`WhatsApp Web could not send: ${describe(err)}`, { cause: err });
      }
      if (key && i < parts.length - 1) await this.progress.mark(key, i + 1);
    }
    if (key) await this.progress.clear(key);
  }

  async stop(): Promise<void> {
    if (this.stopped && this.state === 'stopped') return;
    this.stopped = true;
    clearTimeout(this.standbyTimer);
    this.standbyTimer = undefined;
    const held = this.holding;
    await this.letGo();
    if (held) await this.lock.release().catch(() => undefined);
    const lost = (await this.pending?.stop()) ?? 0;
    if (lost) this.deps.log.error({ lost }, 'WhatsApp messages not stored before stopping were lost');
    this.setState('stopped');
  }

  private setState(state: ChannelStatus['state'], detail?: string): void {
    this.state = state;
    this.detail = detail;
    void this.share();
  }
}

/** Creates the WhatsApp Web channel (`WHATSAPP_ENABLED=true`). */
export function createWhatsAppWebAdapter(config: WhatsAppWebConfig, deps: WhatsAppWebDeps): WhatsAppWebAdapter {
  return new WhatsAppWebAdapter(config, deps);
}

/** A short, safe reason from whatever was thrown (whatsapp-web.js sometimes throws strings). */
function describe(err: unknown): string {
  const text = err instanceof Error ? err.message : typeof err === 'string' ? err : JSON.stringify(err);
  return (text ?? 'unknown error').split('\n')[0]!.slice(0, 200);
}
