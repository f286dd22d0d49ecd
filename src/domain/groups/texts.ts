import { formatSessionTime, relativeSessionTime, workerNames } from '../requests/texts';
import type { GroupSession } from './types';

/**
 * The words young people get before a group session, from the staff-edited group content
 * (flows/groups/content.json): already joined into plain text, one block each.
 */
export interface GroupWords {
  /** The online-safety talk: it is live, share nothing personal, strangers, where you are, who to tell. */
  safetyTalk: string;
  /** What we expect of everyone in the group. */
  expectations: string;
  /** The note for a group's first session: ground rules are set together. */
  groundRules: string;
  /** Said with the link: only join with it, never share it. */
  linkNote: string;
}

/** "Tuesday 3 March at 4:30pm, for an hour". */
export function whenText(s: GroupSession, timeZone: string): string {
  return `${formatSessionTime(s.at, timeZone)}, for ${duration(s.minutes)}`;
}

function duration(minutes: number): string {
  if (minutes === 60) return 'an hour';
  if (minutes % 60 === 0) return `${minutes / 60} hours`;
  if (minutes > 60) return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
  return `${minutes} minutes`;
}

/** "for ages 11 to 14", or empty. */
export function agesText(s: Pick<GroupSession, 'ageMin' | 'ageMax'>): string {
  if (s.ageMin && s.ageMax) return `for ages ${s.ageMin} to ${s.ageMax}`;
  if (s.ageMin) return `for ages ${s.ageMin} and up`;
  if (s.ageMax) return `for ages up to ${s.ageMax}`;
  return '';
}

/** A session as a young person reads it: title, description, when, who, places. */
export function sessionDetails(s: GroupSession, timeZone: string, placesLeft?: number): string {
  const ages = agesText(s);
  return [
    `${s.title}${ages ? ` (${ages})` : ''}`,
    s.description,
    `When: ${whenText(s, timeZone)}, on Zoom`,
    `Led by: ${workerNames(s.workers.map((w) => w.name))}`,
    placesLeft === undefined ? '' : placesLeft > 0 ? `Places left: ${placesLeft}` : 'It’s full right now.',
  ]
    .filter(Boolean)
    .join('\n');
}

/** Told on getting a place (signing up, or promoted from the waiting list). */
export function bookedText(
  s: GroupSession,
  name: string,
  timeZone: string,
  linkMinutes: number,
  words: GroupWords,
  opts: { promoted?: boolean; optedOut?: boolean } = {},
): string {
  const lead = opts.promoted
    ? `Good news, ${name}! A place came free on ${s.title}, and it's yours 🙂`
    : `You're booked on ${s.title}, ${name} 🙂`;
  const link = opts.optedOut
    ? `You said "stop", so I won't send reminders. To get the Zoom link, send "my groups" in the ${linkMinutes} minutes before it starts.`
    : `I'll send you the Zoom link ${linkMinutes} minutes before it starts (not before, to keep it safe).`;
  return [
    lead,
    `When: ${whenText(s, timeZone)}\nLed by: ${workerNames(s.workers.map((w) => w.name))}`,
    s.firstSession ? words.groundRules : '',
    link,
    'If you can’t come, send "my groups" and cancel your place, so someone on the waiting list can have it.',
  ]
    .filter(Boolean)
    .join('\n\n');
}

/** The safety talk and the expectations, sent after a place is booked. */
export function beforeYouJoinText(words: GroupWords): string {
  return `${words.safetyTalk}\n\n${words.expectations}`;
}

/** Told on going on the waiting list. */
export function waitingText(s: GroupSession, position: number | null): string {
  return [
    `${s.title} is full, so you're on the waiting list${position ? `: number ${position}` : ''}.`,
    "If a place comes free, the first person on the list gets it, and I'll tell you straight away.",
  ].join(' ');
}

/** The link, shortly before the start (or a reminder that carries it). */
export function linkText(s: GroupSession, now: number, timeZone: string, words: GroupWords): string {
  return [
    `${s.title} starts ${relativeSessionTime(s.at, now, timeZone)}. Here's the Zoom link:\n${s.link}`,
    words.linkNote,
    s.firstSession ? words.groundRules : '',
    words.safetyTalk,
  ]
    .filter(Boolean)
    .join('\n\n');
}

/** A reminder well before the start (no link yet). */
export function reminderText(
  s: GroupSession,
  now: number,
  timeZone: string,
  linkMinutes: number,
  words: GroupWords,
): string {
  return [
    `Reminder: ${s.title} is ${relativeSessionTime(s.at, now, timeZone)}, with ${workerNames(s.workers.map((w) => w.name))}.`,
    s.firstSession ? words.groundRules : '',
    `I'll send the Zoom link ${linkMinutes} minutes before it starts. If you can't come, send "my groups" to cancel your place.`,
  ]
    .filter(Boolean)
    .join('\n\n');
}

/** Told when staff move a session. */
export function movedText(s: GroupSession, status: 'booked' | 'waiting', timeZone: string): string {
  return [
    `${s.title} has moved to a new time. Here it is now:\nWhen: ${whenText(s, timeZone)}`,
    status === 'waiting' ? "You're still on the waiting list." : 'Your place is kept.',
    'If the new time doesn’t suit you, send "my groups" to cancel your place.',
  ].join('\n\n');
}

/** Told when staff cancel a session. */
export function cancelledText(s: GroupSession, timeZone: string): string {
  return [
    `Sorry, ${s.title} on ${formatSessionTime(s.at, timeZone)} has been cancelled.`,
    'Send "groups" to see what else is on.',
  ].join('\n\n');
}
