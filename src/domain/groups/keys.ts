import type { Keys } from '../../engine/keys';

/** Every Redis key of the peer support groups module. No other module reads these. */
export function groupKeys(keys: Keys) {
  return {
    group: (id: string) => keys.custom('grp', id),
    places: (id: string) => keys.custom('grpplaces', id),
    booked: (id: string) => keys.custom('grpbook', id),
    waiting: (id: string) => keys.custom('grpwait', id),
    of: (memberId: string) => keys.custom('grpsof', memberId),
    all: () => keys.custom('grps', 'all'),
  };
}
