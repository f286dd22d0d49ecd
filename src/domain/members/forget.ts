import type { RequestService } from '../requests/service';
import type { MemberStore } from './store';

/** What forgetting a member needs of the members and requests modules. */
export interface ForgetPorts {
  members: Pick<MemberStore, 'get' | 'remove' | 'unlinkAll'>;
  requests: Pick<RequestService, 'eraseMember' | 'notifyDataDeleted'>;
}

/**
 * Deletes what Haven holds about a member at their request (or staff's): their one-to-one
 * requests (open ones cancelled and their reminders removed), every channel link and the linked
 * conversations' state; with `removeRecord` the member record and join code too. Staff are told.
 * Safeguarding records are not touched: they are kept as the policy says.
 */
export async function forgetMember(
  d: ForgetPorts,
  memberId: string,
  opts: { removeRecord?: boolean; notifyStaff?: boolean } = {},
): Promise<{ requests: number; links: string[] } | null> {
  const member = await d.members.get(memberId);
  if (!member) return null;
  const requests = await d.requests.eraseMember(memberId);
  const links = opts.removeRecord ? ((await d.members.remove(memberId)) ?? []) : await d.members.unlinkAll(memberId);
  if (opts.notifyStaff !== false) await d.requests.notifyDataDeleted(member.name);
  return { requests, links };
}
