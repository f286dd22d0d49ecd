import { defineChannel } from '../../../src/adapters/kit/channel';
import { LoopbackAdapter } from './index';
import { loopbackSettings } from './settings';

/** The whole registration of the test-only channel: its name, settings, what goes together, its factory. */
export const loopbackChannel = defineChannel({
  name: 'loopback',
  settings: loopbackSettings,
  together: [{ names: ['LOOPBACK_TOKEN', 'LOOPBACK_SECRET'], label: 'the loopback test channel' }],
  enabled: (s) => Boolean(s.LOOPBACK_TOKEN),
  create: (s) => new LoopbackAdapter(s),
});
