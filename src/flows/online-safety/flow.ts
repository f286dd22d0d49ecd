import type { FlowContext, NamedFlow } from '../../engine/flow';
import type { Choice } from '../../engine/message';
import { MENU, MENU_CHOICES } from '../help/help';
import type { SafetyContent } from './content';
import { fullReminder, refresherReminder, welcomeReminder } from './messages';
import { SAFETY_SENT, markSent, refresherDue, welcomeReminderDue } from './pacing';
import { plainSaid } from '../shared/said';

/** Payload of the "more" choice offered with the short reminder. */
export const SAFETY_MORE = 'SAFETY_MORE';

const REQUESTS = new Set([
  'staying safe',
  'stay safe',
  'staying safe online',
  'stay safe online',
  'safety',
  'online safety',
  'safety rules',
  'rules',
  'the rules',
  'group rules',
  'ground rules',
  'safe online',
  'being safe online',
  'safety tips',
  'online safety tips',
  'online safety advice',
  'safety advice',
  'staying safe tips',
  'staying safe online tips',
  'internet safety tips',
  'online safety rules',
  'safety info',
  'online safety info',
  'how can i stay safe online',
  'how can i stay safe',
  'how do i keep safe online',
  'how to stay safe',
  'internet safety',
  'how do i stay safe',
  'how do i stay safe online',
  'how to stay safe online',
  'tips',
]);

/** Polite wrappers around a request: "can i have the ...", "tell me about ...", "... please". */
const WRAPPER_START =
  /^(?:(?:can|could|may) (?:i|we) (?:have|get|see|read|know)|(?:can|could|will|would) you (?:give|send|show|tell) (?:me|us)(?: about)?|(?:give|send|show|tell) (?:me|us)(?: about)?|i (?:want|need)|i'?d like|i would like|what are|what's|whats|where are|any|some|the|your|about|more|a few|all) /;
const WRAPPER_END = / (?:please|thanks|thank you|then|again)$/;
const TIP_WORDS =
  /^(?:(?:some |any )?(?:tips|advice|help|rules)) (?:on|for|about|to) (?:staying|being|keeping|stay|be|keep) safe(?: online| on the internet)?$/;

/**
 * "how do i stay safe on tiktok", "staying safe on snapchat", "keeping safe online gaming": staying
 * safe somewhere online, in their own words (a worry or a disclosure is answered first, elsewhere).
 */
const SAFE_ON =
  /^(?:how (?:do|can|should|would) (?:i|u|you|we) )?(?:stay|staying|be|being|keep|keeping)(?: me| myself)? safe (?:on|online|when|while|with|playing|using|in)\b.{0,40}$/;

/**
 * "what do i do if i see extremist stuff on my feed", "what should i do if a stranger messages me on roblox", "how
 * do i report a video on tiktok": a question about what to do about something online. A worry or a disclosure is
 * answered first, elsewhere (the screen reads every message before this); what is left is a safety question, and
 * the tips (who to tell among them) answer it better than "I didn't quite get that".
 */
const ONLINE_WHAT_IF =
  /^(?:wh?at (?:do|should|can|would|shud) (?:i|u|you|we) do (?:if|when|about)|wh?at if|what happens if|how (?:do|can|should) (?:i|u|you|we) (?:report|block|stop))\b.{0,80}?\b(?:online|internet|feed|fyp|dms?|tiktok|snap|snapchat|insta|instagram|roblox|fortnite|minecraft|discord|youtube|whatsapp|twitch|gaming|game|stranger|strangers|some(?:one|1) i (?:dont|don't) know)\b/;

/** "can i have the online safety tips" → "online safety tips"; null when nothing is left. */
export function safetyRequestCore(said: string): string {
  let s = said.replace(/[?!.]+$/, '').trim();
  for (let i = 0; i < 6; i++) {
    const next = s.replace(WRAPPER_START, '').replace(WRAPPER_END, '').trim();
    if (next === s) break;
    s = next;
  }
  return s;
}

/** True when the message asks for the whole list (typed, a menu tap or "more" after the short version). */
export function asksForSafety(ctx: FlowContext): boolean {
  if (ctx.input === MENU.safety || ctx.input === SAFETY_MORE) return true;
  const said = plainSaid(ctx.input);
  if (REQUESTS.has(said)) return true;
  const core = safetyRequestCore(said);
  if (core !== said && REQUESTS.has(core)) return true;
  if (TIP_WORDS.test(core) || SAFE_ON.test(core) || ONLINE_WHAT_IF.test(said)) return true;
  return said === 'more' && Boolean(ctx.state.lastChoices?.some((c) => c.payload === SAFETY_MORE));
}

/**
 * The short reminder for a welcome, with its "more" choice, or null when it is not due (see
 * {@link welcomeReminderDue}). Records it as sent: call it only when the welcome is sent.
 */
export function welcomeSafetyNote(
  content: SafetyContent,
  ctx: FlowContext,
): { text: string; choices: Choice[] } | null {
  const now = ctx.now.getTime();
  if (!welcomeReminderDue(ctx.state, now)) return null;
  markSent(ctx.state, SAFETY_SENT.welcome, now);
  return { text: welcomeReminder(content), choices: [{ title: content.welcome.moreChoice, payload: SAFETY_MORE }] };
}

/**
 * Online-safety reminders on request: the whole list for "staying safe", "safety", "rules", a
 * menu tap or "more" after the short version; always answered, because they asked. The short
 * version with the first welcome is added by the help flow through {@link welcomeSafetyNote};
 * the refresher by {@link safetyRefresherFlow}.
 */
export function onlineSafetyFlow(content: SafetyContent): NamedFlow {
  return {
    name: 'online-safety',
    run: async (ctx, next) => {
      if (!asksForSafety(ctx)) return next();
      ctx.reply(
        fullReminder(content),
        MENU_CHOICES.filter((c) => c.payload !== MENU.safety),
      );
      markSent(ctx.state, SAFETY_SENT.full, ctx.now.getTime());
    },
  };
}

/**
 * The refresher for someone not seen for `refresherDays` (at most once in that period, never
 * twice in a day, never after "stop"), put at the top of whatever answers their message. Early
 * in the chain (after privacy) so it goes with any answer, and never alone.
 */
export function safetyRefresherFlow(content: SafetyContent): NamedFlow {
  return {
    name: 'safety-refresher',
    run: async (ctx, next) => {
      const now = ctx.now.getTime();
      if (asksForSafety(ctx) || !refresherDue(ctx.state, now, ctx.services.settings.refresherDays)) return next();
      // Marked before the rest run, so the welcome does not add the short version on top.
      const before = ctx.state.sent[SAFETY_SENT.refresher];
      markSent(ctx.state, SAFETY_SENT.refresher, now);
      const first = ctx.replies.length;
      await next();
      // In the same message as the answer: separate replies may arrive out of order.
      const answer = ctx.replies[first];
      if (answer) answer.text = `${refresherReminder(content)}\n\n${answer.text}`;
      else if (before === undefined) delete ctx.state.sent[SAFETY_SENT.refresher];
      else ctx.state.sent[SAFETY_SENT.refresher] = before;
    },
  };
}

/**
 * The short reminder for a first contact that another flow answered (a first "join CODE" or "can
 * I talk to someone"): added under that answer, so everyone gets it with their first reply. The
 * help flow's welcome carries it itself ({@link welcomeSafetyNote}); a safeguarding reply never
 * gets it (the helplines come first, alone).
 */
export function firstContactSafetyFlow(content: SafetyContent): NamedFlow {
  return {
    name: 'first-contact-safety',
    run: async (ctx, next) => {
      if (!ctx.isFirstContact || ctx.screen.alert) return next();
      await next();
      const now = ctx.now.getTime();
      const last = ctx.replies[ctx.replies.length - 1];
      if (!last || ctx.state.optedOut || !welcomeReminderDue(ctx.state, now)) return;
      markSent(ctx.state, SAFETY_SENT.welcome, now);
      last.text = `${last.text}\n\n${welcomeReminder(content)}\nSend "staying safe" for more.`;
    },
  };
}
