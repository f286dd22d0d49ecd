import type { NamedFlow } from '../../engine/flow';
import { IdentityVault } from '../../engine/identity';

/**
 * `ack CODE` from a staff chat identity acknowledges a safeguarding alert and stops its
 * escalation. From anyone else it is treated as ordinary text.
 */
export function staffAckFlow(): NamedFlow {
  return {
    name: 'staff-ack',
    run: async (ctx, next) => {
      const m = /^ack\s+([a-z0-9]{5})\b/i.exec(ctx.message.text.trim());
      if (!m || !ctx.services.alerts.isStaff(ctx.conversationId)) return next();
      const code = (m[1] as string).toUpperCase();
      const alert = await ctx.services.alerts.acknowledge(
        code,
        `staff chat ${IdentityVault.shortName(ctx.conversationId)}`,
      );
      if (alert)
        ctx.reply(
          `Thanks. Alert ${code} is acknowledged and will not escalate. To record what you do, open the link in the alert message and add a note there.`,
        );
      else ctx.reply(`I couldn't find an open alert with the code ${code}. It may already be acknowledged.`);
    },
  };
}
