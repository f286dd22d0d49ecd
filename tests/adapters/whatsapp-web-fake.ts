import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { ClientFactoryOptions, ClientLike, WhatsAppMessage } from '../../src/adapters/whatsapp';
import { createLogger, type Logger } from '../../src/core/logger';

/**
 * A stand-in for whatsapp-web.js's `Client`: an EventEmitter with the members Haven uses, recording
 * every call. Tests emit the library's events on it (`qr`, `ready`, `message` ...).
 */
export class FakeClient extends EventEmitter implements ClientLike {
  initializeCalls = 0;
  destroyCalls = 0;
  readonly sent: { chatId: string; text: string }[] = [];
  readonly pairingRequests: string[] = [];
  /** Thrown by the next `initialize()` calls while set (whatsapp-web.js sometimes throws strings). */
  initializeError?: unknown;
  /** Thrown by `sendMessage` while set. */
  sendError?: unknown;
  pairingCode = 'K7QX2MPL';

  constructor(readonly options: ClientFactoryOptions) {
    super();
  }

  async initialize(): Promise<void> {
    this.initializeCalls++;
    if (this.initializeError !== undefined) throw this.initializeError;
  }

  async destroy(): Promise<void> {
    this.destroyCalls++;
  }

  async requestPairingCode(phoneNumber: string): Promise<string> {
    this.pairingRequests.push(phoneNumber);
    return this.pairingCode;
  }

  async sendMessage(chatId: string, content: string): Promise<unknown> {
    if (this.sendError !== undefined) throw this.sendError;
    this.sent.push({ chatId, text: content });
    return { id: { _serialized: `true_${chatId}_${this.sent.length}` } };
  }
}

/** A factory that records the clients it made. */
export function fakeFactory(): { create: (o: ClientFactoryOptions) => FakeClient; clients: FakeClient[] } {
  const clients: FakeClient[] = [];
  return {
    clients,
    create: (o) => {
      const c = new FakeClient(o);
      clients.push(c);
      return c;
    },
  };
}

/** A message fixture (tests/fixtures/whatsapp/NAME.json) in whatsapp-web.js's `Message` shape. */
export function fixture(name: string, patch: Partial<WhatsAppMessage> = {}): WhatsAppMessage {
  const raw = JSON.parse(
    readFileSync(join(__dirname, '../fixtures/whatsapp', `${name}.json`), 'utf8'),
  ) as WhatsAppMessage;
  return { ...raw, ...patch };
}

/** The same fixture with a fresh message id (so dedupe does not fold it). */
export function fixtureWithId(name: string, suffix: string, patch: Partial<WhatsAppMessage> = {}): WhatsAppMessage {
  const m = fixture(name, patch);
  return { ...m, id: { ...m.id, _serialized: `${m.id._serialized}${suffix}` } };
}

// The adapter tests do not start a Haven, so they do not load tests/support/haven.ts (and with it
// src/main.ts); these are the few helpers they need from it.

/** A logger whose every line is kept in `lines`. */
export function captureLogger(level = 'debug'): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      cb();
    },
  });
  return { logger: createLogger({ level, pretty: false, destination }), lines };
}

/** Polls until `check` returns a truthy value, or fails after `ms`. */
export async function waitFor<T>(check: () => T | Promise<T>, ms = 5000, what = 'condition'): Promise<NonNullable<T>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
