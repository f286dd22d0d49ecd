import { z } from 'zod';
import { createLogger } from '../common/logger';
import { composeGroups } from '../compose/groups';
import { GroupError, type GroupService, type GroupSession } from '../domain/groups';
import { formatSessionTime } from '../domain/requests/texts';
import { Outbox } from '../engine/outbox';
import { Queues } from '../engine/queues';
import { CliError, openStore, parseOptions, printJson, type Command } from './support';

const USAGE = `haven groups add --title T --at ISO-TIME --minutes N --link URL --capacity N --workers EMAIL,EMAIL
                 [--description TEXT] [--ages MIN-MAX] [--first-session true|false] [--by NAME]
       haven groups list [--all]
       haven groups show --id ID
       haven groups move --id ID --at ISO-TIME
       haven groups cancel --id ID`;

const isoTime = z
  .string({ message: 'required: the start, e.g. 2026-12-10T16:30:00Z' })
  .refine((s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(s) && Number.isFinite(Date.parse(s)), {
    message: 'must be an ISO date and time, e.g. 2026-12-10T16:30:00Z',
  })
  .transform((s) => Date.parse(s));
const int = (what: string) =>
  z
    .string({ message: `required: ${what}` })
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number);
const id = z.uuid({ message: 'must be a group id (from "groups list")' });

const addOptions = z.object({
  title: z.string({ message: 'required: the title young people see' }),
  at: isoTime,
  minutes: int('how many minutes it lasts'),
  link: z.string({ message: 'required: the https Zoom link' }),
  capacity: int('how many young people may come'),
  workers: z
    .string({ message: 'required: the leading youth workers, as staff emails separated by commas' })
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    ),
  description: z.string().optional(),
  ages: z
    .string()
    .regex(/^\d{1,2}-\d{1,2}$/, 'must look like 11-14')
    .transform((s) => s.split('-').map(Number) as [number, number])
    .optional(),
  'first-session': z.enum(['true', 'false']).optional(),
  by: z.string().trim().min(1).max(60).optional(),
});

/** A session as one JSON line: ISO times, the local time, places taken; no young person's details. */
async function describe(groups: GroupService, s: GroupSession, tz: string) {
  const { booked, waiting } = await groups.places(s.id);
  return {
    groupId: s.id,
    title: s.title,
    description: s.description,
    at: new Date(s.at).toISOString(),
    local: formatSessionTime(s.at, tz),
    minutes: s.minutes,
    link: s.link,
    capacity: s.capacity,
    ageMin: s.ageMin,
    ageMax: s.ageMax,
    workers: s.workers.map((w) => ({ name: w.name, email: w.email })),
    firstSession: s.firstSession,
    status: s.status,
    booked: booked.length,
    waiting: waiting.length,
  };
}

/**
 * `haven groups add|list|show|move|cancel`: peer support group sessions from a terminal. A
 * refused action (fewer than two leading youth workers, a bad link...) prints `{"error": ...}`
 * and exits 1.
 */
export const groupsCommand: Command = {
  summary: 'peer support group sessions: add, list, show, move, cancel',
  run: async (args) => {
    const [sub, ...rest] = args;
    if (!sub || !['add', 'list', 'show', 'move', 'cancel'].includes(sub)) throw new CliError(`Usage: ${USAGE}`, 2);
    const opts =
      sub === 'add'
        ? parseOptions(rest, addOptions, USAGE)
        : sub === 'list'
          ? parseOptions(rest, z.object({ all: z.boolean().optional() }), USAGE)
          : sub === 'move'
            ? parseOptions(rest, z.object({ id, at: isoTime }), USAGE)
            : parseOptions(rest, z.object({ id }), USAGE);
    const store = await openStore();
    const queues = new Queues(store.redis, store.keys);
    const tz = store.config.TIMEZONE;
    const groups = composeGroups({
      config: store.config,
      redis: store.redis,
      keys: store.keys,
      tasks: queues.tasks,
      outbox: new Outbox(queues.outbound),
      log: createLogger({ level: 'warn', pretty: false, destination: process.stderr }),
    });
    try {
      if (sub === 'add') {
        const o = opts as z.infer<typeof addOptions>;
        const s = await groups.create(
          {
            title: o.title,
            description: o.description ?? '',
            at: o.at,
            minutes: o.minutes,
            link: o.link,
            capacity: o.capacity,
            ageMin: o.ages?.[0],
            ageMax: o.ages?.[1],
            workers: o.workers,
            firstSession: o['first-session'] === undefined ? undefined : o['first-session'] === 'true',
          },
          o.by ?? 'haven groups',
        );
        printJson({ groupId: s.id });
      } else if (sub === 'list') {
        const all = (opts as { all?: boolean }).all;
        const now = Date.now();
        const list = (await groups.listAll())
          .filter((s) => all || (s.status === 'scheduled' && s.at + s.minutes * 60_000 > now))
          .sort((a, b) => a.at - b.at);
        for (const s of list) printJson(await describe(groups, s, tz));
      } else if (sub === 'show') {
        const s = await groups.get((opts as { id: string }).id);
        if (!s) throw new GroupError('NOT_FOUND', 'there is no group session with that id');
        const { booked, waiting } = await groups.places(s.id);
        const names = (l: typeof booked) => l.map((p) => ({ name: p.name, attended: p.attended }));
        printJson({ ...(await describe(groups, s, tz)), bookedNames: names(booked), waitingNames: names(waiting) });
      } else if (sub === 'move') {
        const o = opts as { id: string; at: number };
        const s = await groups.move(o.id, o.at, 'haven groups');
        printJson(await describe(groups, s, tz));
      } else {
        const s = await groups.cancel((opts as { id: string }).id, 'haven groups');
        printJson(await describe(groups, s, tz));
      }
      return 0;
    } catch (err) {
      if (err instanceof GroupError) {
        printJson({ error: err.message, code: err.code });
        return 1;
      }
      throw err;
    } finally {
      await queues.close();
      await store.close();
    }
  },
};
