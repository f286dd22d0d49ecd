import { isoWithOffset } from '../../common/zoned-time';
import type { Alert, AlertEvent } from './store';

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
