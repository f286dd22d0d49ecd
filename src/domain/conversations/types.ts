import { HavenError } from '../../common/errors';
import { z } from 'zod';

/** What a conversation in the staff inbox is about: what opened it. */
export const TOPICS = ['worry', 'request', 'session', 'alert', 'staff_reply', 'person'] as const;
export type Topic = (typeof TOPICS)[number];

/** How each topic reads in the dashboard. */
export const TOPIC_TITLES: Record<Topic, string> = {
  worry: 'Worry',
  request: 'About their request',
  session: 'About their session',
  alert: 'After a safety alert',
  staff_reply: 'Reply to staff',
  person: 'Asked for a person',
};

/** The member of staff holding a conversation. */
export const holderSchema = z.object({ id: z.string(), name: z.string() });
export type Holder = z.infer<typeof holderSchema>;

/** One conversation in the staff inbox (no message text: that is in its thread). */
export const inboxConversationSchema = z.object({
  id: z.string(),
  /** The pseudonymous channel conversation it belongs to (engine/identity). */
  conversationId: z.string(),
  /** The channel's name (from the channel registry; the domain does not list channels). */
  channel: z.string().min(1).max(40),
  memberId: z.string().optional(),
  /** The member's name, or a pseudonym ("Visitor 3F2A") for someone who is not a member. */
  name: z.string(),
  topic: z.enum(TOPICS),
  alertIds: z.array(z.string()).default([]),
  status: z.enum(['open', 'closed']),
  openedAt: z.number(),
  lastActivityAt: z.number(),
  /** When the young person started waiting for a person (their first message since staff last wrote). */
  waitingSince: z.number().optional(),
  holder: holderSchema.optional(),
  heldSince: z.number().optional(),
  /** When staff last wrote (or took it): the idle hand-back counts from here. */
  lastStaffAt: z.number().optional(),
  closedAt: z.number().optional(),
  closedBy: z.string().optional(),
  version: z.number(),
});
export type InboxConversation = z.infer<typeof inboxConversationSchema>;

/** One line of a thread, in order. */
export const threadEntrySchema = z.object({
  seq: z.number(),
  at: z.number(),
  /** `young_person`, `haven` (the bot's replies), `staff` (a person at the charity), `event` (taken, handed back...). */
  from: z.enum(['young_person', 'haven', 'staff', 'event']),
  text: z.string(),
  /** Staff name for `staff` lines and who did an `event`. */
  by: z.string().optional(),
  /** For staff lines: queued, or refused by the platform (with why). */
  delivery: z.enum(['sent', 'not_delivered']).optional(),
  reason: z.string().optional(),
  /** An alert raised for this line (its words are kept with the alert, not here). */
  alertId: z.string().optional(),
});
export type ThreadEntry = z.infer<typeof threadEntrySchema>;

/** Why a staff action was refused, in words staff can act on. */
export class ConversationError extends HavenError {
  constructor(
    override readonly code: 'NOT_FOUND' | 'CLOSED' | 'HELD' | 'WINDOW' | 'INVALID',
    message: string,
  ) {
    super(message, code);
  }
}

/** What {@link ConversationService.onChange} listeners hear: ids and an event, never text. */
export interface ConversationChange {
  type:
    | 'opened'
    | 'message'
    | 'haven'
    | 'staff'
    | 'taken'
    | 'assigned'
    | 'handed_back'
    | 'closed'
    | 'not_delivered'
    | 'erased';
  id: string;
}
