import type { GroupService } from '../domain/groups';
import { z } from 'zod';
import { createLogger } from '../common/logger';
import { Metrics } from '../common/metrics';
import { buildServices } from '../compose/services';
import type { MemberStore } from '../domain/members';
import { Queues } from '../engine/queues';
import { REQUEST_STATUSES, RequestError, type RequestService } from '../domain/requests';
import { formatSessionTime } from '../domain/requests/texts';
import { loadSafetyContent } from '../flows/online-safety/content';
import { CliError, openStore, parseOptions, printJson } from './support';

const USAGE = `haven requests list [--status new,claimed,scheduled,done,cancelled]
       haven requests show --id ID
       haven requests claim --id ID --by NAME
       haven requests schedule --id ID --at ISO-DATE-TIME --place PLACE --workers "A,B" [--by NAME]
       haven requests message --id ID --text TEXT --by NAME
       haven requests close --id ID --outcome done|cancelled [--reason TEXT] [--by NAME]`;

const id = z.string({ message: 'required: the request id' }).uuid('must be a request id (from "requests list")');
const by = z.string({ message: 'required: your name' }).trim().min(1, 'must not be empty').max(60);

/**
 * The services over the CLI's own Redis connection and queue producers (same prefix as the
 * service, so the running workers deliver what it queues), built through the same builder as the
 * server (src/compose/services). `close()` closes them.
 */
export async function openRequestService(): Promise<{
  store: Awaited<ReturnType<typeof openStore>>;
  requests: RequestService;
  members: MemberStore;
  groups: GroupService;
  close(): Promise<void>;
}> {
  const store = await openStore();
  const { config, redis, keys } = store;
  const queues = new Queues(redis, keys);
  const built = buildServices({
    config,
    log: createLogger({ level: 'warn', pretty: false, destination: process.stderr }),
    metrics: new Metrics(),
    keys,
    redis,
    alertRedis: redis,
    queues,
    safety: loadSafetyContent(config.SAFETY_CONTENT_PATH),
  });
  return {
    store,
    requests: built.requests,
    members: built.members,
    groups: built.groups,
    close: async () => {
      await queues.close();
      await store.close();
    },
  };
}

async function withService(run: (requests: RequestService, timezone: string) => Promise<number>): Promise<number> {
  const svc = await openRequestService();
  try {
    return await run(svc.requests, svc.store.config.TIMEZONE);
  } catch (err) {
    if (err instanceof RequestError) throw new CliError(`Cannot do that: ${err.message}.`);
    throw err;
  } finally {
    await svc.close();
  }
}

/** `haven requests list|show|claim|schedule|message|close`: the coordinator's queue from a terminal. */
export async function requestsCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'list': {
      const o = parseOptions(
        rest,
        z.object({
          status: z
            .string()
            .transform((s) => s.split(',').map((x) => x.trim()))
            .pipe(
              z.array(
                z.enum(REQUEST_STATUSES, { message: `each status must be one of ${REQUEST_STATUSES.join(', ')}` }),
              ),
            )
            .optional(),
        }),
        USAGE,
      );
      return withService(async (requests, tz) => {
        for (const r of await requests.list({ status: o.status }))
          printJson({
            ...r,
            position: await requests.position(r.id),
            createdAt: new Date(r.createdAt).toISOString(),
            updatedAt: new Date(r.updatedAt).toISOString(),
            session: r.session
              ? { ...r.session, at: new Date(r.session.at).toISOString(), local: formatSessionTime(r.session.at, tz) }
              : undefined,
          });
        return 0;
      });
    }
    case 'show': {
      const o = parseOptions(rest, z.object({ id }), USAGE);
      return withService(async (requests) => {
        const r = await requests.get(o.id);
        if (!r) throw new CliError(`No request with id ${o.id}.`);
        printJson({ ...r, position: await requests.position(r.id), history: await requests.history(r.id) });
        return 0;
      });
    }
    case 'claim': {
      const o = parseOptions(rest, z.object({ id, by }), USAGE);
      return withService(async (requests) => {
        const r = await requests.claim(o.id, o.by);
        printJson({ id: r.id, status: r.status, claimedBy: r.claimedBy });
        return 0;
      });
    }
    case 'schedule': {
      const o = parseOptions(
        rest,
        z.object({
          id,
          at: z.iso.datetime({ offset: true, message: 'must be an ISO date-time such as 2026-03-03T16:30:00Z' }),
          place: z
            .string({ message: 'required: a Zoom/Teams link, or e.g. "we\'ll call you on WhatsApp"' })
            .trim()
            .min(1)
            .max(500),
          workers: z
            .string({ message: 'required: one or two youth worker names, e.g. "Terry,Ana"' })
            .transform((s) =>
              s
                .split(',')
                .map((x) => x.trim())
                .filter(Boolean),
            )
            .pipe(
              z
                .array(z.string().max(60))
                .min(1, 'name one or two youth workers')
                .max(2, 'name one or two youth workers'),
            ),
          by: by.optional(),
        }),
        USAGE,
      );
      return withService(async (requests, tz) => {
        const r = await requests.schedule(
          o.id,
          { at: new Date(o.at), place: o.place, workers: o.workers },
          o.by ?? o.workers[0]!,
        );
        printJson({
          id: r.id,
          status: r.status,
          at: new Date(r.session!.at).toISOString(),
          local: formatSessionTime(r.session!.at, tz),
          place: r.session!.place,
          workers: r.workersAssigned,
        });
        return 0;
      });
    }
    case 'message': {
      const o = parseOptions(
        rest,
        z.object({ id, text: z.string({ message: 'required: the message' }).trim().min(1).max(2000), by }),
        USAGE,
      );
      return withService(async (requests) => {
        const r = await requests.message(o.id, o.text, o.by);
        printJson({ id: r.id, sent: true });
        return 0;
      });
    }
    case 'close': {
      const o = parseOptions(
        rest,
        z.object({
          id,
          outcome: z.enum(['done', 'cancelled'], { message: 'must be done or cancelled' }),
          reason: z.string().trim().min(1).max(500, 'must be at most 500 characters').optional(),
          by: by.optional(),
        }),
        USAGE,
      );
      return withService(async (requests) => {
        const r = await requests.close(o.id, o.outcome, o.by ?? 'coordinator', { reason: o.reason });
        printJson({ id: r.id, status: r.status });
        return 0;
      });
    }
    default:
      process.stderr.write(`Usage: ${USAGE}\n`);
      return 2;
  }
}
