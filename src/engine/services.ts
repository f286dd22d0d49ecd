import type { AlertService } from '../domain/alerts/service';
import type { ConversationPort } from '../domain/conversations/service';
import type { MemberLookup, MemberRef } from '../domain/members/types';
import type { MemberStore } from '../domain/members/store';
import type { RequestService } from '../domain/requests/service';
import type { GroupsPort } from '../domain/groups/service';

export type { MemberLookup, MemberRef };

/**
 * The domain services flows may use. Built once in main.ts (and in tests) and handed to every
 * flow through its context. Each is backed by Redis, never by a platform SDK.
 */
export interface Services {
  /** Members, consent, join codes and channel links. */
  members: MemberStore;
  /** The coordinator's queue of one-to-one requests. */
  requests: RequestService;
  alerts: AlertService;
  /** Peer support group sessions (absent where groups are not wired, e.g. some unit tests). */
  groups?: GroupsPort;
  /** The staff inbox: conversations with a person, their threads, hand-over. */
  conversations: ConversationPort;
  /** Office hours and other settings flows need, already parsed. */
  settings: FlowSettings;
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
