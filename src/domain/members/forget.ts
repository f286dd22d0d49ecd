import type { ConversationPort } from '../conversations/service';
import type { RequestService } from '../requests/service';
import type { DeletedBy } from '../requests/notify';
import type { MemberStore } from './store';

/** What forgetting a member needs of the members and requests modules. */
export interface ForgetPorts {
  members: Pick<MemberStore, 'get' | 'remove' | 'unlinkAll'>;
  requests: Pick<RequestService, 'eraseMember' | 'notifyDataDeleted'>;
  /** Group sign-ups go too (a freed place goes to the next on the waiting list, who is told). */
  groups?: { eraseMember(memberId: string): Promise<number> };
  /** The staff inbox, whose threads are erased with the member. */
  conversations?: Pick<ConversationPort, 'erase'>;
}

/**
 * Deletes what Haven holds about a member at their request (or staff's): their one-to-one
 * requests (open ones cancelled and their reminders removed), their group sign-ups, every channel link and the linked
 * conversations' state, and (given `conversations`) their staff inbox threads; with `removeRecord` the member record
 * and join code too. Staff are told
 * who had it done (`by`: the young person unless a member of staff is named). Safeguarding records are not touched: they are kept as the policy says.
 */
export async function forgetMember(
  d: ForgetPorts,
  memberId: string,
  opts: { removeRecord?: boolean; notifyStaff?: boolean; by?: DeletedBy } = {},
): Promise<{ requests: number; links: string[]; groups: number } | null> {
  const member = await d.members.get(memberId);
  if (!member) return null;
  const requests = await d.requests.eraseMember(memberId);
  // Group sign-ups go too (a freed place goes to the next on the waiting list, who is told).
  const groups = d.groups ? await d.groups.eraseMember(memberId) : 0;
  await d.conversations?.erase(member.links);
  const links = opts.removeRecord ? ((await d.members.remove(memberId)) ?? []) : await d.members.unlinkAll(memberId);
  if (opts.notifyStaff !== false) await d.requests.notifyDataDeleted(member.name, opts.by);
  return { requests, links, groups };
}
