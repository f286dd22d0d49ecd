import { HavenError } from '../../common/errors';
/** A youth worker leading a session: a staff account, as the session keeps it. */
export interface GroupWorker {
  /** The staff account's id. */
  id: string;
  name: string;
  email: string;
}

/** Where a session is: on, or cancelled (everyone signed up was told). */
export type GroupStatus = 'scheduled' | 'cancelled';

/** The charity's policy: every group session is led by at least this many youth workers. */
export const MIN_GROUP_WORKERS = 2;

/** Why fewer than two workers is refused, in the policy's words. */
export const MIN_WORKERS_REASON =
  'our policy is that at least two youth workers lead every group session, so that no young person is ever alone online with one adult and there is always someone to step out with a young person who is upset';

/** One peer support group session on Zoom (or another https meeting link). */
export interface GroupSession {
  id: string;
  title: string;
  /** A short description young people read. */
  description: string;
  /** Start (ms since epoch). */
  at: number;
  minutes: number;
  /** The meeting link; sent to those signed up shortly before the start, never days ahead. */
  link: string;
  capacity: number;
  ageMin?: number;
  ageMax?: number;
  workers: GroupWorker[];
  /** The group's first session: ground rules are set together in it. */
  firstSession: boolean;
  status: GroupStatus;
  createdAt: number;
  updatedAt: number;
  createdBy: string;
  /** Who last changed it (edit, move, cancel). */
  updatedBy?: string;
  /** Goes up by one with every change (makes message ids for each change unique). */
  version: number;
}

/** A young person's place: booked, or on the waiting list. */
export type PlaceStatus = 'booked' | 'waiting';

/** One young person on a session's list. Staff see `name`: a first name or pseudonym only. */
export interface GroupPlace {
  memberId: string;
  /** First name or pseudonym. */
  name: string;
  /** Pseudonymous conversation id, to tell them about the session. */
  conversationId: string;
  signedUpAt: number;
  status: PlaceStatus;
  /** Marked by staff after the session. */
  attended?: boolean;
  /** Set when a message about the session could not reach them (they said "stop", or the platform refused). */
  notDelivered?: string;
}

/** What staff give to create or edit a session. */
export interface GroupInput {
  title: string;
  description: string;
  at: number;
  minutes: number;
  link: string;
  capacity: number;
  ageMin?: number;
  ageMax?: number;
  /** Staff account emails or ids of the youth workers leading it. */
  workers: string[];
  /** Unset: the first session when no earlier session has the same title. */
  firstSession?: boolean;
}

/** What the service tells listeners after a change (ids only). */
export interface GroupChange {
  type: 'created' | 'edited' | 'moved' | 'cancelled' | 'signed_up' | 'left' | 'promoted' | 'attendance' | 'deleted';
  groupId: string;
}

/** Why a group action was refused; `code` says which. */
export class GroupError extends HavenError {
  constructor(
    override readonly code: 'NOT_FOUND' | 'INVALID' | 'TOO_FEW_WORKERS' | 'WRONG_STATE' | 'FULL',
    message: string,
  ) {
    super(message, code);
  }
}
