import type { Redis } from 'ioredis';
import type { Config } from '../config';
import type { Logger } from '../common/logger';
import type { Metrics } from '../common/metrics';
import { AlertService } from '../domain/alerts/service';
import { AlertStore } from '../domain/alerts/store';
import { chatReach } from '../domain/alerts/reach';
import type { GroupService } from '../domain/groups';
import { composeGroups } from './groups';
import { eraseWebchatBacklog } from '../adapters/webchat';
import { createConversationService, type ConversationService } from '../domain/conversations';
import type { Mailer } from '../common/mailer';
import { mailerFor, staffTargets } from './alert-targets';
import type { MemberStore } from '../domain/members';
import { buildMembers } from './members';
import { RETENTION_TASK, RetentionSweep } from '../domain/privacy/retention';
import { createRequestService, type RequestService } from '../domain/requests';
import { IdentityVault } from '../engine/identity';
import type { Keys } from '../engine/keys';
import type { ChannelName } from '../engine/message';
import { Outbox } from '../engine/outbox';
import type { Queues } from '../engine/queues';
import type { Services } from '../engine/services';
import { StateStore } from '../engine/state';
import type { TaskHandlers } from '../engine/tasks';
import { sessionSafetyReminder, type SafetyContent } from '../flows/online-safety/content';

/** What the domain services are built over. The server and the CLI both build through {@link buildServices}. */
export interface ServiceDeps {
  config: Config;
  log: Logger;
  metrics: Metrics;
  keys: Keys;
  /** The shared command connection. */
  redis: Redis;
  /** The alerts' own connection (see compose/connections); the CLI passes its one connection. */
  alertRedis: Redis;
  queues: Queues;
  /** The online-safety content, loaded once. */
  safety: SafetyContent;
  /** The clock in ms (tests control it); the system clock when unset. */
  now?: () => number;
  /** The channels running in this process (an alert's chat target on another channel cannot be told). */
  channels?: () => ReadonlySet<ChannelName>;
}

/** The domain services and the engine-side stores, built once. */
export interface BuiltServices {
  vault: IdentityVault;
  states: StateStore;
  outbox: Outbox;
  alerts: AlertService;
  members: MemberStore;
  requests: RequestService;
  /** Peer support group sessions. */
  groups: GroupService;
  /** The staff inbox (conversations with a person, hand-over). */
  conversations: ConversationService;
  /** What flows see of the services (their ports and settings). */
  services: Services;
  /** Handlers for the `tasks` queue, by job name. */
  tasks: TaskHandlers;
  /** Sends email to `email:` staff targets (SMTP_URL); closed by whoever stops Haven. */
  mailer: Mailer | undefined;
}

export { buildMembers };

/** Builds the identity vault, state, alerts, members, requests and the task handlers. Opens no connection. */
export function buildServices(d: ServiceDeps): BuiltServices {
  const { config, log, keys, redis, queues } = d;
  const ttlSeconds = config.STATE_TTL_DAYS * 24 * 3600;
  const vault = new IdentityVault(redis, keys, config.idHashSecret, config.dataKey, ttlSeconds);
  const states = new StateStore(redis, keys, ttlSeconds, config.PREFERENCES_TTL_DAYS * 24 * 3600);
  const outbox = new Outbox(queues.outbound);
  // Channel identities become conversation ids; `email:` targets stay as they are.
  const staffIds = (ids: string[]) => staffTargets(ids, vault);
  const mailer = mailerFor(config);
  const alerts = new AlertService(
    new AlertStore(d.alertRedis, keys, config.idHashSecret),
    queues.alerts,
    // Staff are told on the alerts queue, not behind the replies waiting on the outbound queue.
    new Outbox(queues.alerts),
    {
      webhookUrl: config.ALERT_WEBHOOK_URL,
      webhookSecret: config.ALERT_WEBHOOK_SECRET,
      webhookIncludeText: config.ALERT_WEBHOOK_INCLUDE_TEXT,
      onDuty: staffIds(config.SAFEGUARDING_ON_DUTY),
      leads: staffIds(config.SAFEGUARDING_LEADS),
      escalationMs: config.ESCALATION_MINUTES * 60_000,
      urgentEscalationMs: config.ESCALATION_URGENT_MINUTES * 60_000,
      publicUrl: publicUrlOf(config),
      signingSecret: config.sessionSecret,
      mailer,
      canReach: chatReach({ channels: d.channels ?? (() => new Set()), vault, redis, keys }),
    },
    log.child({ module: 'alerts' }),
    d.metrics,
  );
  const members = buildMembers(config, redis, keys, d.now);
  const requests = createRequestService({
    redis,
    keys,
    tasks: queues.tasks,
    outbox,
    log: log.child({ module: 'requests' }),
    timezone: config.TIMEZONE,
    reminderOffsetsMinutes: config.REMINDER_OFFSETS_MINUTES,
    retentionDays: config.REQUEST_RETENTION_DAYS,
    safetyReminder: (platform) => sessionSafetyReminder(d.safety, platform),
    coordinatorWebhookUrl: config.COORDINATOR_WEBHOOK_URL,
    coordinatorWebhookSecret: config.COORDINATOR_WEBHOOK_SECRET,
    coordinatorWebhookIncludeText: config.COORDINATOR_WEBHOOK_INCLUDE_TEXT,
    coordinatorIds: staffIds(config.COORDINATOR_IDS),
    mailer,
    publicUrl: config.PUBLIC_URL,
    optedOut: async (conversationId) => (await states.load(conversationId))?.optedOut ?? false,
    now: d.now,
  });
  const groups = composeGroups({
    config,
    redis,
    keys,
    tasks: queues.tasks,
    outbox,
    log: log.child({ module: 'groups' }),
    states,
    now: d.now,
  });
  // The staff inbox: threads, hand-over, staff replies through the young person's own channel.
  const conversations = createConversationService({
    redis,
    keys,
    outbox,
    tasks: queues.tasks,
    log: log.child({ module: 'conversations' }),
    charityName: config.CHARITY_NAME,
    officeHours: config.OFFICE_HOURS,
    timezone: config.TIMEZONE,
    retentionDays: config.CONVERSATION_RETENTION_DAYS,
    reassignMinutes: config.INBOX_REASSIGN_MINUTES,
    handBackMinutes: config.INBOX_HANDBACK_MINUTES,
    eraseBacklog: async (conversationId) => {
      if (IdentityVault.channelOf(conversationId) !== 'webchat') return;
      const address = await vault.getAddress(conversationId);
      if (address) await eraseWebchatBacklog(redis, keys, address);
    },
  });
  // A message staff send from a request: the young person's answer goes to the inbox.
  requests.onChange((c) => {
    if (c.type !== 'messaged') return;
    void (async () => {
      const r = await requests.get(c.requestId);
      const said = (await requests.history(c.requestId)).filter((e) => e.event === 'messaged').pop();
      if (r && said?.detail) await conversations.noteStaffMessage(r.conversationId, said.by, said.detail);
    })().catch((err: Error) => log.warn({ err: { message: err.message } }, 'staff message not noted for the inbox'));
  });
  const services: Services = {
    members,
    requests,
    groups,
    conversations,
    alerts,
    settings: {
      charityName: config.CHARITY_NAME,
      officeHours: config.OFFICE_HOURS,
      timezone: config.TIMEZONE,
      joinCodeTtlDays: config.JOIN_CODE_TTL_DAYS,
      refresherDays: config.REFRESHER_DAYS,
    },
  };
  const retention = new RetentionSweep({
    redis,
    keys,
    requests: requests.store,
    members,
    // Its hourly listing of every alert must not sit in front of a new alert's commands.
    alerts: new AlertStore(redis, keys),
    log: log.child({ module: 'retention' }),
  });
  const tasks: TaskHandlers = {
    ...requests.taskHandlers(),
    ...groups.taskHandlers(),
    ...conversations.taskHandlers(),
    [RETENTION_TASK]: async () => {
      await retention.run();
    },
  };
  return { vault, states, outbox, alerts, members, requests, groups, conversations, services, tasks, mailer };
}

/** The base URL in links sent to staff. */
export function publicUrlOf(config: Config): string {
  return config.PUBLIC_URL ?? `http://localhost:${config.PORT}`;
}
