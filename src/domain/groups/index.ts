import type { Redis } from 'ioredis';
import type { Keys } from '../../engine/keys';
import { GroupService, type GroupServiceDeps } from './service';
import { GroupStore } from './store';

export {
  GroupService,
  GROUP_TASK,
  firstName,
  type GroupsPort,
  type GroupTaskJob,
  type SignUpResult,
  type WorkerDirectory,
} from './service';
export { GroupStore } from './store';
export * from './types';
export type { GroupWords } from './texts';

/**
 * Everything needed to build the group service (the composition root and the CLI): what the
 * service needs, but where its store keeps records instead of the store.
 */
export type GroupServiceOptions = Omit<GroupServiceDeps, 'store'> & {
  redis: Redis;
  keys: Keys;
  retentionDays: number;
};

/** Builds the store and the {@link GroupService} over it. */
export function createGroupService(o: GroupServiceOptions): GroupService {
  const { redis, keys, retentionDays, ...deps } = o;
  return new GroupService({ ...deps, store: new GroupStore(redis, keys, retentionDays * 24 * 3600_000) });
}
