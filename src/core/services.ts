import type { AlertService } from './alerts/service';
import type { MemberRef } from './flow';
import type { MemberStore } from './members/store';
import type { RequestService } from './requests/service';

/** Looks up which member (if any) a conversation is linked to. */
export interface MemberLookup {
  forConversation(conversationId: string): Promise<MemberRef | null>;
}

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
