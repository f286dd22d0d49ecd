import { loadConfig } from '../config';
import { AlertStore } from '../domain/alerts/store';
import { exportAlert } from '../domain/alerts/export';
import { defaultScreen, loadLexicon, createScreen, runScreenFilter } from '../safeguarding';
import { membersCommand } from './members';
import { requestsCommand } from './requests';
import { openStore, printJson, type Command } from './support';
import { messengerCommand } from './messenger';
import { exportScreenFeedback } from './screen-feedback';
import { staffCommand } from './staff';
import { groupsCommand } from './groups';

/** Every `haven` sub-command. Modules add theirs here. */
export const commands: Record<string, Command> = {
  start: {
    summary: 'run the service: HTTP server, queue workers and every configured channel',
    run: async () => {
      // Loaded only for `start`, so the other commands never load the server's modules (Fastify,
      // the channel SDKs). require, not import(): the same code runs compiled and under tsx.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { runHaven } = require('../main') as typeof import('../main');
      await runHaven(loadConfig());
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

  groups: groupsCommand,
};
