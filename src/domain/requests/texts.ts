import { MEETING_PLATFORM_NAMES } from '../../common/meeting';
import { twelveHourTime } from '../../common/zoned-time';
import type { OneToOneRequest, Session, WorkerPreference } from './types';

function parts(at: number, timeZone: string) {
  const p = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'long',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(at));
  const get = (t: string) => p.find((x) => x.type === t)?.value ?? '';
  return {
    date: `${get('weekday')} ${get('day')} ${get('month')}`,
    dayKey: `${get('year')}-${get('month')}-${get('day')}`,
    time: twelveHourTime(Number(get('hour')), Number(get('minute'))),
  };
}

/** "Tuesday 3 March at 4:30pm", in the charity's time zone. */
export function formatSessionTime(at: number, timeZone: string): string {
  const p = parts(at, timeZone);
  return `${p.date} at ${p.time}`;
}

/** How far off a session is, as a reminder says it: "in 15 minutes (4:30pm)", "tomorrow at 4:30pm". */
export function relativeSessionTime(at: number, now: number, timeZone: string): string {
  const minutes = Math.round((at - now) / 60_000);
  const p = parts(at, timeZone);
  if (minutes <= 1) return `now (${p.time})`;
  if (minutes < 60) return `in ${minutes} minutes (${p.time})`;
  if (p.dayKey === parts(now, timeZone).dayKey) return `today at ${p.time}`;
  if (p.dayKey === parts(now + 24 * 3600_000, timeZone).dayKey) return `tomorrow at ${p.time}`;
  return `on ${p.date} at ${p.time}`;
}

/** "Terry", "Terry and Ana", or "a youth worker". */
export function workerNames(names: string[]): string {
  if (!names.length) return 'a youth worker';
  return names.length === 1 ? (names[0] as string) : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** How a worker preference reads to a young person. */
export const WORKER_PREFERENCE_WORDS: Record<WorkerPreference, string> = {
  one: 'one youth worker',
  two: 'two youth workers',
  no_preference: "don't mind",
};

/** The message telling a young person their session is arranged (or moved), ending with the safety reminder. */
export function sessionConfirmation(
  r: OneToOneRequest,
  s: Session,
  timeZone: string,
  safety: string,
  opts: { moved?: boolean } = {},
): string {
  return [
    opts.moved
      ? `${r.memberName ? `${r.memberName}, your` : 'Your'} one-to-one has moved to a new time. Here it is now:`
      : `Good news${r.memberName ? `, ${r.memberName}` : ''}! Your one-to-one is booked 🙂`,
    `When: ${formatSessionTime(s.at, timeZone)}\nWhere: ${s.place}\nWho: ${workerNames(r.workersAssigned)}`,
    safety,
    'If you can’t make it, just send "cancel" or tell your youth worker.',
  ].join('\n\n');
}

/** A reminder before a session, ending with the safety reminder. */
export function sessionReminder(r: OneToOneRequest, s: Session, now: number, timeZone: string, safety: string): string {
  return [
    `Reminder: your one-to-one with ${workerNames(r.workersAssigned)} is ${relativeSessionTime(s.at, now, timeZone)}.\nWhere: ${s.place}`,
    safety,
  ].join('\n\n');
}

/** A short summary of a request for staff (no platform ids, no phone numbers). */
export function staffSummary(r: OneToOneRequest, timeZone: string): string {
  const lines = [
    `Meet by: ${MEETING_PLATFORM_NAMES[r.platform]}`,
    `When suits: ${r.when}`,
    `Youth workers: ${WORKER_PREFERENCE_WORDS[r.workers]}`,
  ];
  if (r.askedFor) lines.push(`Asked for: ${r.askedFor}`);
  if (r.note) lines.push(`They'd like you to know: ${r.note}`);
  if (r.session) lines.push(`Session: ${formatSessionTime(r.session.at, timeZone)}, ${r.session.place}`);
  return lines.join('\n');
}
