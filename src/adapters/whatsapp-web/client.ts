import type { Client, ClientOptions, Message } from 'whatsapp-web.js';

/**
 * The members of whatsapp-web.js's `Client` this adapter uses, and nothing else, typed from the
 * library's own `index.d.ts`. Tests pass an EventEmitter that has these members; the compile-time
 * check at the bottom of this file proves the real `Client` satisfies it.
 */
export interface ClientLike {
  on(event: 'qr', listener: (qr: string) => void): unknown;
  /** whatsapp-web.js ≥ 1.26: a pairing code (when `pairWithPhoneNumber` is set, or after `requestPairingCode`). */
  on(event: 'code', listener: (code: string) => void): unknown;
  on(event: 'authenticated', listener: () => void): unknown;
  on(event: 'auth_failure', listener: (message: string) => void): unknown;
  on(event: 'ready', listener: () => void): unknown;
  on(event: 'disconnected', listener: (reason: string) => void): unknown;
  on(event: 'message', listener: (message: WhatsAppMessage) => void): unknown;
  removeAllListeners(): unknown;
  initialize: Client['initialize'];
  destroy: Client['destroy'];
  requestPairingCode: Client['requestPairingCode'];
  /** Only text is ever sent (no media, buttons or lists: web clients cannot send those). */
  sendMessage(chatId: string, content: string): Promise<unknown>;
}

/**
 * The fields of a whatsapp-web.js `Message` the adapter reads. `type` is widened to a string
 * because WhatsApp Web adds types faster than the library's enum lists them.
 */
export interface WhatsAppMessage {
  id: Pick<Message['id'], '_serialized'>;
  from: Message['from'];
  body: Message['body'];
  fromMe: Message['fromMe'];
  type: string;
  hasMedia: Message['hasMedia'];
  isStatus?: Message['isStatus'];
  broadcast?: Message['broadcast'];
  /** Seconds since the epoch. */
  timestamp: Message['timestamp'];
}

/** What the adapter asks a {@link ClientFactory} for. */
export interface ClientFactoryOptions {
  /** LocalAuth's data path (`WHATSAPP_AUTH_PATH`): keeps the linked-device session across restarts. */
  authPath: string;
  /** The Chromium puppeteer launches (`PUPPETEER_EXECUTABLE_PATH`). */
  executablePath: string;
  /** When set, pair by phone-number code instead of QR. */
  pairingNumber?: string;
}

/** Makes the client; tests pass one that returns a fake. */
export type ClientFactory = (opts: ClientFactoryOptions) => ClientLike | Promise<ClientLike>;

/**
 * Chromium flags for a container: no sandbox (containers seldom allow user namespaces; the page is
 * only ever WhatsApp Web), /tmp instead of a small /dev/shm, no GPU, nothing in the background.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-setuid-sandbox',
  '--disable-dev-shm-usage',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-extensions',
  '--disable-default-apps',
  '--disable-sync',
  '--no-first-run',
  '--no-default-browser-check',
  '--mute-audio',
];

/** whatsapp-web.js's options for Haven: LocalAuth, headless container-safe Chromium, optional pairing number. */
export function clientOptions(opts: ClientFactoryOptions, LocalAuth: typeof import('whatsapp-web.js').LocalAuth) {
  const options: ClientOptions = {
    authStrategy: new LocalAuth({ dataPath: opts.authPath }),
    puppeteer: { executablePath: opts.executablePath, headless: true, args: CHROMIUM_ARGS },
  };
  if (opts.pairingNumber) options.pairWithPhoneNumber = { phoneNumber: opts.pairingNumber, showNotification: true };
  return options;
}

/**
 * The real client. whatsapp-web.js (and puppeteer under it) is loaded only here, so a Haven
 * without WhatsApp never loads it.
 */
export const realClientFactory: ClientFactory = async (opts) => {
  // Loaded as CommonJS by the compiled build but as ESM-wrapped CommonJS under tsx, where only
  // some names come through as named exports: take the module.exports object either way.
  const mod = (await import('whatsapp-web.js')) as typeof import('whatsapp-web.js') & {
    default?: typeof import('whatsapp-web.js');
  };
  const { Client, LocalAuth } = mod.default ?? mod;
  return new Client(clientOptions(opts, LocalAuth));
};

// Compile-time proof that the library's own types fit the narrow ones above.
export type _ClientFits = Client extends ClientLike ? true : never;
export type _MessageFits = Message extends WhatsAppMessage ? true : never;
const _clientFits: _ClientFits = true;
const _messageFits: _MessageFits = true;
void _clientFits;
void _messageFits;
