import type { Keys } from '../../engine/keys';

/** Every Redis key of the staff inbox (conversations, threads, read marks). No other module reads these. */
export function conversationKeys(keys: Keys): (...parts: string[]) => string {
  return (...parts) => keys.custom('conv', ...parts);
}
