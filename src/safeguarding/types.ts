/** Safeguarding categories (shared/INTERFACE.md); more may be added. */
export const CATEGORIES = [
  'suicide',
  'self_harm',
  'abuse_physical',
  'abuse_sexual',
  'grooming_online',
  'exploitation',
  'neglect_danger',
  'domestic_abuse',
  'bullying_threat',
  'running_away',
  'forced_marriage_fgm',
  'radicalisation',
] as const;
export type Category = (typeof CATEGORIES)[number];

/** `urgent`: act now (a plan or means for tonight, someone not waking); `high`; `medium`. */
export const SEVERITIES = ['urgent', 'high', 'medium'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** What the screen decided about one message. Exactly the JSON shape `haven screen` prints. */
export interface ScreenResult {
  alert: boolean;
  category: Category | null;
  severity: Severity | null;
  /** The lexicon entries that matched (entry terms, never the young person's own words). */
  matched: string[];
}

/** A pure, synchronous safeguarding screen. */
export interface Screen {
  screen(text: string): ScreenResult;
}

/** Longest text the screen reads; the rest is ignored (and inbound messages are capped at this). */
export const MAX_SCREEN_CHARS = 4096;
