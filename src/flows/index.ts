import type { NamedFlow } from '../engine/flow';
import { helpFlow } from './help/help';
import { joinFlow } from './join/join';
import { myDataFlow } from './my-data/flow';
import { oneToOneFlow } from './one-to-one/flow';
import { loadSafetyContent } from './online-safety/content';
import { firstContactSafetyFlow, onlineSafetyFlow, safetyRefresherFlow, welcomeSafetyNote } from './online-safety/flow';
import { privacyFlow } from './privacy/flow';
import { safeguardingReplyFlow } from './safeguarding/reply';
import { tellingQuestionFlow } from './safeguarding/privacy';
import { staffAckFlow } from './staff/ack';

/** What the flows are built from (read from settings by the composition root). */
export interface FlowOptions {
  /** A staff-edited online-safety content file; the bundled content when unset. */
  safetyContentPath?: string;
  stateDays: number;
  requestDays: number;
  preferencesDays: number;
}

/**
 * The flows, in the order they see each message. Staff commands first (they only act for staff
 * identities), then the safeguarding reply (which answers any message that raised an alert and
 * stops there), then the rest, with help last as the catch-all.
 */
export function buildFlows(options: FlowOptions): NamedFlow[] {
  const safety = loadSafetyContent(options.safetyContentPath);
  return [
    staffAckFlow(),
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
    }),
    // the refresher goes on top of whatever answers, so before every flow that answers
    safetyRefresherFlow(safety),
    oneToOneFlow(),
    onlineSafetyFlow(safety),
    helpFlow({ welcomeNote: (ctx) => welcomeSafetyNote(safety, ctx) }),
  ];
}
