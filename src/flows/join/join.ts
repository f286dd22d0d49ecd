import type { NamedFlow } from '../../engine/flow';
import type { JoinOutcome } from '../../domain/members/store';
import { JOIN_CODE_ALPHABET, normaliseJoinCode } from '../../domain/members/join-code';
import { MENU_CHOICES } from '../help/help';

const JOIN = /^\s*join\b[\s:,-]*(.*)$/is;
/** "my code is K7MX-PR3H", "heres my join code: k7mxpr3h", "the code is ...": a code, said in a sentence. */
const CODE_IS =
  /\b(?:my|the|this|heres? my|here is my)\s+(?:join\s+)?code\s*(?:is|was|:)?\s*[:-]?\s*([A-Za-z0-9][A-Za-z0-9 -]{6,10}[A-Za-z0-9])\s*[.!]?$/i;
/** "i got a code from my youth worker", "i have a join code": has a code, not sent yet. */
const HAS_CODE = /\b(?:got|have|has|gave me|given)\s+(?:a|my|the|me a)\s+(?:join\s+)?code\b/i;
const CODE_CHARS = new RegExp(`^[${JOIN_CODE_ALPHABET}]+$`);

/**
 * A join code sent on its own ("7JRP44C9", "7jrp-44c9"): eight characters, all from the code
 * alphabet, with a digit in it or typed in capitals, so an everyday word ("ACCEPTER") typed in
 * lower case is not taken for a code. Returns the code as typed, or null.
 */
export function bareJoinCode(text: string): string | null {
  const typed = text.trim();
  if (!/^[A-Za-z0-9][A-Za-z0-9 -]{6,10}[A-Za-z0-9]$/.test(typed)) return null;
  const code = normaliseJoinCode(typed);
  if (!code || !CODE_CHARS.test(code)) return null;
  const compact = typed.replace(/[\s-]/g, '');
  return /\d/.test(compact) || compact === compact.toUpperCase() ? typed : null;
}

/** What `join` with no code, or a code that did not work, gets. Kind, short, and says what to do next. */
export function joinAnswer(outcome: JoinOutcome['outcome'] | 'no_code', ttlDays: number, name?: string): string {
  switch (outcome) {
    case 'linked':
      return `Welcome, ${name}! 🎉 You're joined.\n\nYou can now ask for a one-to-one chat with a youth worker. Just say "I'd like to talk to someone".`;
    case 'no_code':
      return 'To join, send me your code, like this: ABCD1234\n\nYour youth worker or your parent or carer has your code.';
    case 'malformed':
      return "Hmm, that doesn't look like a join code. Codes have 8 letters and numbers. Please check it and try again.";
    case 'invalid':
      return "Sorry, I don't know that code. Please check it and try again. If it still doesn't work, ask your youth worker for a new one.";
    case 'expired':
      return `Sorry, that code has run out. Codes only last ${ttlDays} days. Please ask your youth worker for a new one.`;
    case 'used':
      return 'That code has already been used. Each code only works once. Please ask your youth worker for a new one.';
    case 'retired':
      return 'Sorry, that code has been switched off. We switch codes off to keep everyone safe when lots of wrong codes are tried. Please ask your youth worker for a new one.';
    case 'rate_limited':
      return "That's a lot of tries, so I need you to wait a bit. Please try again in an hour, or ask your youth worker to help.";
  }
}

/**
 * `join CODE`, or the code on its own, from any channel links that channel identity to the member the code was issued
 * for (case does not matter; spaces and dashes are fine). Wrong, expired and used codes get a
 * clear, kind answer; guessing is rate-limited per conversation by the member store.
 */
export function joinFlow(): NamedFlow {
  return {
    name: 'join',
    run: async (ctx, next) => {
      if (ctx.message.kind !== 'text') return next();
      // "join a group" is for the groups flow, not a join code.
      const joined = JOIN.exec(ctx.message.text);
      const m = joined && !/\bgroups?\b/i.test(joined[1] ?? '') ? joined : null;
      // A code said in a sentence or on its own counts only outside another flow's question (it could be an answer there).
      const free = m || ctx.state.flow ? null : (CODE_IS.exec(ctx.message.text)?.[1] ?? bareJoinCode(ctx.message.text));
      if (!m && !free) {
        // "i got a code from my youth worker": how to send it.
        if (!ctx.state.flow && !ctx.member && HAS_CODE.test(ctx.message.text)) {
          ctx.reply(joinAnswer('no_code', ctx.services.settings.joinCodeTtlDays));
          return;
        }
        return next();
      }
      const typed = (m ? (m[1] ?? '') : (free as string)).trim();
      const ttl = ctx.services.settings.joinCodeTtlDays;
      if (ctx.member) {
        ctx.reply(
          `You're already joined, ${ctx.member.name} 🙂 Say "I'd like to talk to someone" to ask for a one-to-one.`,
        );
        return;
      }
      if (!typed) {
        ctx.reply(joinAnswer('no_code', ttl));
        return;
      }
      const result = await ctx.services.members.redeem(typed, ctx.conversationId, { origin: ctx.message.origin });
      ctx.log.info({ event: 'join', outcome: result.outcome }, 'join code tried');
      if (result.outcome === 'linked') {
        ctx.member = result.member;
        ctx.reply(joinAnswer('linked', ttl, result.member.name), MENU_CHOICES);
        return;
      }
      ctx.reply(joinAnswer(result.outcome, ttl));
    },
  };
}
