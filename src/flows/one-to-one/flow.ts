import type { FlowContext, NamedFlow } from '../../engine/flow';
import { MEETING_PLATFORMS, type MeetingPlatform } from '../../common/meeting';
import { OfficeHours } from '../../common/office-hours';
import {
  RequestError,
  WORKER_PREFERENCES,
  type RequestAnswers,
  type WorkerPreference,
} from '../../domain/requests/types';
import { MENU } from '../help/help';
import { askedFor, CANCEL, CHANGE, isOneToOneWish, platformIn, SKIP, STATUS, workersIn, YES } from './recognise';
import {
  CANCEL_CONFIRM_CHOICES,
  cancelQuestion,
  CHANGE_CHOICES,
  CONFIRM_CHOICES,
  confirmText,
  NOT_MEMBER_CHOICES,
  notMemberText,
  O2O,
  OPEN_CHOICES,
  PLATFORM_CHOICES,
  QUESTIONS,
  queuedText,
  START_TEXT,
  statusText,
  WORKER_CHOICES,
} from './texts';
import { asksForSafety } from '../online-safety/flow';
import { plainSaid } from '../shared/said';

/** The flow's name in `ctx.state.flow`. */
export const ONE_TO_ONE = 'one-to-one';

type Step = 'platform' | 'when' | 'workers' | 'note' | 'confirm' | 'change' | 'cancel';
const ORDER: Step[] = ['platform', 'when', 'workers', 'note', 'confirm'];
const MAX_WHEN = 200;
const MAX_NOTE = 500;

/** The flow's persisted state: `answers._edit` holds the request id when changing a queued request,
 * `answers._back` is set while changing one answer from the confirm step. */
type Answers = Record<string, string>;

/**
 * The one-to-one request: recognises the wish in the young person's own words (or the menu
 * tap), asks one short question at a time (how to meet, when, one or two workers, anything to
 * know first), confirms, and queues it with the coordinator, then tells them their place in the
 * queue and when to expect contact. `status`, `cancel` and `change` work at any time. A
 * persisted state machine in `ctx.state.flow`: any worker can take the next message.
 */
export function oneToOneFlow(): NamedFlow {
  return {
    name: ONE_TO_ONE,
    run: async (ctx, next) => {
      const active = ctx.state.flow?.name === ONE_TO_ONE ? ctx.state.flow : undefined;
      const said = plainSaid(ctx.input);

      // The answer to "do you want to cancel?" goes to that question first.
      if (active?.step === 'cancel' && !CANCEL.test(said) && ctx.input !== O2O.cancel)
        return answer(ctx, 'cancel', active.answers, next);
      if (STATUS.test(said) && ctx.member) return status(ctx);
      if (CANCEL.test(said) || ctx.input === O2O.cancel) {
        if (active || ctx.member) return cancel(ctx);
        return next();
      }
      if ((CHANGE.test(said) || ctx.input === O2O.change) && (active || ctx.member)) return change(ctx);
      if (active) return answer(ctx, active.step as Step, active.answers, next);
      if (ctx.input === MENU.request || (ctx.message.kind === 'text' && isOneToOneWish(ctx.message.text)))
        return start(ctx);
      return next();
    },
  };
}

function save(ctx: FlowContext, step: Step, answers: Answers): void {
  ctx.state.flow = { name: ONE_TO_ONE, step, answers };
}

function ask(ctx: FlowContext, step: Step, answers: Answers, prefix?: string): void {
  save(ctx, step, answers);
  const lead = prefix ? `${prefix}\n\n` : '';
  switch (step) {
    case 'platform':
      return ctx.reply(`${lead}${QUESTIONS.platform}`, PLATFORM_CHOICES);
    case 'when':
      return ctx.reply(`${lead}${QUESTIONS.when}`);
    case 'workers':
      return ctx.reply(`${lead}${QUESTIONS.workers}`, WORKER_CHOICES);
    case 'note':
      return ctx.reply(`${lead}${QUESTIONS.note}`, [{ title: 'Skip', payload: O2O.skip }]);
    case 'confirm':
      return ctx.reply(`${lead}${confirmText(answers, Boolean(answers._edit))}`, CONFIRM_CHOICES);
    case 'change':
      return ctx.reply(`${lead}${QUESTIONS.change}`, CHANGE_CHOICES);
    case 'cancel':
      return ctx.reply(`${lead}Tap "Yes, cancel it" or "No, keep it".`, CANCEL_CONFIRM_CHOICES);
  }
}

const NO_KEEP = /^(no|n|nope|nah|no thanks|keep it|no keep it|don'?t|do not)$/;

async function start(ctx: FlowContext): Promise<void> {
  if (!ctx.member) {
    ctx.reply(notMemberText(), NOT_MEMBER_CHOICES);
    return;
  }
  const open = await ctx.services.requests.openRequestFor(ctx.member.id);
  if (open) {
    const position = await ctx.services.requests.position(open.id);
    ctx.reply(
      `You've already asked for a one-to-one 🙂\n\n${statusText(open, position, ctx.services.settings.timezone)}`,
      open.status === 'scheduled' ? undefined : OPEN_CHOICES,
    );
    return;
  }
  const answers: Answers = {};
  const name = ctx.message.kind === 'text' ? askedFor(ctx.message.text) : undefined;
  if (name) answers.askedFor = name;
  ask(ctx, 'platform', answers, START_TEXT);
}

/** The next step after `step`, or back to confirm when changing one answer. */
function after(step: Step, answers: Answers): Step {
  if (answers._back) return 'confirm';
  return ORDER[ORDER.indexOf(step) + 1] ?? 'confirm';
}

async function answer(ctx: FlowContext, step: Step, answers: Answers, next: () => Promise<void>): Promise<void> {
  const said = plainSaid(ctx.input);
  // A tap on another menu item leaves the questions and lets that flow answer.
  if (ctx.input.startsWith('MENU_') && ctx.input !== MENU.request) {
    ctx.state.flow = undefined;
    return next();
  }
  const proceed = (a: Answers) => {
    const n = after(step, a);
    if (n === 'confirm') delete a._back;
    ask(ctx, n, a);
  };
  switch (step) {
    case 'cancel': {
      if (ctx.input === O2O.cancelYes || YES.test(said) || said === 'yes cancel it')
        return cancelNow(ctx, answers._cancel);
      ctx.state.flow = undefined;
      if (ctx.input === O2O.cancelNo || NO_KEEP.test(said)) {
        ctx.reply("OK, I haven't cancelled anything. Your one-to-one is still on 🙂");
        return;
      }
      // Something else: not an answer to the question, so nothing is cancelled and it is handled as usual.
      return next();
    }
    case 'platform': {
      const p = payloadValue(ctx.input, 'O2O_P_', MEETING_PLATFORMS) ?? platformIn(said);
      if (!p) return ask(ctx, step, answers, "Sorry, I didn't get that. Tap one of these, or type it.");
      return proceed({ ...answers, platform: p });
    }
    case 'when': {
      const text = ctx.message.text.trim();
      if (ctx.message.kind !== 'text' || !text) return ask(ctx, step, answers);
      // "staying safe" is a question, not a time: answer it, then ask again.
      if (asksForSafety(ctx)) {
        await next();
        return ask(ctx, step, answers);
      }
      if (text.length > MAX_WHEN)
        return ask(ctx, step, answers, `Could you make that a bit shorter? (${MAX_WHEN} letters at most)`);
      return proceed({ ...answers, when: text });
    }
    case 'workers': {
      const w = payloadValue(ctx.input, 'O2O_W_', WORKER_PREFERENCES) ?? workersIn(said);
      if (!w) return ask(ctx, step, answers, "Sorry, I didn't get that.");
      return proceed({ ...answers, workers: w });
    }
    case 'note': {
      if (ctx.input === O2O.skip || SKIP.test(said)) {
        const { note: _drop, ...rest } = answers;
        return proceed(rest);
      }
      const text = ctx.message.text.trim();
      if (ctx.message.kind !== 'text' || !text) return ask(ctx, step, answers);
      if (text.length > MAX_NOTE)
        return ask(ctx, step, answers, `Could you make that a bit shorter? (${MAX_NOTE} letters at most)`);
      return proceed({ ...answers, note: text });
    }
    case 'change': {
      if (ctx.input === O2O.back) return ask(ctx, 'confirm', answers);
      const field = ctx.input.startsWith('O2O_EDIT_') ? ctx.input.slice('O2O_EDIT_'.length) : fieldIn(said);
      if (field === 'platform' || field === 'when' || field === 'workers' || field === 'note')
        return ask(ctx, field, { ...answers, _back: '1' });
      return ask(ctx, step, answers, "Sorry, I didn't get that.");
    }
    case 'confirm': {
      if (ctx.input === O2O.yes || YES.test(said)) return submit(ctx, answers);
      if (/^(no|nope|nah)$/.test(said)) return ask(ctx, 'change', answers, 'OK.');
      return ask(ctx, step, answers, 'Tap Yes to send it, Change something, or Cancel.');
    }
  }
}

function fieldIn(said: string): string | undefined {
  if (/meet|platform|app|how/.test(said)) return 'platform';
  if (/when|time|day/.test(said)) return 'when';
  if (/worker|one|two/.test(said)) return 'workers';
  if (/note|know|message/.test(said)) return 'note';
  return undefined;
}

function payloadValue<T extends string>(input: string, prefix: string, allowed: readonly T[]): T | undefined {
  if (!input.startsWith(prefix)) return undefined;
  const v = input.slice(prefix.length) as T;
  return allowed.includes(v) ? v : undefined;
}

function toAnswers(a: Answers): RequestAnswers | null {
  if (!MEETING_PLATFORMS.includes(a.platform as MeetingPlatform)) return null;
  if (!WORKER_PREFERENCES.includes(a.workers as WorkerPreference) || !a.when) return null;
  return {
    platform: a.platform as MeetingPlatform,
    when: a.when,
    workers: a.workers as WorkerPreference,
    note: a.note,
    askedFor: a.askedFor,
  };
}

async function submit(ctx: FlowContext, answers: Answers): Promise<void> {
  const member = ctx.member;
  const data = toAnswers(answers);
  if (!member || !data) {
    ctx.state.flow = undefined;
    ctx.reply('Sorry, something went wrong with your answers. Let\'s start again: say "one to one".');
    return;
  }
  const { requests, settings } = ctx.services;
  if (answers._edit) {
    try {
      await requests.change(answers._edit, { ...data, note: data.note ?? '' });
      ctx.state.flow = undefined;
      const position = await requests.position(answers._edit);
      ctx.reply(`Done, I've saved your changes 🙂${position ? ` You're still number ${position} in the queue.` : ''}`);
    } catch (err) {
      if (!(err instanceof RequestError)) throw err;
      ctx.state.flow = undefined;
      ctx.reply(
        "Sorry, I couldn't change that request. It may already be booked or closed. Send status to see where it is.",
      );
    }
    return;
  }
  const out = await requests.create({
    ...data,
    memberId: member.id,
    memberName: member.name,
    conversationId: ctx.conversationId,
  });
  ctx.state.flow = undefined;
  if (!out.created) {
    ctx.reply(
      `You've already asked for a one-to-one, so I haven't sent another 🙂\n\n${statusText(out.request, out.position, settings.timezone)}`,
      OPEN_CHOICES,
    );
    return;
  }
  const hours = new OfficeHours(settings.officeHours, settings.timezone);
  ctx.reply(queuedText(member.name, out.position, hours.isOpen(ctx.now), hours.nextOpening(ctx.now)));
}

async function status(ctx: FlowContext): Promise<void> {
  const member = ctx.member!;
  const open = await ctx.services.requests.openRequestFor(member.id);
  const inFlow = ctx.state.flow?.name === ONE_TO_ONE;
  if (!open) {
    ctx.reply(
      inFlow
        ? "You haven't sent a request yet. Let's carry on."
        : "You haven't asked for a one-to-one yet. Would you like to?",
      inFlow ? undefined : [{ title: 'Yes please', payload: MENU.request }],
    );
    if (inFlow) ask(ctx, ctx.state.flow!.step as Step, ctx.state.flow!.answers);
    return;
  }
  const position = await ctx.services.requests.position(open.id);
  ctx.reply(
    statusText(open, position, ctx.services.settings.timezone),
    open.status === 'scheduled' ? undefined : OPEN_CHOICES,
  );
}

async function cancel(ctx: FlowContext): Promise<void> {
  if (ctx.state.flow?.name === ONE_TO_ONE && ctx.state.flow.step === 'cancel')
    return ask(ctx, 'cancel', ctx.state.flow.answers);
  if (ctx.state.flow?.name === ONE_TO_ONE) {
    const editing = ctx.state.flow.answers._edit;
    ctx.state.flow = undefined;
    ctx.reply(
      editing
        ? "OK, I haven't changed anything. Your request is still in the queue."
        : "OK, I've stopped. Nothing was sent. You can ask again any time.",
    );
    return;
  }
  const member = ctx.member!;
  const open = await ctx.services.requests.openRequestFor(member.id);
  if (!open) {
    ctx.reply("You don't have a one-to-one request open, so there's nothing to cancel.");
    return;
  }
  // Asked first, as "delete my data" is: a stray "cancel" must not lose a booked session.
  save(ctx, 'cancel', { _cancel: open.id });
  ctx.reply(cancelQuestion(open, ctx.services.settings.timezone), CANCEL_CONFIRM_CHOICES);
}

async function cancelNow(ctx: FlowContext, id: string | undefined): Promise<void> {
  ctx.state.flow = undefined;
  const member = ctx.member;
  const open = member ? await ctx.services.requests.openRequestFor(member.id) : null;
  if (!open || open.id !== id) {
    ctx.reply("That one-to-one request isn't open any more, so there's nothing to cancel. Send status to check.");
    return;
  }
  try {
    await ctx.services.requests.cancelByYoungPerson(open.id);
  } catch (err) {
    if (!(err instanceof RequestError)) throw err;
  }
  ctx.reply("OK, I've cancelled your one-to-one request and told our youth workers. You can ask again any time 🙂");
}

async function change(ctx: FlowContext): Promise<void> {
  const active = ctx.state.flow?.name === ONE_TO_ONE ? ctx.state.flow : undefined;
  if (active) {
    if (!toAnswers(active.answers))
      return ask(
        ctx,
        active.step as Step,
        active.answers,
        "Let's finish the questions first, then you can change anything.",
      );
    return ask(ctx, 'change', active.answers);
  }
  const member = ctx.member!;
  const open = await ctx.services.requests.openRequestFor(member.id);
  if (!open) {
    ctx.reply('You don\'t have a one-to-one request open. Say "one to one" if you\'d like one.');
    return;
  }
  if (open.status === 'scheduled') {
    ctx.reply(
      "Your one-to-one is already booked, so it can't be changed here. Your youth worker can move it, or you can send cancel and ask again.",
    );
    return;
  }
  const answers: Answers = { _edit: open.id, platform: open.platform, when: open.when, workers: open.workers };
  if (open.note) answers.note = open.note;
  if (open.askedFor) answers.askedFor = open.askedFor;
  ask(ctx, 'change', answers);
}
