import type { GroupWorker, WorkerDirectory } from '../domain/groups';
import type { StaffAccounts } from './accounts';

/**
 * The youth workers who may lead a group session: enabled staff accounts, found by email or id.
 * Handed to the group service so that the domain never reads staff keys itself.
 */
export function staffWorkerDirectory(accounts: StaffAccounts): WorkerDirectory {
  return {
    find: async (emailOrId: string): Promise<GroupWorker | null> => {
      const value = emailOrId.trim();
      let account = null;
      if (value.includes('@')) {
        try {
          account = await accounts.byEmail(value);
        } catch {
          account = null;
        }
      } else if (/^[0-9a-f-]{36}$/i.test(value)) account = await accounts.get(value);
      if (!account || account.disabled) return null;
      return { id: account.id, name: account.name, email: account.email };
    },
  };
}
