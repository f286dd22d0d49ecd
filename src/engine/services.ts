import type { AlertService } from '../domain/alerts/service';
import type { ConversationPort, ConversationService } from '../domain/conversations/service';
import type { MemberLookup, MemberRef } from '../domain/members/types';
import type { MemberStore } from '../domain/members/store';
import type { RequestService } from '../domain/requests/service';
import type { GroupsPort } from '../domain/groups/service';

export type { MemberLookup, MemberRef };

/**
 * What flows and the engine use of the members module (the Redis store, or an in-memory one in
 * tests). With `linkKey`, the engine reads a conversation's member link with its lock and hands it
 * to `forConversation`.
 */
export type MembersPort = Pick<MemberStore, 'forConversation' | 'redeem' | 'get' | 'remove' | 'unlinkAll'> &
  Partial<Pick<MemberStore, 'linkKey'>>;
/** What flows use of the one-to-one requests module. */
export type RequestsPort = Pick<
  RequestService,
  'openRequestFor' | 'position' | 'create' | 'change' | 'cancelByYoungPerson' | 'eraseMember' | 'notifyDataDeleted'
>;
/** What flows use of the alerts module. */
export type AlertsPort = Pick<AlertService, 'acknowledge' | 'isStaff' | 'openAlertIdsFor'>;

/**
 * The domain services flows may use, each behind a narrow port. Built once by the composition
 * root (src/compose/services) and handed to every flow through its context; in tests, in-memory
 * ones can stand in. Never a platform SDK.
 */
export interface Services {
  /** Members, consent, join codes and channel links. */
  members: MembersPort;
  /** The coordinator's queue of one-to-one requests. */
  requests: RequestsPort;
  alerts: AlertsPort;
  /** Peer support group sessions (absent where groups are not wired, e.g. some unit tests). */
  groups?: GroupsPort;
  /**
   * The staff inbox: conversations with a person, their threads, hand-over. With `turnKeys`, the
   * engine reads what a turn needs of it with its lock, and the flows see it through `forTurn`.
   */
  conversations: ConversationPort & Partial<Pick<ConversationService, 'turnKeys' | 'forTurn'>>;
  /** Office hours and other settings flows need, already parsed. */
  settings: FlowSettings;
  /** Clears what a channel keeps of the conversation's replies for the person's device (the web chat's backlog). */
  chatHistory?: { clear(conversationId: string): Promise<void> };
}

/** Settings flows read. */
export interface FlowSettings {
  /** The charity's name as young people know it. */
  charityName: string;
  officeHours: string;
  timezone: string;
  joinCodeTtlDays: number;
  refresherDays: number;
}
