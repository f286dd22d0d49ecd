import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClientFactoryOptions, ClientLike, WhatsAppMessage } from '../../src/adapters/whatsapp-web';

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

// The adapter tests do not start a Haven: they take their helpers from tests/support/util.ts.
export { captureLogger, waitFor } from '../support/util';
