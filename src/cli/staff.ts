import { z } from 'zod';
import { STAFF_ROLES, StaffAccountError, StaffAccounts, staffEmail, staffName } from '../staff/accounts';
import { CliError, openStore, parseOptions, printJson, type Command } from './support';

const USAGE = `haven staff add --email EMAIL --name NAME --role ${STAFF_ROLES.join('|')}
       haven staff list
       haven staff disable --email EMAIL
       haven staff reset --email EMAIL   (a new one-time password link)`;

const addOptions = z.object({ email: staffEmail, name: staffName, role: z.enum(STAFF_ROLES) });
const emailOption = z.object({ email: staffEmail });

/** The one-time link where a member of staff sets their password. */
export function setupLink(base: string, token: string): string {
  return `${base.replace(/\/$/, '')}/staff/setup/${token}`;
}

/**
 * `haven staff add|list|disable|reset`: staff accounts for the dashboard. `add` and `reset` print
 * a one-time link (valid 24 hours) where the person chooses their password; no password is ever
 * typed on the command line.
 */
export const staffCommand: Command = {
  summary: 'staff accounts: add --email --name --role, list, disable --email, reset --email',
  run: async (args) => {
    const [sub, ...rest] = args;
    if (!sub || !['add', 'list', 'disable', 'reset'].includes(sub)) throw new CliError(`Usage: ${USAGE}`, 2);
    const opts =
      sub === 'add'
        ? parseOptions(rest, addOptions, USAGE)
        : sub === 'list'
          ? parseOptions(rest, z.object({}), USAGE)
          : parseOptions(rest, emailOption, USAGE);
    const store = await openStore();
    try {
      const accounts = new StaffAccounts(store.redis, store.keys);
      const base = store.config.PUBLIC_URL ?? `http://localhost:${store.config.PORT}`;
      if (sub === 'add') {
        const o = opts as z.infer<typeof addOptions>;
        const { account, token } = await accounts.add(o);
        printJson({ id: account.id, email: account.email, role: account.role, setupLink: setupLink(base, token) });
      } else if (sub === 'list') {
        for (const a of await accounts.list())
          printJson({
            id: a.id,
            email: a.email,
            name: a.name,
            role: a.role,
            disabled: a.disabled,
            hasPassword: a.hasPassword,
          });
      } else if (sub === 'disable') {
        const a = await accounts.disable((opts as z.infer<typeof emailOption>).email);
        printJson({ id: a.id, email: a.email, disabled: true });
      } else {
        const a = await accounts.byEmail((opts as z.infer<typeof emailOption>).email);
        if (!a || a.disabled) throw new CliError('No enabled account with that email.');
        printJson({ id: a.id, email: a.email, setupLink: setupLink(base, await accounts.issueSetupToken(a.id)) });
      }
      return 0;
    } catch (err) {
      if (err instanceof StaffAccountError) throw new CliError(err.message);
      throw err;
    } finally {
      await store.close();
    }
  },
};
