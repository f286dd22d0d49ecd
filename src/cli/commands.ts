import { loadConfig } from '../config';
import { AlertStore } from '../domain/alerts/store';
import { exportAlert } from '../domain/alerts/export';
import { defaultScreen, loadLexicon, createScreen, runScreenFilter } from '../safeguarding';
import { startHaven } from '../main';
import { membersCommand } from './members';
import { requestsCommand } from './requests';
import { openStore, printJson, type Command } from './support';
import { messengerCommand } from './messenger';
import { staffCommand } from './staff';

/** Every `haven` sub-command. Modules add theirs here. */
export const commands: Record<string, Command> = {
  start: {
    summary: 'run the service: HTTP server, queue workers and every configured channel',
    run: async () => {
      const config = loadConfig();
      const started = Date.now();
      const haven = await startHaven(config);
      haven.log.info({ ms: Date.now() - started }, 'ready');
      await new Promise<void>((resolve) => {
        const shutdown = (signal: string) => {
          haven.log.info({ signal }, 'shutting down');
          const force = setTimeout(() => {
            haven.log.error('shutdown took over 10 s; exiting');
            process.exit(1);
          }, 10_000);
          force.unref();
          haven.stop().then(resolve, (err: Error) => {
            haven.log.error({ err: { message: err.message } }, 'shutdown failed');
            process.exit(1);
          });
        };
        process.once('SIGTERM', () => shutdown('SIGTERM'));
        process.once('SIGINT', () => shutdown('SIGINT'));
      });
      return 0;
    },
  },

  screen: {
    summary: 'safeguarding screen as a filter: JSON lines {"text": ...} in, one verdict per line out',
    run: async () => {
      const path = process.env.SAFEGUARDING_LEXICON_PATH;
      const screen = path ? createScreen(loadLexicon(path)) : defaultScreen();
      return runScreenFilter(process.stdin, process.stdout, screen);
    },
  },

  alerts: {
    summary: 'alerts export: every safeguarding alert with its full record, as JSON lines',
    run: async (args) => {
      if (args[0] !== 'export') {
        process.stderr.write('Usage: haven alerts export > alerts.jsonl\n');
        return 2;
      }
      const store = await openStore();
      try {
        // Times as ISO 8601 with the charity's UTC offset (TIMEZONE), as a person or a spreadsheet reads them.
        for await (const alert of new AlertStore(store.redis, store.keys).exportAll())
          printJson(exportAlert(alert, store.config.TIMEZONE));
      } finally {
        await store.close();
      }
      return 0;
    },
  },

  messenger: messengerCommand,
  staff: staffCommand,

  members: {
    summary: 'members add --name NAME --consent-by NAME | list | show --id | code --id | remove --id',
    run: membersCommand,
  },

  requests: {
    summary: 'one-to-one requests: list | show | claim | schedule | message | close',
    run: requestsCommand,
  },
};
