/** The ingest baseline: a bare Fastify endpoint that validates a JSON body with zod and answers 200. */
import Fastify from 'fastify';
import { z } from 'zod';

const body = z.object({
  object: z.literal('page'),
  entry: z.array(z.object({ id: z.string(), messaging: z.array(z.unknown()) })),
});

async function main(): Promise<void> {
  const app = Fastify({ logger: false });
  app.post('/webhooks/messenger', async (req, reply) => {
    const parsed = body.safeParse(req.body);
    return parsed.success ? 'EVENT_RECEIVED' : reply.code(400).send({ error: 'bad' });
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address() as { port: number };
  process.stdout.write(`READY ${addr.port}\n`);
}
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
