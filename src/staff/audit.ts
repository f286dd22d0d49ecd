import type { Redis } from 'ioredis';
import type { Keys } from '../engine/keys';
import type { StaffAccount } from './accounts';
import { staffKeys } from './keys';

/** One recorded view of sensitive data. */
export interface ViewRecord {
  at: number;
  staffId: string;
  staff: string;
  what: 'alert' | 'member' | 'request' | 'alerts-export' | 'group' | 'conversation';
  id: string;
}

/**
 * Who looked at what, when: every view of an alert or a young person's details. An append-only
 * Redis stream, never trimmed by Haven.
 */
export class ViewAudit {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
  ) {}

  private get key() {
    return staffKeys(this.keys).audit();
  }

  async record(who: StaffAccount, what: ViewRecord['what'], id: string, at = Date.now()): Promise<void> {
    await this.redis.xadd(
      this.key,
      '*',
      'at',
      String(at),
      'staffId',
      who.id,
      'staff',
      label(who),
      'what',
      what,
      'id',
      id,
    );
  }

  /**
   * Records a view unless the same person viewed the same thing in the last `everySeconds`
   * (a list re-read by a live update is not a new look). True when it recorded.
   */
  async recordOnce(who: StaffAccount, what: ViewRecord['what'], id: string, everySeconds = 600): Promise<boolean> {
    const k = staffKeys(this.keys).viewed(who.id, what, id);
    if ((await this.redis.set(k, '1', 'EX', everySeconds, 'NX')) !== 'OK') return false;
    await this.record(who, what, id);
    return true;
  }

  /** Most recent first. */
  async recent(count = 100): Promise<ViewRecord[]> {
    const rows = await this.redis.xrevrange(this.key, '+', '-', 'COUNT', count);
    return rows.map(([, f]) => {
      const o: Record<string, string> = {};
      for (let i = 0; i + 1 < f.length; i += 2) o[f[i] as string] = f[i + 1] as string;
      return {
        at: Number(o.at),
        staffId: o.staffId ?? '',
        staff: o.staff ?? '',
        what: o.what as ViewRecord['what'],
        id: o.id ?? '',
      };
    });
  }
}

/** How a member of staff is named in records: "Name <email>". */
export function label(a: Pick<StaffAccount, 'name' | 'email'>): string {
  return `${a.name} <${a.email}>`;
}
