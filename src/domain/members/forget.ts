import type { RequestService } from '../requests/service';
import type { DeletedBy } from '../requests/notify';
import type { MemberStore } from './store';

/**
 * Deletes what Haven holds about a member at their request (or staff's): their one-to-one
 * requests (open ones cancelled and their reminders removed), every channel link and the linked
 * conversations' state; with `removeRecord` the member record and join code too. Staff are told
 * who had it done (`by`: the young person unless a member of staff is named).
 * Safeguarding records are not touched: they are kept as the policy says.
 */
export async function forgetMember(
  d: { members: MemberStore; requests: RequestService },
  memberId: string,
  opts: { removeRecord?: boolean; notifyStaff?: boolean; by?: DeletedBy } = {},
): Promise<{ requests: number; links: string[] } | null> {
  const member = await d.members.get(memberId);
  if (!member) return null;
  const requests = await d.requests.eraseMember(memberId);
  const links = opts.removeRecord ? ((await d.members.remove(memberId)) ?? []) : await d.members.unlinkAll(memberId);
  if (opts.notifyStaff !== false) await d.requests.notifyDataDeleted(member.name, opts.by);
  return { requests, links };
}
