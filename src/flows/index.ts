import type { Config } from '../config';
import type { NamedFlow } from '../core/flow';
import { helpFlow } from './help/help';
import { safeguardingReplyFlow } from './safeguarding/reply';
import { staffAckFlow } from './staff/ack';

/**
 * The flows, in the order they see each message. Staff commands first (they only act for staff
 * identities), then the safeguarding reply (which answers any message that raised an alert and
 * stops there), then the rest, with help last as the catch-all.
 */
// eslint-disable-next-line @typescript-eslint/no-unused-vars
export function buildFlows(_config: Config): NamedFlow[] {
  return [staffAckFlow(), safeguardingReplyFlow(), helpFlow()];
}
