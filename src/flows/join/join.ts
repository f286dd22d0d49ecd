import type { NamedFlow } from '../../engine/flow';
import type { JoinOutcome } from '../../domain/members/store';
import { MENU_CHOICES } from '../help/help';

const JOIN = /^\s*join\b[\s:,-]*(.*)$/is;

/** What `join` with no code, or a code that did not work, gets. Kind, short, and says what to do next. */
export function joinAnswer(outcome: JoinOutcome['outcome'] | 'no_code', ttlDays: number, name?: string): string {
  switch (outcome) {
    case 'linked':
      return `Welcome, ${name}! 🎉 You're joined.\n\nYou can now ask for a one-to-one chat with a youth worker. Just say "I'd like to talk to someone".`;
    case 'no_code':
      return 'To join, send the word join and then your code, like this: join ABCD1234\n\nYour youth worker or your parent or carer has your code.';
    case 'malformed':
      return "Hmm, that doesn't look like a join code. Codes have 8 letters and numbers. Please check it and try again.";
    case 'invalid':
      return "Sorry, I don't know that code. Please check it and try again. If it still doesn't work, ask your youth worker for a new one.";
    case 'expired':
      return `Sorry, that code has run out. Codes only last ${ttlDays} days. Please ask your youth worker for a new one.`;
    case 'used':
      return 'That code has already been used. Each code only works once. Please ask your youth worker for a new one.';
    case 'rate_limited':
      return "That's a lot of tries, so I need you to wait a bit. Please try again in an hour, or ask your youth worker to help.";
  }
}

/**
 * `join CODE` from any channel links that channel identity to the member the code was issued
 * for (case does not matter; spaces and dashes are fine). Wrong, expired and used codes get a
 * clear, kind answer; guessing is rate-limited per conversation by the member store.
 */
export function joinFlow(): NamedFlow {
  return {
    name: 'join',
    run: async (ctx, next) => {
      if (ctx.message.kind !== 'text') return next();
      const m = JOIN.exec(ctx.message.text);
      if (!m) return next();
      const typed = (m[1] ?? '').trim();
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
      const result = await ctx.services.members.redeem(typed, ctx.conversationId);
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
