import type { ConversationState } from '../../engine/state';

/** Keys in `state.sent` for each kind of online-safety reminder. */
export const SAFETY_SENT = {
  welcome: 'safety.welcome',
  full: 'safety.full',
  refresher: 'safety.refresher',
} as const;
export type SafetySentKind = (typeof SAFETY_SENT)[keyof typeof SAFETY_SENT];

const DAY_MS = 24 * 3600 * 1000;

/** True when any of these kinds was sent in the 24 hours before `now`. */
export function sentWithinDay(state: ConversationState, kinds: SafetySentKind[], now: number): boolean {
  return kinds.some((k) => {
    const at = state.sent[k];
    return at !== undefined && now - at < DAY_MS && now >= at;
  });
}

/** Records that a kind was sent now. */
export function markSent(state: ConversationState, kind: SafetySentKind, now: number): void {
  state.sent[kind] = now;
}

/**
 * The short reminder goes with a welcome to someone who has had neither it nor the whole list,
 * and never within a day of another safety reminder.
 */
export function welcomeReminderDue(state: ConversationState, now: number): boolean {
  if (state.sent[SAFETY_SENT.welcome] !== undefined || state.sent[SAFETY_SENT.full] !== undefined) return false;
  return !sentWithinDay(state, [SAFETY_SENT.refresher], now);
}

/**
 * A refresher is due for someone not seen for `days` (by `state.previousSeenAt`), at most once
 * in that period, never within a day of any safety reminder, and never after they opted out.
 */
export function refresherDue(state: ConversationState, now: number, days: number): boolean {
  if (state.optedOut || state.previousSeenAt === undefined) return false;
  const period = days * DAY_MS;
  if (now - state.previousSeenAt < period) return false;
  const last = state.sent[SAFETY_SENT.refresher];
  if (last !== undefined && now - last < period) return false;
  return !sentWithinDay(state, Object.values(SAFETY_SENT), now);
}
