import { twelveHourTime } from './zoned-time';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** Office hours parsed from a setting such as "Mon-Fri 09:00-17:00", in a time zone. */
export class OfficeHours {
  private readonly days: Set<number>;
  private readonly open: number;
  private readonly close: number;

  constructor(
    spec: string,
    private readonly timeZone: string,
  ) {
    const m = /^(\w{3})-(\w{3}) (\d{2}):(\d{2})-(\d{2}):(\d{2})$/.exec(spec);
    if (!m) throw new Error(`office hours "${spec}" must look like "Mon-Fri 09:00-17:00"`);
    const from = DAYS.indexOf(m[1] as string);
    const to = DAYS.indexOf(m[2] as string);
    this.days = new Set<number>();
    for (let d = from; ; d = (d + 1) % 7) {
      this.days.add(d);
      if (d === to) break;
    }
    this.open = Number(m[3]) * 60 + Number(m[4]);
    this.close = Number(m[5]) * 60 + Number(m[6]);
  }

  private local(at: Date): { day: number; minutes: number } {
    const parts = new Intl.DateTimeFormat('en-GB', {
      timeZone: this.timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    }).formatToParts(at);
    const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
    return { day: DAYS.indexOf(get('weekday')), minutes: Number(get('hour')) * 60 + Number(get('minute')) };
  }

  /** True when staff are working at this moment. */
  isOpen(at: Date): boolean {
    const { day, minutes } = this.local(at);
    return this.days.has(day) && minutes >= this.open && minutes < this.close;
  }

  /** Plain words for when someone will next be in, e.g. "tomorrow after 9am" or "on Monday after 9am". */
  nextOpening(at: Date): string {
    const { day, minutes } = this.local(at);
    const time = twelveHourTime(Math.floor(this.open / 60), this.open % 60);
    if (this.days.has(day) && minutes < this.open) return `today after ${time}`;
    for (let i = 1; i <= 7; i++) {
      const d = (day + i) % 7;
      if (this.days.has(d)) return i === 1 ? `tomorrow after ${time}` : `on ${FULL_DAYS[d]} after ${time}`;
    }
    return `after ${time}`;
  }
}

const FULL_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
