import type { Keys } from '../../engine/keys';

/**
 * A channel's own Redis keys, namespaced by its name (`<prefix>:<channel>:...`): a channel builds
 * every key it keeps (choices offered, send progress, session lock) through this, and reads no
 * other channel's.
 */
export function channelKeys(keys: Keys, channel: string): (...parts: string[]) => string {
  return (...parts) => keys.custom(channel, ...parts);
}
