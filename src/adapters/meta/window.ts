/** One day in ms. */
export const DAY_MS = 24 * 3600 * 1000;

/** Hours since `at` (ms since epoch); Infinity when unknown. */
export function hoursSince(at: number | undefined, now = Date.now()): number {
  return at === undefined ? Infinity : (now - at) / 3600_000;
}
