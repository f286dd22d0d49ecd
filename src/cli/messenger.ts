import { loadConfig } from '../config';
import { HavenError } from '../common/errors';
import { CliError, printJson, type Command } from './support';
import { setupMessengerProfile } from '../adapters/messenger/profile';

/**
 * `haven messenger setup`: sets the page's Get Started button, greeting and persistent menu
 * through the Messenger Profile API. Prints one JSON line `{"ok": true, "result": ...}`.
 */
export const messengerCommand: Command = {
  summary: 'messenger setup: set the Get Started button, greeting and persistent menu on the Facebook Page',
  run: async (args) => {
    if (args[0] !== 'setup' || args.length > 1) {
      process.stderr.write('Usage: haven messenger setup\n');
      return 2;
    }
    const config = loadConfig();
    if (!config.MESSENGER_PAGE_ACCESS_TOKEN) {
      throw new CliError('MESSENGER_PAGE_ACCESS_TOKEN is not set: it is needed to set up the Messenger profile');
    }
    try {
      const { result } = await setupMessengerProfile({
        apiUrl: config.MESSENGER_API_URL,
        pageAccessToken: config.MESSENGER_PAGE_ACCESS_TOKEN,
        charityName: config.CHARITY_NAME,
      });
      printJson({ ok: true, result });
      return 0;
    } catch (err) {
      if (err instanceof HavenError) throw new CliError(`Meta refused the Messenger profile: ${err.message}`);
      throw err;
    }
  },
};
