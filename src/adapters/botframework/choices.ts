import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { Keys } from '../../engine/keys';
import type { Choice } from '../../engine/message';
import { channelKeys } from '../kit/keys';

const stored = z.array(z.object({ title: z.string(), payload: z.string() }));

/** How long the buttons last offered to someone still map back to their payloads. */
const REMEMBER_SECONDS = 7 * 24 * 3600;

/**
 * The choices last offered in each conversation. Teams renders suggested actions only as
 * `imBack` buttons, which send the button's title as the person's own message; this maps such a
 * title back to its payload. Keys are hashes of the conversation, never the platform's ids.
 */
export class ChoiceMemory {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  /** A short, stable key for one person in one Bot Framework conversation. */
  static key(channelId: string, conversationId: string, userId: string): string {
    return createHash('sha256').update(`${channelId}\n${conversationId}\n${userId}`).digest('base64url').slice(0, 32);
  }

  async remember(key: string, choices: Choice[] | undefined): Promise<void> {
    const k = channelKeys(this.keys, 'botframework')('choices', key);
    if (!choices?.length) await this.redis.del(k);
    else await this.redis.set(k, JSON.stringify(choices), 'EX', REMEMBER_SECONDS);
  }

  /** The payload of the offered choice whose title is `text` (ignoring case and spacing), if any. */
  async match(key: string, text: string): Promise<Choice | undefined> {
    const raw = await this.redis.get(channelKeys(this.keys, 'botframework')('choices', key));
    if (!raw) return undefined;
    let parsed;
    try {
      parsed = stored.safeParse(JSON.parse(raw));
    } catch {
      return undefined;
    }
    if (!parsed.success) return undefined;
    const want = normaliseTitle(text);
    return parsed.data.find((c) => normaliseTitle(c.title) === want);
  }
}

function normaliseTitle(s: string): string {
  return s.replace(/\s+/g, ' ').trim().toLowerCase();
}
