import type { Choice } from '../../engine/message';
import { MENU } from '../help/help';

/** Payloads of this flow's choices (each carries the session id where it needs one). */
export const GRP = {
  list: 'GRP_LIST',
  mine: 'GRP_MINE',
  view: (id: string) => `GRP_VIEW_${id}`,
  signUp: (id: string) => `GRP_SIGN_${id}`,
  wait: (id: string) => `GRP_WAIT_${id}`,
  leave: (id: string) => `GRP_LEAVE_${id}`,
  leaveYes: (id: string) => `GRP_LEAVEYES_${id}`,
  keep: 'GRP_KEEP',
} as const;

/** Typed ways of asking what's on. */
export const WHATS_ON =
  /^(what'?s on|whats on|what is on|groups?|group sessions?|(peer )?(support )?groups?( sessions?)?|what groups are (there|on)|any groups( on)?|are there any groups|show (me )?(the )?groups|zoom groups?)$/;
/** "is there a group i can go to", "any groups i could join", "can i join a group": asking what groups there are. */
export const GROUP_ASK =
  /^(?:is there|are there|r there|any|do you have|do u have|can i (?:go to|join|come to)|could i (?:go to|join)|how do i join)\b.{0,30}\bgroups?\b.{0,30}$/;
/** Typed ways of asking for one's own sign-ups. */
export const MINE =
  /^(my groups?|my group sessions?|my sign ?ups?|my signups|my bookings?|my places?|groups i'?m (on|in)|cancel (my )?(group|place|group place))$/;

/** For someone who has not joined (as for one-to-ones). */
export function groupsNotMemberText(): string {
  return [
    'Our online groups are for young carers who have joined 🙂',
    'First you need to join. Ask a youth worker, or your parent or carer, about our consent form. When it is signed, you get a join code.',
    'Then send the word join and your code, like this: join ABCD1234',
  ].join('\n\n');
}

export const NOT_MEMBER_CHOICES: Choice[] = [
  { title: 'Staying safe online', payload: MENU.safety },
  { title: "I'm worried", payload: MENU.worried },
];

export const NOTHING_ON =
  'There are no group sessions coming up right now. Have a look again soon, or ask a youth worker about them. You can still ask for a one-to-one.';

export const GONE = 'Sorry, that group session isn\'t on any more. Send "groups" to see what\'s on.';
