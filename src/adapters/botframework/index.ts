import {
  CloudAdapter,
  type Activity,
  type TurnContext,
  ConfigurationBotFrameworkAuthentication,
  type ConfigurationBotFrameworkAuthenticationOptions,
  type ConversationReference,
} from 'botbuilder';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { BotFrameworkSettings } from './settings';
import type { Adapter, AdapterContext, ChannelStatus, SendContext } from '../kit/adapter';
import { PlatformRefusedError, errorFields } from '../../common/errors';
import type { Keys } from '../../engine/keys';
import type { Logger } from '../../common/logger';
import type { ChannelAddress, OutboundMessage } from '../../engine/message';
import { ChoiceMemory } from './choices';
import { registerMessagesRoute } from './http';
import { createTurnHandler } from './inbound';
import { mapSendError, toReplyActivity } from './outbound';

export type { BotFrameworkSettings } from './settings';

/**
 * botbuilder's CloudAdapter with its authenticate-and-run step open to the route, which answers
 * a refused request itself (a plain 401, one log line) instead of `process()`'s console stack trace.
 */
class HavenCloudAdapter extends CloudAdapter {
  run(authHeader: string, activity: Activity, logic: (context: TurnContext) => Promise<void>) {
    // As CloudAdapter.process does (validateAndFixActivity): dates arrive as strings.
    const a = activity as unknown as Record<string, unknown>;
    for (const [field, rawField] of [
      ['timestamp', 'rawTimestamp'],
      ['expiration', 'rawExpiration'],
      ['localTimestamp', 'rawLocalTimestamp'],
    ] as const) {
      if (typeof a[field] === 'string') {
        a[rawField] = a[field];
        a[field] = new Date(a[field]);
      }
    }
    return this.processActivity(authHeader, activity, logic);
  }
}

/** What the channel uses from the composition root. */
export interface BotFrameworkDeps {
  redis: Redis;
  keys: Keys;
  log: Logger;
}

/** A stored address: the ConversationReference botbuilder made from the person's activity. */
const storedReference = z.looseObject({
  channelId: z.string().min(1),
  serviceUrl: z.string().min(1),
  conversation: z.looseObject({ id: z.string().min(1) }),
  user: z.looseObject({ id: z.string().min(1) }).optional(),
  bot: z.looseObject({ id: z.string().min(1) }).optional(),
});

/**
 * Teams, Web Chat, Direct Line (and Skype, and the Bot Framework Emulator) through Azure Bot
 * Service. `POST /api/messages` is served by botbuilder's `CloudAdapter`; each person's
 * ConversationReference is their address, and replies go out later from the outbound worker with
 * `continueConversationAsync`. Everything botbuilder-specific lives in this folder.
 */
export class BotFrameworkChannel implements Adapter {
  readonly name = 'botframework' as const;
  private readonly cloud: HavenCloudAdapter;
  private readonly choices: ChoiceMemory;
  private readonly appId: string;

  constructor(
    settings: BotFrameworkSettings,
    private readonly d: BotFrameworkDeps,
  ) {
    this.appId = settings.MicrosoftAppId ?? '';
    const options: ConfigurationBotFrameworkAuthenticationOptions = {};
    if (settings.MicrosoftAppId) options.MicrosoftAppId = settings.MicrosoftAppId;
    if (settings.MicrosoftAppPassword) options.MicrosoftAppPassword = settings.MicrosoftAppPassword;
    if (settings.MicrosoftAppType) options.MicrosoftAppType = settings.MicrosoftAppType;
    if (settings.MicrosoftAppTenantId) options.MicrosoftAppTenantId = settings.MicrosoftAppTenantId;
    this.cloud = new HavenCloudAdapter(new ConfigurationBotFrameworkAuthentication(options));
    this.choices = new ChoiceMemory(d.redis, d.keys);
  }

  /** True when no app id is set: requests are not authenticated and sends carry no token. */
  get emulatorMode(): boolean {
    return !this.appId;
  }

  registerRoutes(app: FastifyInstance, ctx: AdapterContext): void {
    // Said by whichever process serves the route (a HAVEN_ROLE=web process never calls start()).
    if (this.emulatorMode) {
      this.d.log.warn(
        'MicrosoftAppId is not set: /api/messages runs UNAUTHENTICATED, as for the Bot Framework Emulator. Never run it like this with real young people.',
      );
    } else {
      this.d.log.info({ appType: 'configured' }, 'Bot Framework channel ready at /api/messages (authenticated)');
    }
    registerMessagesRoute(app, {
      emulatorMode: this.emulatorMode,
      process: (...args) => this.cloud.run(...args),
      turn: createTurnHandler((m) => ctx.accept(m), this.choices),
      log: this.d.log,
    });
  }

  /** Sends to one person, at any time later: Bot Framework has no messaging window, so `purpose` is not needed. */
  async send(address: ChannelAddress, message: OutboundMessage, _context?: SendContext): Promise<void> {
    const parsed = storedReference.safeParse(address);
    if (!parsed.success) {
      throw new PlatformRefusedError('stored Bot Framework address is unusable', 400, { permanent: true });
    }
    const conv = parsed.data.conversation as { isGroup?: boolean; conversationType?: string };
    if (conv.isGroup === true || conv.conversationType === 'groupChat' || conv.conversationType === 'channel') {
      // A reply in a group chat or channel is seen by everyone in it: what a young person told us
      // (and a safeguarding reply above all) must not be. Their message was still screened.
      throw new PlatformRefusedError('not sent: Haven does not reply in group chats or channels', 403, {
        platformCode: 'GROUP_CONVERSATION',
        permanent: true,
      });
    }
    const reference = parsed.data as unknown as Partial<ConversationReference>;
    if (message.choices?.length && parsed.data.user) {
      const key = ChoiceMemory.key(parsed.data.channelId, parsed.data.conversation.id, parsed.data.user.id);
      try {
        await this.choices.remember(key, message.choices);
      } catch (err) {
        // Buttons still work as typed words; the message matters more than the mapping.
        this.d.log.warn({ err: errorFields(err) }, 'could not remember offered choices');
      }
    }
    const activity = toReplyActivity(message);
    try {
      await this.cloud.continueConversationAsync(this.appId, reference, async (context) => {
        withoutInnerRetries(context.turnState.get(this.cloud.ConnectorClientKey));
        // A proactive turn has no real activity to reply to: post to the conversation itself.
        context.onSendActivities(async (_ctx, activities, next) => {
          for (const a of activities) delete a.replyToId;
          return next();
        });
        await context.sendActivity(activity);
      });
    } catch (err) {
      throw mapSendError(err);
    }
  }

  status(): ChannelStatus {
    return this.emulatorMode
      ? {
          channel: 'botframework',
          state: 'ready',
          detail: 'emulator mode: unauthenticated (MicrosoftAppId not set)',
          warning:
            'UNAUTHENTICATED: anyone who can reach /api/messages can pretend to be anyone. For the Bot Framework Emulator only; never with real young people.',
        }
      : { channel: 'botframework', state: 'ready' };
  }
}

/**
 * The connector client's HTTP pipeline retries 429 and 5xx itself (up to three times, honouring
 * Retry-After), holding an outbound worker for minutes. Haven's outbound queue already retries
 * with backoff, so the inner retry policy is removed when present (named as in
 * @azure/core-rest-pipeline; if a later version renames it, sends still work, just slower to fail).
 */
function withoutInnerRetries(connector: unknown): void {
  const pipeline = (connector as { client?: { pipeline?: { removePolicy?(o: { name: string }): unknown } } })?.client
    ?.pipeline;
  pipeline?.removePolicy?.({ name: 'defaultRetryPolicy' });
}

/** Creates the Bot Framework channel; with no MicrosoftAppId it runs in Emulator mode. */
export function createBotFrameworkChannel(settings: BotFrameworkSettings, deps: BotFrameworkDeps): BotFrameworkChannel {
  return new BotFrameworkChannel(settings, deps);
}
