import type { Config } from '../config';
import type { NamedFlow } from '../core/flow';
import { helpFlow } from './help/help';
import { joinFlow } from './join/join';
import { myDataFlow } from './my-data/flow';
import { oneToOneFlow } from './one-to-one/flow';
import { loadSafetyContent } from './online-safety/content';
import { firstContactSafetyFlow, onlineSafetyFlow, safetyRefresherFlow, welcomeSafetyNote } from './online-safety/flow';
import { privacyFlow } from './privacy/flow';
import { safeguardingReplyFlow } from './safeguarding/reply';
import { staffAckFlow } from './staff/ack';

/**
 * The flows, in the order they see each message. Staff commands first (they only act for staff
 * identities), then the safeguarding reply (which answers any message that raised an alert and
 * stops there), then the rest, with help last as the catch-all.
 */
export function buildFlows(config: Config): NamedFlow[] {
  const safety = loadSafetyContent(config.SAFETY_CONTENT_PATH);
  return [
    staffAckFlow(),
    safeguardingReplyFlow(),
    // the short safety reminder under any first answer that is not the welcome (which carries it)
    firstContactSafetyFlow(safety),
    // join and my-data before privacy: "what do you know about me" gets their own data, not the general notice
    joinFlow(),
    myDataFlow({ stateDays: config.STATE_TTL_DAYS }),
    // privacy early: stop/start work at any time, even in the middle of another flow
    privacyFlow({
      stateDays: config.STATE_TTL_DAYS,
      requestDays: config.REQUEST_RETENTION_DAYS,
      preferencesDays: config.PREFERENCES_TTL_DAYS,
    }),
    // the refresher goes on top of whatever answers, so before every flow that answers
    safetyRefresherFlow(safety),
    oneToOneFlow(),
    onlineSafetyFlow(safety),
    helpFlow({ welcomeNote: (ctx) => welcomeSafetyNote(safety, ctx) }),
  ];
}
