import type { Logger } from '../../common/logger';
import type { AlertService, Reachability } from './service';

/**
 * Keeps "can anyone be told of a safeguarding alert?" current: checked at start, every
 * `intervalMs` and after any failed delivery. While nobody can be told it is logged as an error
 * (at start and at each change), and {@link current} gives the words the dashboard and /readyz show.
 */
export class ReachWatch {
  private state: Reachability = { ok: true, targets: [] };
  private timer?: NodeJS.Timeout;
  private checking?: Promise<Reachability>;

  constructor(
    private readonly alerts: AlertService,
    private readonly log: Logger,
    private readonly intervalMs = 60_000,
  ) {}

  /** Checks once now (so the start is loud when nobody can be told), then on a timer. */
  async start(): Promise<Reachability> {
    const first = await this.check();
    this.alerts.onChange((e) => {
      if (e.type === 'not_delivered') void this.check();
    });
    this.timer = setInterval(() => void this.check(), this.intervalMs);
    this.timer.unref();
    return first;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** The last check's result. */
  current(): Reachability {
    return this.state;
  }

  /** Checks now; logs an error when nobody can be told (each time it becomes so, and at the first check). */
  check(): Promise<Reachability> {
    this.checking ??= (async () => {
      try {
        const before = this.state;
        // Redis unavailable: the last answer stands (/readyz says Redis is down anyway).
        const now = await this.alerts.reachability().catch(() => before);
        this.state = now;
        if (!now.ok && (before.ok || before.problem !== now.problem))
          this.log.error({ nobodyCanBeTold: true, targets: now.targets }, now.problem ?? 'nobody can be told');
        else if (now.ok && !before.ok) this.log.info('a safeguarding alert can be delivered again');
        return now;
      } finally {
        this.checking = undefined;
      }
    })();
    return this.checking;
  }
}
