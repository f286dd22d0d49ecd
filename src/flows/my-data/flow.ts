import type { FlowContext, NamedFlow } from '../../engine/flow';
import { forgetMember } from '../../domain/members/forget';
import { formatSessionTime } from '../../domain/requests/texts';
import { newState } from '../../engine/state';
import { plainSaid } from '../shared/said';

/** Payloads of this flow's choices. */
export const MY_DATA = { delete: 'MYDATA_DELETE', yes: 'MYDATA_YES', no: 'MYDATA_NO' } as const;

const FLOW = 'my-data';
const WHAT =
  /^(my data|my info|my information|my details|what do you know about me|what do you (have|hold|store) (on|about) me|what data do you (have|hold)( on me| about me)?|show me my data|see my data)$/;
const DELETE =
  /^(delete|erase|remove|wipe|forget) (my data|my info|my information|my details|me|about me|everything|all my data|my account)$/;
const YES = /^(yes|yes delete it|yes please|delete it|y|yeah|yep|ok|okay|sure)$/;
const NO = /^(no|no keep it|keep it|n|nope|nah|cancel|don'?t)$/;

/** Settings quoted in what the flow says. */
export interface MyDataSettings {
  /** Conversation state is kept this long after the last message (STATE_TTL_DAYS). */
  stateDays: number;
}

/**
 * "What do you know about me" / "my data" tells a young person what Haven holds about them;
 * "delete my data", after a yes, deletes it: conversation state, one-to-one requests (open ones
 * cancelled with their reminders) and channel links, and tells staff. Safeguarding records are
 * kept as the policy says, and the young person is told so honestly.
 */
export function myDataFlow(settings: MyDataSettings): NamedFlow {
  return {
    name: FLOW,
    run: async (ctx, next) => {
      const said = plainSaid(ctx.input);
      if (ctx.state.flow?.name === FLOW) {
        if (ctx.input === MY_DATA.yes || YES.test(said)) return erase(ctx);
        ctx.state.flow = undefined;
        if (ctx.input === MY_DATA.no || NO.test(said)) {
          ctx.reply("OK, I haven't deleted anything.");
          return;
        }
        return next();
      }
      if (ctx.input === MY_DATA.delete || DELETE.test(said)) {
        ctx.state.flow = { name: FLOW, step: 'confirm-delete', answers: {} };
        ctx.reply(
          ctx.member
            ? 'Do you want me to delete your data? This deletes your one-to-one requests, your messages with our youth workers, your link to this chat and where we are in our chat. It can’t be undone.'
            : 'Do you want me to delete your data? This deletes your messages with our youth workers and where we are in our chat. It can’t be undone.',
          [
            { title: 'Yes, delete it', payload: MY_DATA.yes },
            { title: 'No, keep it', payload: MY_DATA.no },
          ],
        );
        return;
      }
      if (WHAT.test(said)) return tell(ctx, settings);
      return next();
    },
  };
}

async function tell(ctx: FlowContext, settings: MyDataSettings): Promise<void> {
  const lines: string[] = [];
  const { members, requests, settings: s } = ctx.services;
  const member = ctx.member ? await members.get(ctx.member.id) : null;
  if (member) {
    const consent = new Intl.DateTimeFormat('en-GB', { timeZone: s.timezone, dateStyle: 'long' }).format(
      new Date(member.consentAt),
    );
    lines.push(`• Your name: ${member.name}`);
    lines.push(`• That your parent or carer said yes to you joining (on ${consent})`);
    const others = member.links.length - 1;
    lines.push(
      `• That this chat is yours${others > 0 ? `, and ${others} other app${others > 1 ? 's' : ''} you joined from` : ''}`,
    );
    const open = await requests.openRequestFor(member.id);
    if (open)
      lines.push(
        open.session
          ? `• Your one-to-one, booked for ${formatSessionTime(open.session.at, s.timezone)}, and your answers`
          : '• Your one-to-one request and your answers (how to meet, when, any note)',
      );
    const groupPlaces = ctx.services.groups ? await ctx.services.groups.signUpsOf(member.id) : [];
    if (groupPlaces.length)
      lines.push(
        `• Your place${groupPlaces.length > 1 ? 's' : ''} on ${groupPlaces.length} group session${groupPlaces.length > 1 ? 's' : ''} (kept for a while after each session, then deleted)`,
      );
  }
  lines.push(`• Where we are in our chat. I forget it ${settings.stateDays} days after your last message.`);
  const inbox = ctx.services.conversations;
  if ((await inbox.keptFor(member ? member.links : [ctx.conversationId])) > 0)
    lines.push(
      `• Your messages with our youth workers, and my replies, so they can read them. We delete them ${inbox.retentionDays} days after the chat with them ends.`,
    );
  lines.push('• If you ever told us something worrying, a youth worker keeps a note of it to help keep you safe.');
  ctx.reply(`Here's what I have about you:\n${lines.join('\n')}\n\nTo delete it, send: delete my data`, [
    { title: 'Delete my data', payload: MY_DATA.delete },
  ]);
}

async function erase(ctx: FlowContext): Promise<void> {
  const member = ctx.member;
  let deletedRequests = 0;
  let out: Awaited<ReturnType<typeof forgetMember>> = null;
  if (member) {
    out = await forgetMember(ctx.services, member.id);
    deletedRequests = out?.requests ?? 0;
    ctx.member = null;
  }
  // Their messages with youth workers (every linked chat's, done above for a member) and the web chat's saved replies.
  await ctx.services.conversations.erase([ctx.conversationId]);
  // The replies a web chat keeps for this device go at once: the page must not show them again.
  await ctx.services.chatHistory?.clear(ctx.conversationId);
  // The engine saves the state after the flows: start it afresh, keeping only their own choices
  // about how we message them (stop, discreet), which protect them.
  const { optedOut, discreet } = ctx.state;
  ctx.state = { ...newState(ctx.now.getTime()), optedOut, discreet };
  ctx.log.info(
    { event: 'data_deleted', member: Boolean(member), requests: deletedRequests },
    'young person deleted their data',
  );
  ctx.reply(
    [
      member
        ? `Done. I've deleted your one-to-one requests, ${out?.groups ? 'your group places, ' : ''}your messages with our youth workers, your link to this chat and where we were in our chat. I've told our youth workers.`
        : "Done. I've deleted your messages with our youth workers and where we were in our chat.",
      'One thing to be honest about: if you ever told us something worrying, a youth worker keeps a note of it to help keep you safe. That note is kept, because our rules for keeping young people safe say so.',
      member
        ? "Your name and your parent or carer's yes to you joining stay on our members list until a youth worker takes them off. Ask them if you'd like that."
        : '',
      member ? 'If you want to join again, ask your youth worker for a new code.' : '',
    ]
      .filter(Boolean)
      .join('\n\n'),
  );
}
