import type { Alert, AlertEvent } from './store';

/**
 * An instant as ISO 8601 with the UTC offset it had in `timeZone`, e.g.
 * `2026-07-01T10:00:00.000+01:00` in Europe/London in summer (`+00:00` in winter).
 */
export function isoWithOffset(ms: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(ms));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const wall = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  const offsetMinutes = Math.round((wall - Math.floor(ms / 1000) * 1000) / 60_000);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const millis = ((ms % 1000) + 1000) % 1000;
  return `${pad(get('year'), 4)}-${pad(get('month'))}-${pad(get('day'))}T${pad(get('hour'))}:${pad(get('minute'))}:${pad(get('second'))}.${pad(millis, 3)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** One alert as exported: every time as ISO 8601 with the charity's offset, never epoch milliseconds. */
export type ExportedAlert = Omit<Alert, 'createdAt' | 'acknowledgedAt'> & {
  createdAt: string;
  acknowledgedAt?: string;
  history: Array<Omit<AlertEvent, 'at'> & { at: string }>;
};

/** An alert and its record, for `haven alerts export` and the dashboard's export. */
export function exportAlert(a: Alert & { history: AlertEvent[] }, timeZone: string): ExportedAlert {
  const { createdAt, acknowledgedAt, history, ...rest } = a;
  return {
    ...rest,
    createdAt: isoWithOffset(createdAt, timeZone),
    ...(acknowledgedAt !== undefined ? { acknowledgedAt: isoWithOffset(acknowledgedAt, timeZone) } : {}),
    history: history.map((e) => ({ ...e, at: isoWithOffset(e.at, timeZone) })),
  };
}
