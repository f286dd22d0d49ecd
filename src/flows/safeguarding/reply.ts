import type { NamedFlow } from '../../engine/flow';
import { OfficeHours } from '../../common/office-hours';

/** The helplines every safeguarding reply gives. */
export const HELPLINES = [
  'Childline: call 0800 1111 (free, any time)',
  'Shout: text SHOUT to 85258 (free, any time)',
  'Samaritans: call 116 123 (free, any time)',
];

/** Builds the young person's reply to a message that raised a safeguarding alert. */
export function safeguardingReply(opts: { urgent: boolean; open: boolean; nextOpening: string }): string {
  const danger = opts.urgent
    ? 'If you or someone with you is in danger, badly hurt or can’t be woken up, call 999 now.'
    : 'If you are in danger right now, call 999.';
  const thanks = "Thank you for telling us. That took courage, and you don't have to deal with this on your own.";
  const honest =
    "They might need to tell someone else, like our safeguarding lead, to help keep you safe. They'll talk to you about it first if they can.";
  const helplines = `You can talk to someone now:\n${HELPLINES.map((h) => `• ${h}`).join('\n')}`;
  if (opts.open) {
    return [
      opts.urgent ? danger : null,
      thanks,
      `A youth worker will read this and get in touch as soon as they can. ${honest}`,
      helplines,
      opts.urgent ? null : danger,
    ]
      .filter(Boolean)
      .join('\n\n');
  }
  // Out of hours: the helplines first, and an honest time for when someone will see it.
  return [
    danger,
    helplines,
    thanks,
    `Our team is not at work right now. A youth worker will read this ${opts.nextOpening}. ${honest}`,
  ].join('\n\n');
}

/**
 * The safeguarding reply: when the screen raised an alert for this message, the young person
 * gets a kind, honest answer with helplines at once, on the same channel, whatever else was
 * going on in the conversation. Nothing else answers that message.
 */
export function safeguardingReplyFlow(): NamedFlow {
  return {
    name: 'safeguarding-reply',
    run: async (ctx, next) => {
      if (!ctx.screen.alert) return next();
      const hours = new OfficeHours(ctx.services.settings.officeHours, ctx.services.settings.timezone);
      ctx.reply(
        safeguardingReply({
          urgent: ctx.screen.severity === 'urgent',
          open: hours.isOpen(ctx.now),
          nextOpening: hours.nextOpening(ctx.now),
        }),
      );
    },
  };
}
