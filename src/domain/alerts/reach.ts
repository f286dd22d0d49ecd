import type { Redis } from 'ioredis';
import { IdentityVault } from '../../engine/identity';
import type { Keys } from '../../engine/keys';
import type { ChannelName } from '../../engine/message';

/** Channels that only let Haven write within 24 hours of the person's last message (staff notices have no tag). */
const WINDOWED: ReadonlySet<ChannelName> = new Set<ChannelName>(['messenger', 'whatsapp-cloud']);
const WINDOW_MS = 24 * 3600_000;

/**
 * Whether a staff chat identity can be told now: null when it can, else why not. Reads what the
 * sender would: the channel is set up, an address is stored (they have messaged Haven), and on
 * Messenger and WhatsApp Cloud their last message is under 24 hours old.
 */
export function chatReach(d: {
  channels: () => ReadonlySet<ChannelName>;
  vault: IdentityVault;
  redis: Redis;
  keys: Keys;
  now?: () => number;
}): (conversationId: string) => Promise<string | null> {
  return async (conversationId) => {
    const channel = IdentityVault.channelOf(conversationId);
    if (!d.channels().has(channel)) return `the ${channel} channel is not set up`;
    const [address, last] = await Promise.all([
      d.vault.getAddress(conversationId).catch(() => null),
      d.redis.get(d.keys.lastInbound(conversationId)),
    ]);
    if (!address) return 'they have never messaged Haven from it (or not for too long)';
    if (WINDOWED.has(channel) && (!last || (d.now ?? Date.now)() - Number(last) > WINDOW_MS))
      return `their last message is over 24 hours old, so ${channel} will not deliver it`;
    return null;
  };
}
