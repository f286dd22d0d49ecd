import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** One email as the loopback SMTP server received it. */
export interface ReceivedMail {
  from: string;
  to: string[];
  /** The whole message as sent (headers and body), quoted-printable soft line breaks and escapes undone. */
  raw: string;
}

/** A loopback SMTP server that keeps every message it accepts; `refuse` makes it refuse recipients. */
export interface SmtpStub {
  url: string;
  mails: ReceivedMail[];
  /** Recipients the server refuses (550), as a mail server does for an unknown mailbox. */
  refuse: Set<string>;
  close(): Promise<void>;
}

export async function startSmtp(): Promise<SmtpStub> {
  const mails: ReceivedMail[] = [];
  const refuse = new Set<string>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, cb) {
      if (refuse.has(address.address)) {
        const err = Object.assign(new Error('no such mailbox'), { responseCode: 550 });
        return cb(err);
      }
      cb();
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.from(
            Buffer.concat(chunks)
              .toString('latin1')
              .replace(/=\r?\n/g, '')
              .replace(/=([0-9A-F]{2})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))),
            'latin1',
          ).toString('utf8'),
        });
        cb();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    refuse,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
