/**
 * Does a session time fit what the young person said suits them ("after school on Tuesday",
 * "weekends", "not Mondays")? Plain reading of the common phrasings: days, parts of the day and
 * "after 5" / "before 4pm". Anything it cannot read is not held against the time. Also flags any
 * time outside 8am to 9pm, which no young person should be booked at.
 */
import { twelveHourTime } from '../../common/zoned-time';

const DAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'] as const;
const DAY_WORDS: Array<[RegExp, number[]]> = [
  [/\b(sun|sunday|sundays)\b/, [0]],
  [/\b(mon|monday|mondays)\b/, [1]],
  [/\b(tue|tues|tuesday|tuesdays)\b/, [2]],
  [/\b(wed|weds|wednesday|wednesdays)\b/, [3]],
  [/\b(thu|thur|thurs|thursday|thursdays)\b/, [4]],
  [/\b(fri|friday|fridays)\b/, [5]],
  [/\b(sat|saturday|saturdays)\b/, [6]],
  [/\b(weekends?)\b/, [0, 6]],
  [/\b(weekdays?|school days?|school nights?)\b/, [1, 2, 3, 4, 5]],
];
const PARTS: Array<[RegExp, [number, number], string]> = [
  [/\bmornings?\b/, [6 * 60, 12 * 60], 'the morning'],
  [/\blunch ?(time)?\b/, [11 * 60 + 30, 14 * 60], 'lunchtime'],
  [/\bafternoons?\b/, [12 * 60, 17 * 60 + 30], 'the afternoon'],
  [/\bafter school\b/, [15 * 60, 19 * 60 + 30], 'after school'],
  [/\b(evenings?|after tea|after dinner|tonight|nights?)\b/, [17 * 60, 21 * 60 + 30], 'the evening'],
];

/** Earliest and latest a session may start without a warning (local time, minutes). */
const EARLIEST = 8 * 60;
const LATEST = 21 * 60;

function hourOf(n: string, ampm: string | undefined): number {
  let h = Number(n);
  if (ampm === 'pm' && h < 12) h += 12;
  else if (ampm === 'am' && h === 12) h = 0;
  // "after 5" from a young person means 5pm.
  else if (!ampm && h >= 1 && h <= 7) h += 12;
  return h;
}

function local(at: number, timeZone: string): { day: number; minutes: number; label: string } {
  const p = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'long',
    hour: 'numeric',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(at));
  const get = (t: string) => p.find((x) => x.type === t)?.value ?? '';
  const hour = Number(get('hour'));
  const minute = Number(get('minute'));
  const day = DAYS.indexOf(get('weekday').toLowerCase() as (typeof DAYS)[number]);
  return {
    day,
    minutes: hour * 60 + minute,
    label: `${get('weekday')} at ${twelveHourTime(hour, minute)}`,
  };
}

/** Warnings, in staff's words, for booking a session at `at` for someone who said `when` suits; [] when it fits. */
export function sessionWarnings(when: string, at: number, timeZone: string): string[] {
  const said = when.toLowerCase().replace(/[’']/g, '');
  const t = local(at, timeZone);
  const out: string[] = [];
  if (t.minutes < EARLIEST || t.minutes > LATEST)
    out.push(`${t.label} is outside 8am to 9pm. Is that the time you meant?`);
  if (/\b(any ?time|any day|whenever|dont mind|do not mind|not sure|idk|any)\b/.test(said) && !/\bnot\b/.test(said))
    return out;

  const allowed = new Set<number>();
  const excluded = new Set<number>();
  for (const [re, days] of DAY_WORDS) {
    const negated = new RegExp(
      `\\b(not|except|apart from|but not|no|never|cant do|cannot do|cant make)\\s+(on\\s+)?${re.source.slice(2, -2)}\\b`,
    );
    if (negated.test(said)) days.forEach((d) => excluded.add(d));
    else if (re.test(said)) days.forEach((d) => allowed.add(d));
  }
  const dayName = DAYS[t.day] ?? '';
  const dayWord = dayName.charAt(0).toUpperCase() + dayName.slice(1);
  if (excluded.has(t.day)) out.push(`They said "${when}", and this is a ${dayWord}.`);
  else if (allowed.size && !allowed.has(t.day)) out.push(`They said "${when}", and this is a ${dayWord}.`);

  const windows: Array<[number, number]> = [];
  for (const [re, win] of PARTS) if (re.test(said)) windows.push(win);
  for (const m of said.matchAll(/\b(after|from|before|by|at|around|about)\s+(\d{1,2})(?::(\d{2}))?\s*(am|pm)?\b/g)) {
    const h = hourOf(m[2] as string, m[4]) * 60 + Number(m[3] ?? 0);
    if (m[1] === 'after' || m[1] === 'from') windows.push([h, 22 * 60]);
    else if (m[1] === 'before' || m[1] === 'by') windows.push([EARLIEST, h]);
    else windows.push([h - 60, h + 60]);
  }
  for (const m of said.matchAll(/(?:^|[^\w:])(\d{1,2})(?::(\d{2}))?\s*(am|pm)\b/g)) {
    const before = said.slice(0, m.index ?? 0);
    if (/\b(after|from|before|by|at|around|about)\s*$/.test(before)) continue;
    const h = hourOf(m[1] as string, m[3]) * 60 + Number(m[2] ?? 0);
    windows.push([h - 60, h + 60]);
  }
  if (windows.length && !windows.some(([a, b]) => t.minutes >= a && t.minutes <= b))
    out.push(`They said "${when}", and this is ${t.label}.`);
  return [...new Set(out)];
}
