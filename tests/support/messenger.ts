import { createHmac, randomBytes } from 'node:crypto';
import type { StubServer } from './haven';
import { waitFor } from './util';

/**
 * A Messenger webhook body holding one text message, in Meta's documented shape; with `payload`,
 * the message is a tap on a quick reply carrying that payload.
 */
export function messengerText(psid: string, mid: string, text: string, payload?: string): string {
  const message = payload ? { mid, text, quick_reply: { payload } } : { mid, text };
  return JSON.stringify({
    object: 'page',
    entry: [
      {
        id: 'PAGE',
        time: Date.now(),
        messaging: [{ sender: { id: psid }, recipient: { id: 'PAGE' }, timestamp: Date.now(), message }],
      },
    ],
  });
}

/** POSTs a webhook body to Haven's Messenger route, signed as Meta signs it (X-Hub-Signature-256). */
export function postSignedMessenger(havenUrl: string, body: string, appSecret: string): Promise<Response> {
  return fetch(`${havenUrl}/webhooks/messenger`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-hub-signature-256': `sha256=${createHmac('sha256', appSecret).update(body).digest('hex')}`,
    },
    body,
  });
}

/** One message Haven sent through the Send API, as the Graph stand-in received it. */
interface SentMessage {
  recipient: { id: string };
  message?: { text: string; quick_replies?: { title: string; payload: string }[] };
}

/** Where a {@link messengerPerson} talks to Haven and reads its replies. */
export interface MessengerPersonOptions {
  /** The loopback stand-in for the Graph API that Haven's MESSENGER_API_URL points at. */
  graph: StubServer;
  /** Haven's base URL. */
  havenUrl: string;
  /** MESSENGER_APP_SECRET, to sign the webhooks. */
  appSecret: string;
  /** How long `expect` waits for a reply unless told (a guard against a hang, not a timing claim). */
  expectMs: number;
}

/**
 * One young person on Messenger with a new page-scoped id: messages go in through signed webhooks,
 * replies are read where Haven sent them (the Graph stand-in), each read once, in order.
 */
export function messengerPerson({ graph, havenUrl, appSecret, expectMs }: MessengerPersonOptions) {
  const psid = `7${randomBytes(7).readUIntBE(0, 6)}`;
  let seen = 0;
  const sent = () =>
    graph.requests
      .filter((r) => r.url.startsWith('/me/messages'))
      .map((r) => r.json as SentMessage)
      .filter((m) => m.recipient.id === psid && m.message);
  /** Sends `text` (with `payload`, as a tap on a quick reply); Haven must take the webhook. */
  const say = async (text: string, payload?: string) => {
    const body = messengerText(psid, `m_${randomBytes(8).toString('hex')}`, text, payload);
    const res = await postSignedMessenger(havenUrl, body, appSecret);
    expect(res.status).toBe(200);
  };
  return {
    say,
    /** The next reply matching `pattern`, with its quick replies. */
    async expect(pattern: RegExp, ms = expectMs) {
      const found = await waitFor(
        () =>
          sent()
            .slice(seen)
            .find((m) => pattern.test(m.message!.text)),
        ms,
        `a Messenger reply matching ${pattern}`,
      );
      seen = sent().indexOf(found) + 1;
      return found.message!;
    },
    /** Every text sent to this person so far. */
    all: () => sent().map((m) => m.message!.text),
    /**
     * Taps the quick reply (of the last message offering any) whose title is `title`, or matches it
     * when it is a pattern.
     */
    async tap(title: string | RegExp) {
      const offered = [...sent()].reverse().find((m) => m.message?.quick_replies?.length)?.message?.quick_replies ?? [];
      const choice = offered.find((q) => (typeof title === 'string' ? q.title === title : title.test(q.title)));
      if (!choice) {
        const wanted = typeof title === 'string' ? `"${title}"` : String(title);
        throw new Error(`no quick reply ${wanted} in ${offered.map((q) => q.title).join(', ')}`);
      }
      await say(choice.title, choice.payload);
    },
  };
}
