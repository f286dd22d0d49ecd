import type { ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { openEventStream } from '../http/event-stream';

/** Open event streams, so they can be ended when the server closes. */
export class Streams {
  private readonly open = new Set<ServerResponse>();

  /**
   * Turns the reply into a server-sent event stream. `subscribe` receives a `send(event, data)`
   * and returns its own unsubscribe, called when the browser goes away.
   */
  start(
    req: FastifyRequest,
    reply: FastifyReply,
    subscribe: (send: (event: string, data: unknown) => void) => () => void,
  ): void {
    const res = openEventStream(reply, 3000);
    this.open.add(res);
    const send = (event: string, data: unknown) => {
      if (!res.writableEnded) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    const unsubscribe = subscribe(send);
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 25_000);
    req.raw.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
      this.open.delete(res);
    });
  }

  /** Ends every stream (server shutdown). */
  endAll(): void {
    for (const res of this.open) res.end();
    this.open.clear();
  }
}
