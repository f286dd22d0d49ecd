import nodemailer from 'nodemailer';

/** One plain-text email. */
export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/** Sends email; resolves only once the mail server accepted the message for every recipient. */
export interface Mailer {
  send(mail: Mail): Promise<void>;
  close(): void;
}

/**
 * An SMTP mailer (nodemailer) for `SMTP_URL` (`smtp://user:pass@host:port`, or `smtps://`).
 * A recipient the server refuses is an error, so a staff member counts as told only when their
 * address was accepted.
 */
export function createSmtpMailer(url: string, from: string): Mailer {
  const transport = nodemailer.createTransport(url, { from });
  return {
    async send(mail) {
      const info = await transport.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text });
      const rejected = (info.rejected ?? []).map(String);
      if (rejected.length) throw new Error(`the mail server refused ${rejected.join(', ')}`);
    },
    close() {
      transport.close();
    },
  };
}

/** True for `email:ADDRESS` staff targets. */
export function isEmailTarget(target: string): boolean {
  return target.startsWith('email:');
}

/** `a…@example.org`: enough for staff to know which address, not the whole of it in logs. */
export function shortEmail(target: string): string {
  const address = target.replace(/^email:/, '');
  const at = address.indexOf('@');
  return at > 0 ? `${address.slice(0, 1)}…${address.slice(at)}` : 'an address';
}
