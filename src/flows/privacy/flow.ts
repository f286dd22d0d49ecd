import type { NamedFlow } from '../../engine/flow';
import { MENU_CHOICES } from '../help/help';
import { plainSaid } from '../shared/said';
import {
  DISCREET_OFF_TEXT,
  DISCREET_ON_TEXT,
  OPTED_IN_TEXT,
  optedOutText,
  privacyMore,
  privacyNotice,
  type PrivacyFacts,
} from './texts';

/** Payloads of the privacy choices. */
export const PRIVACY = { notice: 'PRIVACY', more: 'PRIVACY_MORE' } as const;

const STOP = /^(stop|stop messages|stop messaging me|stop texting me|unsubscribe|opt out|leave me alone)$/;
const START = /^(start|start again|unstop|subscribe|opt in)$/;
const NOTICE =
  /^(privacy|privacy notice|my privacy|what do you keep|what do you keep about me|what do you store|what data do you keep|what info do you keep)$/;
const DISCREET_ON = /^(discreet|discreet mode|discreet on|be discreet|turn on discreet( mode)?)$/;
const DISCREET_OFF =
  /^(discreet off|not discreet|stop discreet|stop being discreet|turn off discreet( mode)?|normal messages)$/;

/**
 * Privacy controls, early in the chain so they work at any time, even in the middle of another
 * flow: `stop` ("unsubscribe", "leave me alone") opts out of every non-essential message (the
 * outbound worker then drops `notice` jobs; replies and staff messages still go) and ends any flow
 * in progress; `start` opts back in (for someone not opted out it falls through to the
 * greeting); "privacy" / "what do you keep" gives a short notice with "More"; "discreet" turns on
 * discreet mode (applied to every message by the outbound worker), "discreet off" ends it.
 */
export function privacyFlow(facts: Omit<PrivacyFacts, 'charityName'>): NamedFlow {
  return {
    name: 'privacy',
    run: async (ctx, next) => {
      const said = plainSaid(ctx.input);
      const f = { ...facts, charityName: ctx.services.settings.charityName };
      if (STOP.test(said)) {
        const hadFlow = ctx.state.flow !== undefined;
        ctx.state.optedOut = true;
        ctx.state.flow = undefined;
        ctx.log.info({ event: 'opted_out' }, 'opted out of non-essential messages');
        ctx.reply(optedOutText(hadFlow));
        return;
      }
      if (START.test(said) && ctx.state.optedOut) {
        ctx.state.optedOut = false;
        ctx.log.info({ event: 'opted_in' }, 'opted back in to non-essential messages');
        ctx.reply(OPTED_IN_TEXT, MENU_CHOICES);
        return;
      }
      if (ctx.input === PRIVACY.notice || NOTICE.test(said)) {
        ctx.reply(privacyNotice(f), [{ title: 'More', payload: PRIVACY.more }]);
        return;
      }
      if (ctx.input === PRIVACY.more) {
        ctx.reply(privacyMore(f), MENU_CHOICES);
        return;
      }
      if (DISCREET_OFF.test(said)) {
        ctx.state.discreet = false;
        ctx.reply(DISCREET_OFF_TEXT);
        return;
      }
      if (DISCREET_ON.test(said)) {
        ctx.state.discreet = true;
        ctx.reply(DISCREET_ON_TEXT);
        return;
      }
      await next();
    },
  };
}
