import type { NamedFlow } from '../../engine/flow';
import { plainSaid } from '../shared/said';

/**
 * The honest answer to "please don't tell my mum" / "will you tell anyone?": what stays private, what a youth
 * worker may have to share and with whom, and that they will be told first when that is safe. `short` is the one
 * sentence every safeguarding reply carries.
 */
export function privacyAnswer(opts: { short?: boolean } = {}): string {
  if (opts.short) {
    return (
      'What you tell us stays with our youth workers. If they are worried that you or someone else is not safe, ' +
      'they may have to tell people whose job is to keep children safe. They will talk to you about it first if they can.'
    );
  }
  return [
    'That’s a really fair thing to ask, so here is the honest answer.',
    'What you tell us is private: only our youth workers read it, and we don’t tell your family or your school just because you talked to us.',
    'But if a youth worker is worried that you or someone else is being hurt or is not safe, they may have to share it with people whose job is to keep children safe (like children’s services, or the police in an emergency). That could mean your family finds out, but we would not tell someone who might hurt you.',
    'If that happens, a youth worker will talk to you about it first if they can, and tell you what will happen next.',
    'You can still talk to Childline without giving your name: call 0800 1111 (free, any time).',
  ].join('\n\n');
}

/**
 * "Please don't tell my mum", "will you tell anyone?", "is this private?": asked on its own, without a new concern
 * in it. Linear, anchored on short phrases.
 */
const ASKS_SECRECY =
  /^(please |pls |plz |but |and |oh and |just )?(don'?t|dont|do not|never) (tell|say|show|let) (my |me |anyone|anybody|nobody|no one|mum|mom|dad|them|the|my parents|my family|school|the police|social)/;
const ASKS_WHO =
  /\b(will|would|do|are|r|can) (you|u|ya) (gonna |going to )?(tell|telling|show|ring|call|report|grass|share)\b|\b(is|are) (this|it|these|our chats?|messages?) (private|confidential|secret)\b|\bwho (else )?(will|can|could) (see|read)\b/;

/** True when the message asks who will be told, or asks us not to tell someone. */
export function asksAboutTelling(text: string): boolean {
  const t = text.toLowerCase().replace(/[’‘]/g, "'").trim();
  return ASKS_SECRECY.test(t) || ASKS_WHO.test(t);
}

/**
 * Answers a question about who will be told with {@link privacyAnswer}. A message that raised an alert is the
 * safeguarding reply's (it carries the short answer), so this only sees questions without a new concern in them:
 * "please don't tell my mum" gets an honest answer, not a second alert.
 */
export function tellingQuestionFlow(): NamedFlow {
  return {
    name: 'telling-question',
    run: async (ctx, next) => {
      if (ctx.screen.alert || ctx.message.kind !== 'text' || !asksAboutTelling(plainSaid(ctx.input))) return next();
      ctx.reply(privacyAnswer());
    },
  };
}
