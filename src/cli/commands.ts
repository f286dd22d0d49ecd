/* eslint-disable @typescript-eslint/no-require-imports -- each command's code loads only when it runs */
import type { Command } from './support';

/**
 * Every `haven` sub-command: a summary, and its code loaded only when it runs, so `haven help`
 * loads nothing and `haven members add` loads only what adding a member needs. Modules add theirs here.
 */
export const commands: Record<string, Command> = {
  start: {
    summary: 'run the service: HTTP server, queue workers and every configured channel',
    run: async () => {
      const { loadConfig } = require('../config') as typeof import('../config');
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
        const { openStore } = require('./support') as typeof import('./support');
        const { AlertStore } = require('../domain/alerts/store') as typeof import('../domain/alerts/store');
        const { exportScreenFeedback } = require('./screen-feedback') as typeof import('./screen-feedback');
        const store = await openStore();
        try {
          const n = await exportScreenFeedback(new AlertStore(store.redis, store.keys), process.stdout);
          process.stderr.write(`${n} labelled line${n === 1 ? '' : 's'} from staff feedback\n`);
        } finally {
          await store.close();
        }
        return 0;
      }
      const s = require('../safeguarding') as typeof import('../safeguarding');
      const path = process.env.SAFEGUARDING_LEXICON_PATH;
      const screen = path ? s.createScreen(s.loadLexicon(path)) : s.defaultScreen();
      return s.runScreenFilter(process.stdin, process.stdout, screen);
    },
  },

  alerts: {
    summary: 'alerts export: every safeguarding alert with its full record, as JSON lines',
    run: async (args) => {
      if (args[0] !== 'export') {
        process.stderr.write('Usage: haven alerts export > alerts.jsonl\n');
        return 2;
      }
      const { openStore, printJson } = require('./support') as typeof import('./support');
      const { AlertStore } = require('../domain/alerts/store') as typeof import('../domain/alerts/store');
      const { exportAlert } = require('../domain/alerts/export') as typeof import('../domain/alerts/export');
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

  messenger: {
    summary: 'messenger setup: set the Get Started button, greeting and persistent menu on the Facebook Page',
    run: (args) => (require('./messenger') as typeof import('./messenger')).messengerCommand.run(args),
  },

  staff: {
    summary: 'staff accounts: add --email --name --role, list, disable --email, reset --email',
    run: (args) => (require('./staff') as typeof import('./staff')).staffCommand.run(args),
  },

  members: {
    summary: 'members add --name NAME --consent-by NAME | list | show --id | code --id | remove --id',
    run: (args) => (require('./members') as typeof import('./members')).membersCommand(args),
  },

  requests: {
    summary: 'one-to-one requests: list | show | claim | schedule | message | close',
    run: (args) => (require('./requests') as typeof import('./requests')).requestsCommand(args),
  },

  groups: {
    summary:
      'peer support groups: add --title --at --minutes --link --capacity --workers | list | show | move | cancel',
    run: (args) => (require('./groups') as typeof import('./groups')).groupsCommand.run(args),
  },
};
