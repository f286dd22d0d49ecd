import type { ChannelName } from '../../engine/message';
import type { MeetingPlatform } from '../../common/meeting';
import { HavenError } from '../../common/errors';

/** Where a one-to-one request is: new → claimed → scheduled → done | cancelled. */
export const REQUEST_STATUSES = ['new', 'claimed', 'scheduled', 'done', 'cancelled'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/** Statuses of a request that is still open. */
export const OPEN_STATUSES: readonly RequestStatus[] = ['new', 'claimed', 'scheduled'];

/** How many youth workers the young person would like. */
export const WORKER_PREFERENCES = ['one', 'two', 'no_preference'] as const;
export type WorkerPreference = (typeof WORKER_PREFERENCES)[number];

/** What the young person told us when asking for a one-to-one. */
export interface RequestAnswers {
  platform: MeetingPlatform;
  /** When suits them, in their own words. */
  when: string;
  workers: WorkerPreference;
  /** Anything they'd like the worker to know first (optional). */
  note?: string;
  /** A youth worker they asked for by name ("can I chat to Terry"). */
  askedFor?: string;
}

/** One arranged session. */
export interface Session {
  /** Start time (ms since epoch). */
  at: number;
  /** A Zoom or Teams link, or words such as "we'll call you on WhatsApp". */
  place: string;
}

/** A one-to-one request as staff see it. `conversationId` is pseudonymous; no platform ids here. */
export interface OneToOneRequest extends RequestAnswers {
  id: string;
  memberId: string;
  memberName: string;
  conversationId: string;
  channel: ChannelName;
  status: RequestStatus;
  createdAt: number;
  updatedAt: number;
  /** Goes up by one with every change (makes message ids for each change unique). */
  version: number;
  claimedBy?: string;
  /** The youth workers (one or two names) who will meet the young person. */
  workersAssigned: string[];
  /**
   * The staff accounts of the assigned workers, when they were chosen from the dashboard's list
   * (in the order of `workersAssigned`), so each can see their own sessions. Absent for names typed
   * on the command line.
   */
  workerIds?: string[];
  session?: Session;
  closedAt?: number;
  outcome?: 'done' | 'cancelled';
}

/** One line of a request's history: what happened, who did it, when. */
export interface RequestEvent {
  at: number;
  event:
    | 'created'
    | 'changed'
    | 'claimed'
    | 'assigned'
    | 'scheduled'
    | 'rescheduled'
    | 'messaged'
    | 'closed'
    | 'reminded'
    /** A message to the young person that did not reach them (opted out, or the platform refused). */
    | 'not_delivered';
  by: string;
  detail?: string;
}

/** What the service tells listeners (the dashboard's live view) after a change. */
export interface RequestChange {
  type: RequestEvent['event'] | 'deleted';
  requestId: string;
  status?: RequestStatus;
}

/** Why a request action was refused; `code` says which. */
export class RequestError extends HavenError {
  declare readonly code: 'NOT_FOUND' | 'WRONG_STATE' | 'INVALID';
  constructor(code: 'NOT_FOUND' | 'WRONG_STATE' | 'INVALID', message: string) {
    super(message, code, { permanent: true });
  }
}
