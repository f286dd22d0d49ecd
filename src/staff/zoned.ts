import { wallClock } from '../common/zoned-time';

/**
 * The instant (ms) at which the wall clock in `timeZone` shows `date` (YYYY-MM-DD) and `time`
 * (HH:MM); NaN when they are not a real date and time.
 */
export function zonedTime(date: string, time: string, timeZone: string): number {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const t = /^(\d{2}):(\d{2})$/.exec(time);
  if (!d || !t) return NaN;
  const wall = Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]), Number(t[1]), Number(t[2]));
  const w = new Date(wall);
  if (w.getUTCMonth() !== Number(d[2]) - 1 || w.getUTCDate() !== Number(d[3]) || w.getUTCHours() !== Number(t[1]))
    return NaN;
  // Offset of the zone at a given instant, in ms (positive east of UTC), to the minute.
  const offset = (at: number) => {
    const c = wallClock(at, timeZone);
    return Date.UTC(c.year, c.month - 1, c.day, c.hour, c.minute) - Math.floor(at / 60_000) * 60_000;
  };
  let at = wall - offset(wall);
  at = wall - offset(at);
  return at;
}
