import { plainSaid } from '../shared/said';
import type { MeetingPlatform } from '../../common/meeting';
import type { WorkerPreference } from '../../domain/requests/types';

const NOT_A_NAME = new Set([
  'you',
  'u',
  'me',
  'my',
  'your',
  'him',
  'her',
  'them',
  'it',
  'people',
  'anyone',
  'everyone',
  'mum',
  'mom',
  'dad',
  'friends',
  'someone',
  'somebody',
  'anybody',
  'a',
  'an',
  'the',
  'youth',
  'staff',
  'haven',
]);

const WISH: RegExp[] = [
  /(^|[^\d])(1\s*[:-]\s*1|1 ?(to|2|on) ?1|121)([^\d]|$)/,
  /\bone[\s-]*(to|2|on)[\s-]*one\b/,
  /\b(talk|speak|chat)\s+(to|with|2)\s+(some ?one|some ?body|a (youth )?worker|(a |the |my )?youth workers?|a person|a real person|a human|staff|an adult)\b/,
  /\b(see|meet)\s+(a|my)\s+youth\s+worker\b/,
  /\bbook\s+(a\s+|an\s+)?(session|chat|call|meeting|appointment)\b/,
];
const ASK_FOR = /\b(?:can|could|may)\s+i\s+(?:talk|speak|chat)\s+(?:to|with|2)\s+([a-z][a-z'-]{1,30})\b/i;

/**
 * True when someone asks, in their own words, to talk to a youth worker: "can I talk to
 * someone", "1:1", "one to one", "121", "speak to a youth worker", "can I chat to Terry",
 * "can i book a one to one".
 */
export function isOneToOneWish(text: string): boolean {
  const said = plainSaid(text);
  return WISH.some((re) => re.test(said)) || askedFor(text) !== undefined;
}

/** The youth worker asked for by name ("can I chat to Terry" → "Terry"), if any. */
export function askedFor(text: string): string | undefined {
  const m = ASK_FOR.exec(text);
  const name = m?.[1];
  if (!name || NOT_A_NAME.has(name.toLowerCase())) return undefined;
  return name[0]!.toUpperCase() + name.slice(1);
}

/** A meeting platform named in free text, if any. */
export function platformIn(said: string): MeetingPlatform | undefined {
  if (/whats ?app|\bwa\b/.test(said)) return 'whatsapp';
  if (/messenger|facebook|\bfb\b/.test(said)) return 'messenger';
  if (/skype|teams/.test(said)) return 'teams';
  if (/zoom/.test(said)) return 'zoom';
  if (/phone|call|ring|mobile/.test(said)) return 'phone';
  return undefined;
}

/** A worker preference in free text, if any. */
export function workersIn(said: string): WorkerPreference | undefined {
  if (/\b(two|2|both)\b/.test(said)) return 'two';
  if (/(don'?t|do not|dont) mind|no pref|either|any|whatever|not sure|don'?t care|idk|dunno/.test(said))
    return 'no_preference';
  if (/\b(one|1|just one|single)\b/.test(said)) return 'one';
  return undefined;
}

export const STATUS =
  /^(status|my request|request status|where am i( in the queue)?|queue|any news|what'?s happening( with my request)?)$/;
export const CANCEL =
  /^(cancel|cancel (it|that|my request|the request|request|my one to one|my 1:1|my session)|stop (it|that|asking)|never ?mind|forget it|i don'?t want (it|to) anymore)$/;
export const CHANGE = /^(change|change (it|something|my answers?|my request|the request)|edit|edit my request)$/;
export const YES =
  /^(yes|y|yeah|yea|yep|yup|ok|okay|sure|send|send it|yes please|yes send it|go|go ahead|correct|that'?s right|right)$/;
export const SKIP = /^(skip|no|nope|nah|no thanks|no thank you|nothing|none|not really|n\/a|na)$/;
