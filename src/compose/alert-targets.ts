import type { Config } from '../config';
import { createSmtpMailer, isEmailTarget, type Mailer } from '../common/mailer';
import type { IdentityVault } from '../engine/identity';
import type { ChannelName } from '../engine/message';

/**
 * Staff targets from settings (`SAFEGUARDING_ON_DUTY`, `SAFEGUARDING_LEADS`, `COORDINATOR_IDS`):
 * a channel identity becomes its pseudonymous conversation id; `email:ADDRESS` stays as it is.
 */
export function staffTargets(ids: string[], vault: IdentityVault): string[] {
  return ids.map((id) =>
    isEmailTarget(id)
      ? id
      : vault.conversationId(id.slice(0, id.indexOf(':')) as ChannelName, id.slice(id.indexOf(':') + 1)),
  );
}

/** The SMTP mailer for `email:` targets, when SMTP_URL is set. */
export function mailerFor(config: Config): Mailer | undefined {
  return config.SMTP_URL ? createSmtpMailer(config.SMTP_URL, config.SMTP_FROM) : undefined;
}
