import type { Keys } from '../../engine/keys';

/** Every Redis key of the one-to-one requests module. No other module reads these. */
export function requestKeys(keys: Keys) {
  return {
    request: (id: string) => keys.custom('req', id),
    log: (id: string) => keys.custom('reqlog', id),
    openFor: (memberId: string) => keys.custom('reqopen', memberId),
    ofMember: (memberId: string) => keys.custom('reqsof', memberId),
    all: () => keys.custom('reqs', 'all'),
    open: () => keys.custom('reqs', 'open'),
    queue: () => keys.custom('reqs', 'queue'),
  };
}
