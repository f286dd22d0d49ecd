import type { AlertService } from '../domain/alerts/service';
import type { MemberLookup, MemberRef } from '../domain/members/types';
import type { MemberStore } from '../domain/members/store';
import type { RequestService } from '../domain/requests/service';

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
