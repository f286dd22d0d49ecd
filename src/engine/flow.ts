import type { Logger } from '../common/logger';
import type { ChannelName, Choice, InboundJob, SendPurpose } from './message';
import type { ScreenResult } from '../safeguarding/types';
import type { ConversationState } from './state';
import type { Services } from './services';
import type { MemberRef } from '../domain/members/types';

export type { MemberRef };

/** One reply a flow wants sent. */
export interface ReplyEffect {
  type: 'reply';
  text: string;
  choices?: Choice[];
  purpose?: SendPurpose;
}

/**
 * What a flow sees: who, which channel, what they said, the conversation state. Flows never see
 * platform types and never call an SDK; they reply through {@link FlowContext.reply} and use the
 * domain services (members, requests, alerts) for anything else.
 */
export interface FlowContext {
  readonly conversationId: string;
  readonly channel: ChannelName;
  readonly message: Pick<InboundJob, 'kind' | 'text' | 'payload' | 'sentAt' | 'origin'>;
  /** The text, trimmed and lower-cased, or the payload of a tapped choice. */
  readonly input: string;
  readonly screen: ScreenResult;
  /** Set when the screen raised an alert for this message. */
  readonly alertId: string | undefined;
  readonly now: Date;
  /** True when this is the first message Haven has ever had from this conversation. */
  readonly isFirstContact: boolean;
  member: MemberRef | null;
  /** Mutable: the engine saves it after the flows have run. */
  state: ConversationState;
  readonly replies: ReplyEffect[];
  reply(text: string, choices?: Choice[]): void;
  readonly services: Services;
  readonly log: Logger;
}

/** A flow: middleware that handles the message or calls `next()` to pass it on. */
export type Flow = (ctx: FlowContext, next: () => Promise<void>) => Promise<void>;

/** A named flow, so its errors can be reported by name. */
export interface NamedFlow {
  name: string;
  run: Flow;
}

/**
 * Composes flows in order (grammY-style middleware). Each flow runs behind its own error
 * boundary: one that throws is logged and the chain goes on to the next flow, so a broken flow
 * never silences the rest.
 */
export function composeFlows(
  flows: NamedFlow[],
  onError: (flow: string, err: unknown) => void,
): (ctx: FlowContext) => Promise<void> {
  // Plain promise chaining rather than an async function (and an async `next`) per flow: the same
  // order and error boundaries, without two more promises and frames per flow for every message.
  return (ctx) => {
    const run = (i: number): Promise<void> => {
      const flow = flows[i];
      if (!flow) return DONE;
      let calledNext = false;
      const next = () => {
        calledNext = true;
        return run(i + 1);
      };
      let ran: Promise<void>;
      try {
        ran = flow.run(ctx, next);
      } catch (err) {
        ran = Promise.reject(err);
      }
      return ran.then(undefined, (err: unknown) => {
        onError(flow.name, err);
        return calledNext ? undefined : run(i + 1);
      });
    };
    return run(0);
  };
}

const DONE: Promise<void> = Promise.resolve();
