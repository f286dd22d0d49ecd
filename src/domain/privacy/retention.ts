import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { AlertStore } from '../alerts/store';
import type { Keys } from '../../engine/keys';
import type { Logger } from '../../common/logger';
import type { MemberStore } from '../members';
import type { RequestStore } from '../requests/store';
import { REQUEST_STATUSES } from '../requests/types';

/** The `tasks` job name of the scheduled sweep. */
export const RETENTION_TASK = 'retention-sweep';

/** What one sweep found: counts only, never content. */
export interface RetentionCounts {
  conversations: number;
  /** Preference records ("stop", "discreet", last seen): kept PREFERENCES_TTL_DAYS after last contact. */
  preferences: number;
  addresses: number;
  members: number;
  requestsOpen: number;
  requestsClosed: number;
  /** Index entries of requests whose retention ran out, removed by this sweep. */
  requestsExpired: number;
  alertsOpen: number;
  alertsKept: number;
}

/**
 * Retention is enforced by Redis itself: every piece of conversation data is written with its
 * category's TTL (state and addresses STATE_TTL_DAYS after last contact, closed requests
 * REQUEST_RETENTION_DAYS, join codes their expiry), so nothing outlives its period even if no
 * sweep runs. The scheduled sweep removes what expired from the indexes that point at it and logs
 * how much of each category is held. Safeguarding records are never deleted by it.
 */
export class RetentionSweep {
  constructor(
    private readonly d: {
      redis: Redis;
      keys: Keys;
      requests: RequestStore;
      members: MemberStore;
      alerts: AlertStore;
      log: Logger;
    },
  ) {}

  async run(): Promise<RetentionCounts> {
    const { keys } = this.d;
    const before = await this.d.requests.indexSize();
    // Listing prunes index entries whose request has expired.
    const live = await this.d.requests.list({ status: [...REQUEST_STATUSES] });
    const after = await this.d.requests.indexSize();
    const counts: RetentionCounts = {
      conversations: await this.count(keys.state('*')),
      preferences: await this.count(keys.prefs('*')),
      addresses: await this.count(keys.address('*')),
      members: (await this.d.members.list()).length,
      requestsOpen: live.filter((r) => r.status === 'new' || r.status === 'claimed' || r.status === 'scheduled').length,
      requestsClosed: live.filter((r) => r.status === 'done' || r.status === 'cancelled').length,
      requestsExpired: Math.max(0, before - after),
      alertsOpen: (await this.d.alerts.list({ openOnly: true, limit: 100_000 })).length,
      alertsKept: (await this.d.alerts.list({ limit: 100_000 })).length,
    };
    this.d.log.info({ retention: counts }, 'retention sweep');
    return counts;
  }

  private async count(pattern: string): Promise<number> {
    let n = 0;
    let cursor = '0';
    do {
      const [next, found] = await this.d.redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      n += found.length;
    } while (cursor !== '0');
    return n;
  }

  /** Runs the sweep every `everyMs` on the tasks queue (one schedule, whatever the number of processes). */
  static async schedule(tasks: Queue, everyMs: number): Promise<void> {
    await tasks.upsertJobScheduler(RETENTION_TASK, { every: everyMs }, { name: RETENTION_TASK, data: {} });
  }
}
