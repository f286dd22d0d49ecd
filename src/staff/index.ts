import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import type { ChangeBus } from '../engine/changes';
import type { Config } from '../config';
import type { Adapter } from '../adapters/kit/adapter';
import type { AlertService } from '../domain/alerts/service';
import type { ConversationService } from '../domain/conversations';
import type { Keys } from '../engine/keys';
import type { Logger } from '../common/logger';
import type { MemberStore } from '../domain/members';
import type { RequestService } from '../domain/requests';
import type { GroupService } from '../domain/groups';
import type { ChannelName } from '../engine/message';
import type { Queues } from '../engine/queues';
import { StaffAccounts } from './accounts';
import { STAFF_CSS, STAFF_JS } from './assets';
import { EXTRA_CSS } from './assets-extra';
import { ViewAudit } from './audit';
import { StaffAuth } from './auth';
import { LoginLimiter, type LoginLimits } from './limiter';
import { registerAckLinkRoutes } from './routes/ack-link';
import { registerAlertRoutes } from './routes/alerts';
import { registerChannelRoutes } from './routes/channels';
import { registerConversationRoutes } from './routes/conversations';
import { registerMemberRoutes } from './routes/members';
import { registerRequestRoutes } from './routes/requests';
import { registerGroupRoutes } from './routes/groups';
import { registerQueueBoard } from './routes/queues';
import { registerSessionRoutes } from './routes/session';
import { SessionStore } from './sessions';
import { FlashStore } from './flash';
import { Streams } from './sse';

/** What the staff dashboard needs from the composition root. */
export interface StaffDeps {
  /** Alert and request changes from every process, for the live views. */
  changes: ChangeBus;
  config: Config;
  redis: Redis;
  keys: Keys;
  alerts: AlertService;
  adapters: Map<ChannelName, Adapter>;
  queues: Queues;
  members: MemberStore;
  requests: RequestService;
  /** Peer support group sessions (`/staff/groups`). */
  groups?: GroupService;
  /** The staff inbox (absent: no Conversations area). */
  conversations?: ConversationService;
  log: Logger;
  /** Sign-in limits (tests lower them). */
  loginLimits?: LoginLimits;
}

/**
 * The staff dashboard under `/staff` and the signed alert-acknowledge link under `/alerts`.
 * Everything is registered in its own encapsulated scope (cookies, form bodies), so no other
 * route changes behaviour.
 */
export async function registerStaffRoutes(app: FastifyInstance, deps: StaffDeps): Promise<void> {
  const { config, redis, keys } = deps;
  const accounts = new StaffAccounts(redis, keys);
  const sessions = new SessionStore(redis, keys, config.STAFF_SESSION_IDLE_MINUTES * 60);
  const auth = new StaffAuth(
    accounts,
    sessions,
    config.STAFF_SESSION_MAX_HOURS * 3600_000,
    config.PUBLIC_URL?.startsWith('https:') ?? false,
  );
  const limiter = new LoginLimiter(redis, keys, deps.loginLimits);
  const audit = new ViewAudit(redis, keys);
  const streams = new Streams();
  app.addHook('preClose', async () => streams.endAll());

  await app.register(async (scope) => {
    await scope.register(fastifyCookie, { secret: config.sessionSecret, hook: 'onRequest' });
    await scope.register(fastifyFormbody, { bodyLimit: 64 * 1024 });
    scope.addHook('onRequest', auth.loadSession);

    scope.get('/staff/assets/staff.css', async (_req, reply) =>
      reply
        .type('text/css; charset=utf-8')
        .header('cache-control', 'public, max-age=300')
        .send(STAFF_CSS + EXTRA_CSS),
    );
    scope.get('/staff/assets/staff.js', async (_req, reply) =>
      reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=300').send(STAFF_JS),
    );

    registerSessionRoutes(scope, { accounts, auth, limiter });
    registerAlertRoutes(scope, {
      alerts: deps.alerts,
      conversations: deps.conversations,
      changes: deps.changes,
      auth,
      audit,
      streams,
      timezone: config.TIMEZONE,
    });
    registerRequestRoutes(scope, {
      requests: deps.requests,
      changes: deps.changes,
      auth,
      audit,
      streams,
      timezone: config.TIMEZONE,
      accounts,
    });
    registerMemberRoutes(scope, {
      members: deps.members,
      requests: deps.requests,
      groups: deps.groups,
      conversations: deps.conversations,
      auth,
      audit,
      timezone: config.TIMEZONE,
      joinCodeTtlDays: config.JOIN_CODE_TTL_DAYS,
      flash: new FlashStore(redis, keys, config.sessionSecret),
    });
    if (deps.groups)
      registerGroupRoutes(scope, { groups: deps.groups, accounts, auth, audit, timezone: config.TIMEZONE });
    if (deps.conversations)
      registerConversationRoutes(scope, {
        conversations: deps.conversations,
        accounts,
        changes: deps.changes,
        auth,
        audit,
        streams,
        timezone: config.TIMEZONE,
      });
    registerChannelRoutes(scope, { auth, adapters: deps.adapters, config });
    registerAckLinkRoutes(scope, { alerts: deps.alerts });
    await registerQueueBoard(scope, { auth, queues: deps.queues });
  });
  deps.log.info('staff dashboard at /staff');
}

export { StaffAccounts } from './accounts';
