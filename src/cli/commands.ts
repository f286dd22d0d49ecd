import { loadConfig } from '../config';
import { AlertStore } from '../domain/alerts/store';
import { defaultScreen, loadLexicon, createScreen, runScreenFilter } from '../safeguarding';
import { startHaven } from '../main';
import { membersCommand } from './members';
import { requestsCommand } from './requests';
import { openStore, printJson, type Command } from './support';
import { messengerCommand } from './messenger';
import { exportScreenFeedback } from './screen-feedback';
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
    summary:
      'safeguarding screen as a filter: JSON lines {"text": ...} in, one verdict per line out; ' +
      '`screen feedback export`: staff verdicts as labelled lines for the next training run',
    run: async (args) => {
      if (args[0] === 'feedback') {
        if (args[1] !== 'export') {
          process.stderr.write('Usage: haven screen feedback export > feedback.jsonl\n');
          return 2;
        }
        const store = await openStore();
        try {
          const n = await exportScreenFeedback(new AlertStore(store.redis, store.keys), process.stdout);
          process.stderr.write(`${n} labelled line${n === 1 ? '' : 's'} from staff feedback\n`);
        } finally {
          await store.close();
        }
        return 0;
      }
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
        for await (const alert of new AlertStore(store.redis, store.keys).exportAll()) printJson(alert);
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
