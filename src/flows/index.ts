import type { NamedFlow } from '../engine/flow';
import { groupsFlow } from './groups/flow';
import { helpFlow } from './help/help';
import { handoverFlow, inboxFlow, inboxRecordFlow, passToTeam } from './inbox/flow';
import { joinFlow } from './join/join';
import { myDataFlow } from './my-data/flow';
import { oneToOneFlow } from './one-to-one/flow';
import type { SafetyContent } from './online-safety/content';
import { firstContactSafetyFlow, onlineSafetyFlow, safetyRefresherFlow, welcomeSafetyNote } from './online-safety/flow';
import { privacyFlow } from './privacy/flow';
import { safeguardingReplyFlow } from './safeguarding/reply';
import { tellingQuestionFlow } from './safeguarding/privacy';
import { staffAckFlow } from './staff/ack';

/** What the flows are built from (read from settings by the composition root). */
export interface FlowOptions {
  /** The online-safety content, loaded once by the composition root (a staff-edited file or the bundled one). */
  safety: SafetyContent;
  stateDays: number;
  requestDays: number;
  preferencesDays: number;
  /** Group sign-ups are kept this long after the session (quoted in the privacy notice). */
  groupDays?: number;
  /** Staff inbox threads are kept this long after a chat ends (quoted in the privacy notice). */
  conversationDays?: number;
}

/**
 * The flows, in the order they see each message. Staff commands first (they only act for staff
 * identities), then the safeguarding reply (which answers any message that raised an alert and
 * stops there), then the rest, with help last as the catch-all.
 */
export function buildFlows(options: FlowOptions): NamedFlow[] {
  const { safety } = options;
  return [
    staffAckFlow(),
    // records each turn of a conversation open in the staff inbox (outermost, so it sees every reply)
    inboxRecordFlow(),
    safeguardingReplyFlow(),
    // "please don't tell my mum": an honest answer about what stays private (the screen raises no alert for it)
    tellingQuestionFlow(),
    // the short safety reminder under any first answer that is not the welcome (which carries it)
    firstContactSafetyFlow(safety),
    // join and my-data before privacy: "what do you know about me" gets their own data, not the general notice
    joinFlow(),
    myDataFlow({ stateDays: options.stateDays }),
    // privacy early: stop/start work at any time, even in the middle of another flow
    privacyFlow({
      stateDays: options.stateDays,
      requestDays: options.requestDays,
      preferencesDays: options.preferencesDays,
      groupDays: options.groupDays,
      conversationDays: options.conversationDays,
    }),
    // while staff hold the conversation, nothing after this answers (the safeguarding reply and privacy still do)
    handoverFlow(),
    // the refresher goes on top of whatever answers, so before every flow that answers
    safetyRefresherFlow(safety),
    // peer support groups: "what's on", "groups", "my groups" and their buttons
    groupsFlow(),
    // "I'm worried", asking for a real person, a reply to staff: to the staff inbox
    inboxFlow(),
    oneToOneFlow(),
    onlineSafetyFlow(safety),
    helpFlow({ welcomeNote: (ctx) => welcomeSafetyNote(safety, ctx), unmatched: passToTeam }),
  ];
}
