import type { ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { openEventStream } from '../http/event-stream';

/** How often an open stream is kept alive, and its session checked. */
const HEARTBEAT_MS = 25_000;

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
    /** Checked with every heartbeat: the stream ends once the person signs out or is disabled. */
    stillSignedIn?: () => Promise<boolean>,
  ): void {
    const res = openEventStream(reply, 3000);
    this.open.add(res);
    const send = (event: string, data: unknown) => {
      if (!res.writableEnded) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    };
    const unsubscribe = subscribe(send);
    const heartbeat = setInterval(() => {
      void (async () => {
        if (stillSignedIn && !(await stillSignedIn().catch(() => true))) {
          res.end();
          return;
        }
        if (!res.writableEnded) res.write(': keep-alive\n\n');
      })();
    }, HEARTBEAT_MS);
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
