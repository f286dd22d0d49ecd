import type { FlowContext, NamedFlow } from '../../engine/flow';
import { MENU } from '../../engine/message';
import type { Topic } from '../../domain/conversations/types';
import { LOW_MOOD, WHAT_IS, WORRIED } from '../help/help';
import { CANCEL, CHANGE, STATUS } from '../one-to-one/recognise';
import { adviceAgain, WHAT_TO_DO } from '../safeguarding/reply';
import { plainSaid } from '../shared/said';
import { texts } from './texts';

/** Messages of this turn that wait for a person (passed to the team, or said during hand-over). */
const forTeam = new WeakSet<FlowContext>();

/**
 * "i saw a video on tiktok that upset me", "it scared me", "i cant stop thinking about it": telling us something
 * upset them, which the online-safety tips ask them to do here.
 */
const UPSET =
  /\b(upset|upsetting|scared me|frightened me|made me cry|can\u0027?t stop thinking about|cant stop thinking about|worrying me|(bothers|bothered|bothering) me)\b/;

/** "can i talk to a real person", "speak to a human", "human please": asking for a person, not the bot. */
export const REAL_PERSON =
  /\b(real|actual|live) (person|human|people|youth worker)\b|\b(talk|speak|chat) (to|with) (a |an )?(human|person)\b|^(human|a human|person|a person|human please|person please)$/;

/**
 * Outermost: while a conversation is open in the staff inbox, each message and Haven's replies to
 * it go into its thread (a message that raised an alert as a line saying so: its words stay with
 * the alert). Runs after the whole chain, so it records exactly what was sent.
 *
 * A message that raised an alert opens the conversation (or links the alert to the one open): the
 * safeguarding reply tells the young person a youth worker will read it and get in touch, and the
 * inbox is where staff can, on the young person's own channel. It waits for a person.
 */
export function inboxRecordFlow(): NamedFlow {
  return {
    name: 'inbox-record',
    run: async (ctx, next) => {
      if (ctx.services.alerts.isStaff(ctx.conversationId) || ctx.message.kind === 'start') return next();
      const from = ctx.replies.length;
      await next();
      const conv = ctx.alertId
        ? await openFor(ctx, 'alert', [ctx.alertId])
        : await ctx.services.conversations.current(ctx.conversationId);
      if (!conv) return;
      await ctx.services.conversations.recordTurn(conv.id, {
        text: ctx.message.text,
        alertId: ctx.alertId,
        forTeam: forTeam.has(ctx) || conv.holder !== undefined || ctx.alertId !== undefined,
        replies: ctx.replies.slice(from).map((r) => r.text),
      });
    },
  };
}

/**
 * Hand-over: while a member of staff holds the conversation, Haven says nothing more. Placed after
 * the safeguarding reply and the commands that must always work (stop, delete my data, privacy,
 * discreet), which still answer; everything else goes to the thread for the person holding it.
 */
export function handoverFlow(): NamedFlow {
  return {
    name: 'handover',
    run: async (ctx, next) => {
      const conv = await ctx.services.conversations.current(ctx.conversationId);
      if (!conv?.holder) return next();
      forTeam.add(ctx);
    },
  };
}

/**
 * What opens a conversation by itself: "I'm worried" (and the worry that follows, which lands in
 * its thread), asking for a real person, and a reply to a message staff sent from a request.
 */
export function inboxFlow(): NamedFlow {
  return {
    name: 'inbox',
    run: async (ctx, next) => {
      const inbox = ctx.services.conversations;
      const said = plainSaid(ctx.message.kind === 'choice' ? '' : ctx.message.text);
      if (ctx.input === MENU.worried || WORRIED.test(said)) {
        // Not yet waiting for a person: the worry itself, their next message, is what staff answer.
        await openFor(ctx, 'worry');
        ctx.reply(texts.worried(inbox.whenRead(ctx.now)));
        return;
      }
      // Low mood the screen let through ("im not going to kill myself dont worry, just fed up"), or something that
      // upset them (the safety tips say to tell a youth worker here): a person reads it. Not while another flow asks
      // its questions (an answer to "anything the youth worker should know?" is that).
      if (ctx.state.flow === undefined) {
        const answer = LOW_MOOD.test(said)
          ? texts.lowMood(inbox.whenRead(ctx.now))
          : UPSET.test(said)
            ? texts.passed(inbox.whenRead(ctx.now))
            : null;
        if (answer !== null && (await handOn(ctx, async () => ({ topic: 'worry' }), answer))) return;
      }
      // "are you a real person" asks what Haven is (the help flow answers it), not for a person
      if (ctx.input === MENU.person || (REAL_PERSON.test(said) && !WHAT_IS.test(said))) {
        await openFor(ctx, 'person');
        forTeam.add(ctx);
        ctx.reply(texts.person(inbox.whenRead(ctx.now)));
        return;
      }
      if (
        ctx.message.kind === 'text' &&
        !STATUS.test(said) &&
        !CANCEL.test(said) &&
        !CHANGE.test(said) &&
        (await inbox.hasPendingStaffMessage(ctx.conversationId))
      ) {
        const conv = await openFor(ctx, 'staff_reply');
        const staff = await inbox.takePendingStaffMessage(conv.id, ctx.conversationId);
        forTeam.add(ctx);
        ctx.reply(texts.replyPassed(staff?.by ?? 'our youth workers', inbox.whenRead(ctx.now)));
        return;
      }
      return next();
    },
  };
}

/**
 * For the help flow, before "Sorry, I didn't quite get that": text Haven has no flow for goes to
 * the team when a conversation is open, or a request, a booked session or an alert is. True when
 * it was passed on (and answered).
 */
export async function passToTeam(ctx: FlowContext): Promise<boolean> {
  const passed = texts.passed(ctx.services.conversations.whenRead(ctx.now));
  if (!(await handOn(ctx, () => reasonToOpen(ctx), passed))) return false;
  // "what should i do" after telling us something worrying: the steps and helplines for it again, now.
  const again = WHAT_TO_DO.test(plainSaid(ctx.input)) ? adviceAgain(ctx.state.concern, ctx.now) : null;
  if (again) ctx.reply(again);
  return true;
}

/**
 * Adds a text message to the thread for the team, opening a conversation for `reason` when none is open, and tells
 * the young person so: `passed` the first time, "added" while they wait for a reply. False, with nothing said, for
 * staff, a message that is not text, or no open conversation and no reason to open one.
 */
async function handOn(
  ctx: FlowContext,
  reason: () => Promise<{ topic: Topic; alertIds?: string[] } | null>,
  passed: string,
): Promise<boolean> {
  if (ctx.message.kind !== 'text' || ctx.services.alerts.isStaff(ctx.conversationId)) return false;
  const conv = await ctx.services.conversations.current(ctx.conversationId);
  if (!conv) {
    const why = await reason();
    if (!why) return false;
    await openFor(ctx, why.topic, why.alertIds);
  }
  forTeam.add(ctx);
  ctx.reply(conv?.waitingSince !== undefined ? texts.added : passed);
  return true;
}

async function reasonToOpen(ctx: FlowContext): Promise<{ topic: Topic; alertIds?: string[] } | null> {
  // An open alert first: the conversation is then linked to it, so the safeguarding lead sees it too.
  const alertIds = await ctx.services.alerts.openAlertIdsFor(ctx.conversationId);
  if (alertIds.length) return { topic: 'alert', alertIds };
  if (ctx.member) {
    const r = await ctx.services.requests.openRequestFor(ctx.member.id);
    if (r) return { topic: r.session ? 'session' : 'request' };
    // A place in a peer support group is a booked session too: its safety talk tells them to message
    // here if anything upsets them, so what they write must reach a youth worker.
    const places = (await ctx.services.groups?.signUpsOf(ctx.member.id)) ?? [];
    if (places.some((p) => p.place.status === 'booked')) return { topic: 'session' };
  }
  return null;
}

function openFor(ctx: FlowContext, topic: Topic, alertIds?: string[]) {
  return ctx.services.conversations.open({
    conversationId: ctx.conversationId,
    channel: ctx.channel,
    topic,
    memberId: ctx.member?.id,
    memberName: ctx.member?.name,
    alertIds,
  });
}
