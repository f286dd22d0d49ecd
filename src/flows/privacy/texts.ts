/** What the privacy flows say. Short, plain words; one idea a paragraph. */

/** Settings the privacy notice quotes. */
export interface PrivacyFacts {
  charityName: string;
  /** Conversation state is kept this long after the last message (STATE_TTL_DAYS). */
  stateDays: number;
  /** One-to-one requests are kept this long after they are closed (REQUEST_RETENTION_DAYS). */
  requestDays: number;
  /** "stop", "discreet" and when last seen are kept this long (PREFERENCES_TTL_DAYS). */
  preferencesDays: number;
  /** Group sign-ups are kept this long after the session (GROUP_RETENTION_DAYS); unset where groups are not run. */
  groupDays?: number;
  /** Chats with a youth worker (staff inbox threads) are kept this long after they end (CONVERSATION_RETENTION_DAYS). */
  conversationDays?: number;
}

/** "a year" for 365 days, else "N days". */
function forHowLong(days: number): string {
  return days === 365 ? 'a year' : `${days} days`;
}

export function optedOutText(hadFlow: boolean): string {
  return [
    `OK. I've stopped reminders and any other messages I'd send you on my own.${hadFlow ? " I've also stopped what we were doing." : ''}`,
    "I'll still answer when you message me. If you tell me you're not safe, I'll still help, and a youth worker may still message you.",
    'To turn reminders back on, send start.',
  ].join('\n\n');
}

export const OPTED_IN_TEXT = 'Welcome back 🙂 Reminders are on again.\n\nSend stop at any time to turn them off.';

export function privacyNotice(f: PrivacyFacts): string {
  return [
    'Your privacy, in short:',
    `• We keep what you write here so we can answer you, and delete our chat ${f.stateDays} days after your last message.`,
    '• A few things last longer: a request to talk to a youth worker, and a record if we were ever worried about your safety. Send "more" to see how long.',
    `• Only the youth workers at ${f.charityName} can read it.`,
    "• If we're worried you're not safe, we may need to tell someone who can help, like the person at our charity whose job is keeping young people safe. We'll try to talk to you about it first.",
  ].join('\n');
}

export function privacyMore(f: PrivacyFacts): string {
  return [
    'More about what we keep:',
    '• Your phone number or account is locked away (encrypted). Staff see a nickname code, not your number.',
    `• If you ask to talk to a youth worker, we keep that request until ${f.requestDays} days after it's closed.`,
    f.groupDays
      ? `• If you sign up for a group, we keep your place (your first name, and if you came) until ${f.groupDays} days after it.`
      : '',
    f.conversationDays
      ? `• If you chat with a youth worker here, we keep those messages until ${f.conversationDays} days after the chat ends, so they can read back.`
      : null,
    '• If we were worried about your safety, we keep a record of that for as long as the law and our safety rules say.',
    '• If you joined as a member, we keep your first name and who signed the form saying you could join, until you or a youth worker remove it.',
    `• We remember if you said "stop" or "discreet", and when you last messaged, for ${forHowLong(f.preferencesDays)}, so we keep to it. Nothing you wrote.`,
    '• Send "delete my data" to delete what we keep about you (but not a safety record).',
    '• Send "stop" to stop reminders, or "discreet" so my messages don\'t say who we are.',
    'You can ask a youth worker about any of this.',
  ]
    .filter(Boolean)
    .join('\n');
}

export const DISCREET_ON_TEXT =
  'Done. My messages will now start with a plain "Hi" and won\'t say who we are, so anyone who sees your screen won\'t know what they\'re about.\n\nSend "discreet off" to go back to normal.';

export const DISCREET_OFF_TEXT = 'OK, my messages are back to normal.\n\nSend "discreet" to turn it on again.';
