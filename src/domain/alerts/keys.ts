import type { Keys } from '../../engine/keys';

/** Every Redis key of the alerts module. No other module reads these. */
export function alertKeys(keys: Keys) {
  return {
    alert: (id: string) => keys.custom('alert', id),
    log: (id: string) => keys.custom('alertlog', id),
    all: () => keys.custom('alerts', 'all'),
    open: () => keys.custom('alerts', 'open'),
    code: (code: string) => keys.custom('alertcode', code),
    delivered: (id: string) => keys.custom('alertsent', id),
    /** Each staff target's last delivery problem (or none): what "nobody can be told" reads. */
    targets: () => keys.custom('alerttargets'),
  };
}
