import { randomUUID } from 'node:crypto';
import { webchatClientKey } from '../../src/adapters/webchat';
import type { Haven } from '../../src/main';
import { waitFor } from './haven';

/** One reply as the web chat stores it. */
export interface WebReply {
  seq: number;
  text: string;
  choices?: { title: string; payload: string }[];
}

/**
 * A person on the web chat, driving a running Haven through its public HTTP API:
 * `await p.say('hi'); await p.expectReply(/Haven/)`.
 */
export class WebchatPerson {
  readonly clientId = randomUUID();
  private seen = 0;

  constructor(private readonly haven: Haven) {}

  async say(text: string, payload?: string): Promise<Response> {
    const res = await fetch(`${this.haven.url}/chat/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ clientId: this.clientId, id: randomUUID(), text, payload }),
    });
    if (res.status !== 202) throw new Error(`web chat refused the message: ${res.status} ${await res.text()}`);
    return res;
  }

  /** Every reply so far. */
  async replies(): Promise<WebReply[]> {
    const raw = await this.haven.redis.lrange(this.haven.keys.webchatOutbox(webchatClientKey(this.clientId)), 0, -1);
    return raw.map((r) => JSON.parse(r) as WebReply);
  }

  /** Waits for the next reply not yet seen that matches, and returns it. */
  async expectReply(pattern: RegExp, ms = 5000): Promise<WebReply> {
    const found = await waitFor(
      async () => (await this.replies()).find((r) => r.seq > this.seen && pattern.test(r.text)),
      ms,
      `a reply matching ${pattern}`,
    );
    this.seen = found.seq;
    return found;
  }
}
