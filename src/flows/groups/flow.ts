import type { FlowContext, NamedFlow } from '../../engine/flow';
import type { Choice } from '../../engine/message';
import type { GroupsPort } from '../../domain/groups';
import { formatSessionTime } from '../../domain/requests/texts';
import { sessionDetails } from '../../domain/groups/texts';
import { plainSaid } from '../shared/said';
import { GONE, GROUP_ASK, GRP, groupsNotMemberText, MINE, NOT_MEMBER_CHOICES, NOTHING_ON, WHATS_ON } from './texts';

/** The flow's name in `ctx.state.flow` (only while "Cancel your place?" waits for an answer). */
const FLOW = 'groups';
const YES = /^(yes|y|yeah|yep|ok|okay|sure|yes cancel it|yes leave it|cancel it)$/;
const NO = /^(no|n|nope|nah|no keep it|keep it)$/;

/** At most this many sessions are offered as buttons at once. */
const MAX_LISTED = 8;

/**
 * Peer support groups for young people: "what's on" / "groups" lists the sessions coming up with
 * a button each; a session's button shows it with Sign up (or, when full, the waiting list);
 * "my groups" shows their sign-ups with the link when it is due and a button to cancel (asked
 * twice, since a place given up goes to the next on the waiting list). Strangers are told how to
 * join. Needs no conversation state: every button carries the session id.
 */
export function groupsFlow(): NamedFlow {
  return {
    name: 'groups',
    run: async (ctx, next) => {
      const groups = ctx.services.groups;
      if (!groups) return next();
      const said = ctx.message.kind === 'choice' ? '' : plainSaid(ctx.input);
      const payload = ctx.message.kind === 'choice' ? ctx.input : '';
      const wantsList = payload === GRP.list || WHATS_ON.test(said) || GROUP_ASK.test(said);
      const wantsMine = payload === GRP.mine || MINE.test(said);
      const action = /^GRP_(VIEW|SIGN|WAIT|LEAVE|LEAVEYES)_([0-9a-f-]{36})$/.exec(payload);
      // "Cancel your place?" answered by typing rather than tapping.
      const asked = ctx.state.flow?.name === FLOW ? ctx.state.flow : undefined;
      if (asked) {
        ctx.state.flow = undefined;
        if (!action && ctx.member && YES.test(said)) return leave(ctx, groups, asked.answers.id as string);
        if (!action && NO.test(said)) return void ctx.reply("OK, you've kept your place 🙂");
      }
      if (!wantsList && !wantsMine && !action && payload !== GRP.keep) return next();
      if (!ctx.member) {
        ctx.reply(groupsNotMemberText(), NOT_MEMBER_CHOICES);
        return;
      }
      if (payload === GRP.keep) return void ctx.reply("OK, you've kept your place 🙂");
      if (wantsList) return list(ctx, groups);
      if (wantsMine) return mine(ctx, groups);
      const [, verb, id] = action as RegExpExecArray;
      switch (verb) {
        case 'VIEW':
          return view(ctx, groups, id as string);
        case 'SIGN':
          return signUp(ctx, groups, id as string, false);
        case 'WAIT':
          return signUp(ctx, groups, id as string, true);
        case 'LEAVE':
          return askLeave(ctx, groups, id as string);
        default:
          return leave(ctx, groups, id as string);
      }
    },
  };
}

async function list(ctx: FlowContext, groups: GroupsPort): Promise<void> {
  const tz = ctx.services.settings.timezone;
  const upcoming = (await groups.upcoming()).slice(0, MAX_LISTED);
  if (!upcoming.length) return void ctx.reply(NOTHING_ON);
  const lines = upcoming.map(
    ({ session: s, placesLeft }, i) =>
      `${i + 1}. ${s.title}: ${formatSessionTime(s.at, tz)}${placesLeft > 0 ? '' : ' (full: waiting list)'}`,
  );
  ctx.reply(
    `Our online groups coming up, on Zoom with two youth workers:\n${lines.join('\n')}\n\nTap one to see more and sign up.`,
    [
      // Numbered as in the list (a button's title may be cut short on some apps).
      ...upcoming.map(({ session: s }, i) => ({ title: `${i + 1}. ${s.title}`, payload: GRP.view(s.id) })),
      { title: 'My groups', payload: GRP.mine },
    ],
  );
}

async function view(ctx: FlowContext, groups: GroupsPort, id: string): Promise<void> {
  const tz = ctx.services.settings.timezone;
  const s = await groups.get(id);
  if (!s || s.status !== 'scheduled' || s.at <= ctx.now.getTime()) return void ctx.reply(GONE, listChoice());
  const place = await groups.placeOf(id, ctx.member!.id);
  const left = (await groups.upcoming()).find((u) => u.session.id === id)?.placesLeft ?? 0;
  const details = sessionDetails(s, tz, left);
  if (place) {
    ctx.reply(
      `${details}\n\n${place.status === 'booked' ? "You're booked on this one 🙂" : "You're on the waiting list for this one."}`,
      [
        { title: place.status === 'booked' ? 'Cancel my place' : 'Leave waiting list', payload: GRP.leave(id) },
        ...listChoice(),
      ],
    );
    return;
  }
  if (left > 0) {
    ctx.reply(details, [{ title: 'Sign up', payload: GRP.signUp(id) }, ...listChoice()]);
    return;
  }
  ctx.reply(
    `${details}\n\nWould you like to go on the waiting list? If a place comes free, the first person on the list gets it.`,
    [{ title: 'Join waiting list', payload: GRP.wait(id) }, ...listChoice()],
  );
}

function listChoice(): Choice[] {
  return [{ title: 'All groups', payload: GRP.list }];
}

async function signUp(ctx: FlowContext, groups: GroupsPort, id: string, waitingList: boolean): Promise<void> {
  const member = ctx.member!;
  const out = await groups.signUp(
    id,
    { memberId: member.id, name: member.name, conversationId: ctx.conversationId },
    { waitingList },
  );
  switch (out.outcome) {
    case 'booked':
    case 'waiting':
      for (const m of out.messages) ctx.reply(m);
      return;
    case 'full':
      return void ctx.reply(
        'Sorry, the last place has just gone. Would you like to go on the waiting list? If a place comes free, the first person on the list gets it.',
        [{ title: 'Join waiting list', payload: GRP.wait(id) }, ...listChoice()],
      );
    case 'already':
      return void ctx.reply(
        out.place?.status === 'waiting'
          ? "You're already on the waiting list for this one."
          : "You're already booked on this one 🙂",
        [{ title: 'My groups', payload: GRP.mine }],
      );
    case 'started':
      return void ctx.reply('Sorry, that session has already started.', listChoice());
    default:
      return void ctx.reply(GONE, listChoice());
  }
}

async function mine(ctx: FlowContext, groups: GroupsPort): Promise<void> {
  const tz = ctx.services.settings.timezone;
  const mineList = await groups.signUpsOf(ctx.member!.id);
  if (!mineList.length) {
    ctx.reply("You're not signed up for any groups right now.", [{ title: "What's on", payload: GRP.list }]);
    return;
  }
  const lines = mineList.map(({ session: s, place, position }, i) => {
    const link = place.status === 'booked' ? groups.linkIfDue(s) : null;
    const status =
      place.status === 'booked'
        ? link
          ? `Booked. Here's the Zoom link: ${link} (don't share it)`
          : `Booked. I'll send the link ${groups.linkMinutesBefore} minutes before.`
        : `On the waiting list${position ? `, number ${position}` : ''}`;
    return `${i + 1}. ${s.title}: ${formatSessionTime(s.at, tz)}\n   ${status}`;
  });
  ctx.reply(`Your groups:\n${lines.join('\n')}`, [
    ...mineList.map(({ session: s, place }) => ({
      title: `${place.status === 'booked' ? 'Cancel' : 'Leave list'}: ${s.title}`,
      payload: GRP.leave(s.id),
    })),
    { title: 'All groups', payload: GRP.list },
  ]);
}

async function askLeave(ctx: FlowContext, groups: GroupsPort, id: string): Promise<void> {
  const s = await groups.get(id);
  const place = s ? await groups.placeOf(id, ctx.member!.id) : null;
  if (!s || !place) return void ctx.reply("You're not on that session, so there's nothing to cancel.", listChoice());
  ctx.state.flow = { name: FLOW, step: 'leave', answers: { id } };
  ctx.reply(
    place.status === 'booked'
      ? `Cancel your place on ${s.title}? It will go to the next person on the waiting list.`
      : `Leave the waiting list for ${s.title}?`,
    [
      { title: place.status === 'booked' ? 'Yes, cancel it' : 'Yes, leave it', payload: GRP.leaveYes(id) },
      { title: 'No, keep it', payload: GRP.keep },
    ],
  );
}

async function leave(ctx: FlowContext, groups: GroupsPort, id: string): Promise<void> {
  const out = await groups.leave(id, ctx.member!.id);
  if (out.was === 'none')
    return void ctx.reply("You're not on that session, so there's nothing to cancel.", listChoice());
  const title = out.session?.title ?? 'that session';
  ctx.reply(
    out.was === 'booked'
      ? `OK, I've cancelled your place on ${title}. Thanks for letting us know, it means someone else can come 🙂`
      : `OK, I've taken you off the waiting list for ${title}.`,
    listChoice(),
  );
}
