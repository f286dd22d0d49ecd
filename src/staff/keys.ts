import { createHash } from 'node:crypto';
import type { Keys } from '../engine/keys';

const hashed = (s: string) => createHash('sha256').update(s).digest('base64url');

/** Every Redis key of the staff dashboard (accounts, sessions, sign-in limits, audit). */
export function staffKeys(keys: Keys) {
  return {
    /** A session, by a hash of its id (the cookie value is never a key). */
    session: (id: string) => keys.custom('staff', 'session', hashed(id)),
    account: (id: string) => keys.custom('staff', 'account', id),
    email: (email: string) => keys.custom('staff', 'email', email),
    accounts: () => keys.custom('staff', 'accounts'),
    /** A one-time setup link, by a hash of its token. */
    setup: (token: string) => keys.custom('staff', 'setup', hashed(token)),
    login: (kind: string, hash: string) => keys.custom('staff', 'login', kind, hash),
    audit: () => keys.custom('staff', 'audit'),
    /** The newest setup link of an account (an older one stops working). */
    setupLatest: (id: string) => keys.custom('staff', 'setup-latest', id),
    /** A one-time notice for one sign-in (post/redirect/get). */
    flash: (owner: string, id: string) => keys.custom('staff', 'flash', owner, id),
    viewed: (who: string, what: string, id: string) => keys.custom('staff', 'viewed', who, what, id),
  };
}
