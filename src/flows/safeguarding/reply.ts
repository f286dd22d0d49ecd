import type { NamedFlow } from '../../engine/flow';
import { OfficeHours } from '../../common/office-hours';
import type { Category } from '../../safeguarding/types';
import { privacyAnswer } from './privacy';

/** Harms whose helplines a reply keeps whatever the alert is filed under (see {@link withOwnHelplines}). */
const OWN_HELPLINES = ['suicide', 'self_harm'] as const;

/** The helplines every safeguarding reply gives when no category-specific ones fit. */
export const HELPLINES = [
  'Childline: call 0800 1111 (free, any time)',
  'Shout: text SHOUT to 85258 (free, any time)',
  'Samaritans: call 116 123 (free, any time)',
];

/** What a reply says for one kind of concern: what to do now, and who to call. */
export interface ConcernAdvice {
  /** Short steps for right now, in plain words. */
  now: string[];
  /** Helplines for this concern, most fitting first. */
  helplines: string[];
}

const CHILDLINE = 'Childline: call 0800 1111 or chat at childline.org.uk (free, any time)';
const SHOUT = 'Shout: text SHOUT to 85258 (free, any time)';
const SAMARITANS = 'Samaritans: call 116 123 (free, any time)';
const PAPYRUS = 'Papyrus HOPELINE247: call 0800 068 4141 (free, any time, for under-35s)';

/**
 * Advice per concern (plus `sextortion`, `not_going_home`, `carer_strain` and `friend_hurt`, told apart by
 * {@link concernKind}). Numbers are the UK services' own; every line is written for a 12-year-old to read.
 */
export const ADVICE: Record<
  Category | 'sextortion' | 'not_going_home' | 'carer_strain' | 'friend_hurt',
  ConcernAdvice
> = {
  suicide: {
    now: [
      'If you might act on these thoughts soon, or you have already hurt yourself or taken something, call 999 now or go to A&E, even if you feel OK.',
      'If you can, stay near someone and tell them how you feel.',
    ],
    helplines: [SAMARITANS, SHOUT, PAPYRUS, CHILDLINE],
  },
  self_harm: {
    now: [
      'If a cut is deep or won’t stop bleeding, or you have swallowed something, call 999 now, even if you feel OK.',
      'You are not in trouble, and you don’t have to stop on your own.',
    ],
    helplines: [CHILDLINE, SHOUT, SAMARITANS],
  },
  sextortion: {
    now: [
      'Don’t send anything more, and don’t pay. Paying almost never makes them stop.',
      'You are not in trouble. This is their crime, not yours.',
      'Keep the messages (take screenshots), then block them.',
      'Childline and the IWF can help get pictures taken down: use Report Remove at childline.org.uk/remove.',
      'You can report them to the police’s child protection team, CEOP, at ceop.police.uk.',
    ],
    helplines: [CHILDLINE],
  },
  grooming_online: {
    now: [
      'Don’t send any pictures or meet them, even if they seem nice or give you things.',
      'You are not in trouble. Keep the messages, then block them.',
      'You can report them to CEOP, the police’s child protection team, at ceop.police.uk.',
    ],
    helplines: [CHILDLINE],
  },
  not_going_home: {
    now: [
      'If you can’t go home tonight, stay somewhere safe, warm and with people around, like a friend’s family or a relative.',
      'Don’t go off with someone you don’t know well, even if they offer you a place to stay.',
      'Runaway Helpline: call or text 116 000 (free, any time). They can help you find somewhere safe tonight.',
      'If you are in danger or have nowhere safe to go, call 999.',
    ],
    helplines: ['Runaway Helpline: call or text 116 000 (free, any time)', CHILDLINE],
  },
  running_away: {
    now: [
      'If you are thinking of leaving, stay somewhere safe with people around you, not with someone you don’t know well.',
      'Runaway Helpline: call or text 116 000 (free, any time).',
    ],
    helplines: ['Runaway Helpline: call or text 116 000 (free, any time)', CHILDLINE],
  },
  domestic_abuse: {
    now: [
      'If someone is being hurt right now, call 999.',
      'If you can’t talk, call 999, listen, then press 55 when asked. The police will know it’s a real emergency.',
      'It is not your fault, and you don’t have to fix it.',
    ],
    helplines: ['National Domestic Abuse Helpline: call 0808 2000 247 (free, any time)', CHILDLINE],
  },
  forced_marriage_fgm: {
    now: [
      'Nobody is allowed to make you marry, or cut you. You can get help to stop it, even from abroad.',
      'Forced Marriage Unit: call 020 7008 0151 (from abroad +44 20 7008 0151). They help young people before and during trips.',
      'If you are in danger now, call 999.',
    ],
    helplines: ['Forced Marriage Unit: call 020 7008 0151', 'NSPCC FGM helpline: call 0800 028 3550', CHILDLINE],
  },
  friend_hurt: {
    now: [
      'Nobody is allowed to hurt your friend, and it is not their fault.',
      'If your friend is in danger right now, call 999.',
      'You did the right thing telling us. A teacher you trust can help your friend too.',
    ],
    helplines: [CHILDLINE],
  },
  abuse_physical: {
    now: ['Nobody is allowed to hurt you. It is not your fault.', 'If you are in danger now, call 999.'],
    helplines: [CHILDLINE],
  },
  abuse_sexual: {
    now: [
      'What happened is not your fault, even if you were told to keep it secret.',
      'If you are in danger now, call 999.',
    ],
    helplines: [CHILDLINE],
  },
  exploitation: {
    now: [
      'You are not in trouble, even if you were made to do things or were told you owe them.',
      'If you are in danger now, call 999.',
    ],
    helplines: [CHILDLINE, 'Fearless: tell them what you know without giving your name at fearless.org'],
  },
  neglect_danger: {
    now: [
      'If someone won’t wake up, is badly hurt or can’t breathe properly, call 999 now.',
      'If you have no food or heating, tell us: a youth worker can help get some.',
    ],
    helplines: [CHILDLINE],
  },
  carer_strain: {
    now: [
      'It’s OK to say it’s too much. Looking after someone is a big job, and you deserve help with it.',
      'A youth worker can talk with you about getting more help at home, like a young carer’s assessment from your council.',
      'If the person you look after is badly hurt, won’t wake up or can’t breathe properly, call 999.',
    ],
    helplines: [CHILDLINE, SHOUT],
  },
  bullying_threat: {
    now: [
      'If someone is threatening you with a weapon or you are in danger now, call 999.',
      'Tell a teacher or an adult you trust, and keep screenshots of any messages.',
    ],
    helplines: [CHILDLINE],
  },
  radicalisation: {
    now: [
      'You are not in trouble for telling us.',
      'If you think someone is planning to hurt people, call 999, or the Anti-Terrorist Hotline on 0800 789 321.',
    ],
    helplines: [CHILDLINE],
  },
};

// Linear regular expressions (no nested quantifiers), read once per alert.
const PICTURES = /\b(pic|pics|picture|pictures|photo|photos|nude|nudes|video|videos|vid|image|images|naked)\b/;
const DEMAND =
  /(£|\$|\bpay\b|\bmoney\b|gift ?cards?|\bbitcoin\b|send (me )?more|\bshare\b|\bpost\b|\bleak\b|expose|send (it|them) to)/;
const NOT_HOME =
  /\b(don'?t|do not|dont|can'?t|cannot|not)\s+(want to |wanna )?(go|going|goin)\s+(back\s+)?home\b|\bnowhere to (sleep|stay|go)\b|\bkicked (me )?out\b/;

/** The screen's rule for a young carer who cannot cope with the caring (lexicon.json). */
const CARER_STRAIN_RULE = 'neglect_danger.carer_cant_cope';
/** The screen's rule for a friend or cousin being hurt at home (lexicon.json). */
const FRIEND_HURT_RULE = 'abuse_physical.friend_hurt';

/** True when `rule` is the only one of the screen's reasons from its category (`prefix`). */
const onlyReason = (matched: readonly string[], rule: string, prefix: string): boolean =>
  matched.includes(rule) && !matched.some((id) => id !== rule && id.startsWith(prefix));

/**
 * Which advice fits: the screen's category, told apart further where the advice differs (pictures with a demand
 * for money or more pictures is sextortion; a friend hurt at home, when that was the screen's only reason, is advice
 * about the friend; not wanting or being unable to go home is about tonight; a young carer who cannot cope with the
 * caring, when that was the screen's only neglect reason, needs help at home, not 999 first).
 */
export function concernKind(
  category: Category | null,
  text: string,
  matched: readonly string[] = [],
): ConcernKind | null {
  if (category === null) return null;
  const t = text.toLowerCase().replace(/[’‘]/g, "'");
  if (
    (category === 'grooming_online' || category === 'bullying_threat' || category === 'abuse_sexual') &&
    PICTURES.test(t) &&
    DEMAND.test(t)
  )
    return 'sextortion';
  // Told about a friend, when that was the only reason: the advice is about the friend, not "you".
  if (category === 'abuse_physical' && onlyReason(matched, FRIEND_HURT_RULE, 'abuse_physical.')) return 'friend_hurt';
  if (
    (category === 'running_away' || category === 'neglect_danger' || category === 'abuse_physical') &&
    NOT_HOME.test(t)
  )
    return 'not_going_home';
  if (category === 'neglect_danger' && onlyReason(matched, CARER_STRAIN_RULE, 'neglect_danger.')) return 'carer_strain';
  return category;
}

/** "what should i do", "wat do i do now", "idk what to do", "what now": asking what to do. */
export const WHAT_TO_DO =
  /\b(wh?at (should|shall|do|can|will|would) i do|wh?at do i do|wh?at now|(don'?t|dont|dnt) know what to do|idk wh?at to do|what (are|r) my options)\b/;

/**
 * What to do now, again, for a concern raised in the last day (the kind the safeguarding reply
 * stored): the steps for that concern and its helplines. Null when there is none that recent.
 */
export function adviceAgain(
  concern: { kind: string; at: number; also?: readonly string[] } | undefined,
  now: Date,
): string | null {
  if (!concern || now.getTime() - concern.at > 24 * 3600_000) return null;
  const advice = ADVICE[concern.kind as ConcernKind];
  if (!advice) return null;
  const helplines = withOwnHelplines(advice.helplines, concern.also ?? []);
  return ['Here is what you can do now:', bullets(advice.now), talkNow(helplines)].join('\n\n');
}

/** The harms whose helplines {@link withOwnHelplines} adds for these reasons (kept with the concern). */
export function alsoHelplinesFor(matched: readonly string[]): (typeof OWN_HELPLINES)[number][] {
  return OWN_HELPLINES.filter((own) => matched.some((id) => id.startsWith(`${own}.`)));
}

/** The kinds of concern with advice of their own (see {@link concernKind}). */
export type ConcernKind = keyof typeof ADVICE;

/** Lines as a bulleted list, one a line. */
const bullets = (lines: readonly string[]): string => lines.map((l) => `• ${l}`).join('\n');
/** The helplines, under "You can talk to someone now". */
const talkNow = (helplines: readonly string[]): string => `You can talk to someone now:\n${bullets(helplines)}`;

/**
 * A concern's helplines, plus those of `also` ({@link alsoHelplinesFor}: suicide or self-harm when the screen's rules
 * read words about wanting to die or hurting oneself but the alert is filed under another concern; the statistical
 * layer refiles "they all keep telling me to go kill myself" as bullying: its advice fits, and so do Samaritans and
 * Papyrus).
 */
function withOwnHelplines(helplines: readonly string[], also: readonly string[]): string[] {
  const out = [...helplines];
  for (const own of OWN_HELPLINES)
    if (also.includes(own)) for (const line of ADVICE[own].helplines) if (!out.includes(line)) out.push(line);
  return out;
}

/** Builds the young person's reply to a message that raised a safeguarding alert. */
export function safeguardingReply(opts: {
  urgent: boolean;
  open: boolean;
  nextOpening: string;
  /** The kind of concern ({@link concernKind}): the advice and helplines fit it; general advice without. */
  kind?: ConcernKind | null;
  /** Harms whose helplines are added ({@link alsoHelplinesFor} of the screen's reasons). */
  also?: readonly string[];
}): string {
  const advice = opts.kind ? ADVICE[opts.kind] : null;
  const danger = opts.urgent
    ? 'If you or someone with you is in danger, badly hurt or can’t be woken up, call 999 now.'
    : 'If you are in danger right now, call 999.';
  const thanks = "Thank you for telling us. That took courage, and you don't have to deal with this on your own.";
  const helplines = talkNow(advice ? withOwnHelplines(advice.helplines, opts.also ?? []) : HELPLINES);
  const steps = advice ? bullets(advice.now) : null;
  const honest = privacyAnswer({ short: true });
  // "call 999" once: when the steps for this concern already say it, the general line is left out.
  const saysDanger = steps?.includes('999') ?? false;
  if (opts.open) {
    return [
      opts.urgent ? danger : null,
      thanks,
      steps,
      `A youth worker will read this and get in touch as soon as they can. ${honest}`,
      helplines,
      opts.urgent || saysDanger ? null : danger,
    ]
      .filter(Boolean)
      .join('\n\n');
  }
  // Out of hours: what to do now and the helplines first, and an honest time for when someone will see it.
  return [
    saysDanger && !opts.urgent ? null : danger,
    steps,
    helplines,
    thanks,
    `Our team is not at work right now. A youth worker will read this ${opts.nextOpening}. ${honest}`,
  ]
    .filter(Boolean)
    .join('\n\n');
}

/**
 * The safeguarding reply: when the screen raised an alert for this message, the young person gets a kind, honest
 * answer fitting what they said, with what to do now and helplines, at once, on the same channel. When they were
 * in the middle of answering a question (a flow is waiting for an answer, such as the one-to-one request's
 * questions), the message is also passed on as their answer, so the question is not left hanging and their next
 * message is not taken for it; otherwise nothing else answers it.
 */
export function safeguardingReplyFlow(): NamedFlow {
  return {
    name: 'safeguarding-reply',
    run: async (ctx, next) => {
      if (!ctx.screen.alert) return next();
      const text = ctx.message.kind === 'text' ? (ctx.message.text ?? '') : '';
      const kind = concernKind(ctx.screen.category, text, ctx.screen.matched);
      const also = alsoHelplinesFor(ctx.screen.matched);
      if (kind) ctx.state.concern = { kind, at: ctx.now.getTime(), ...(also.length > 0 ? { also } : {}) };
      const hours = new OfficeHours(ctx.services.settings.officeHours, ctx.services.settings.timezone);
      ctx.reply(
        safeguardingReply({
          urgent: ctx.screen.severity === 'urgent',
          open: hours.isOpen(ctx.now),
          nextOpening: hours.nextOpening(ctx.now),
          kind,
          also,
        }),
      );
      if (ctx.state.flow) return next();
    },
  };
}
