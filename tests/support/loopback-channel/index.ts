import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Adapter, AdapterContext, ChannelStatus, SendContext } from '../../../src/adapters/kit/adapter';
import { acceptInOrder } from '../../../src/adapters/kit/accept';
import { badAddress } from '../../../src/adapters/kit/refusal';
import { renderNumberedChoices } from '../../../src/engine/choices';
import type { ChannelAddress, OutboundMessage } from '../../../src/engine/message';
import type { LoopbackSettings } from './settings';

const inbound = z.object({
  secret: z.string(),
  events: z.array(z.object({ id: z.string().min(1), from: z.string().min(1), text: z.string().max(4096) })).min(1),
});
const address = z.object({ user: z.string().min(1) });

/**
 * A channel that exists only in tests: a webhook at POST /webhooks/loopback taking a batch of
 * events (checked against LOOPBACK_SECRET), and sends kept in `sent`. Built from the adapter kit only.
 */
export class LoopbackAdapter implements Adapter {
  readonly name = 'loopback';
  readonly sent: { user: string; text: string; purpose: SendContext['purpose'] }[] = [];
  constructor(private readonly settings: LoopbackSettings) {}

  registerRoutes(app: FastifyInstance, ctx: AdapterContext): void {
    app.post('/webhooks/loopback', async (req, reply) => {
      const body = inbound.safeParse(req.body);
      if (!body.success) return reply.code(400).send({ error: 'bad body' });
      if (body.data.secret !== this.settings.LOOPBACK_SECRET) return reply.code(403).send({ error: 'bad secret' });
      const counts = await acceptInOrder(
        ctx,
        body.data.events.map((e) => ({
          channel: this.name,
          messageId: e.id,
          senderId: e.from,
          kind: 'text' as const,
          text: e.text,
          sentAt: Date.now(),
          address: { user: e.from },
        })),
      );
      return reply.code(200).send(counts);
    });
  }

  async send(to: ChannelAddress, message: OutboundMessage, ctx: SendContext): Promise<void> {
    const a = address.safeParse(to);
    if (!a.success) throw badAddress('loopback');
    this.sent.push({
      user: a.data.user,
      text: renderNumberedChoices(message.text, message.choices),
      purpose: ctx.purpose,
    });
  }

  status(): ChannelStatus {
    return { channel: this.name, state: 'ready' };
  }
}
