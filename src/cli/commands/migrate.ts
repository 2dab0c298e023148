// tobira migrate — every other command also migrates on open; this one says what it applied.
import { migrateLatest } from '../../db/connection.ts';
import { lazyInstanceKeys } from '../../crypto/instance-secret.ts';
import type { Command, CommandGroup } from '../command.ts';
import { auditCompleted } from '../audit.ts';
import { withDatabase } from '../session.ts';

const migrate: Command = {
  name: 'migrate',
  summary: 'bring the database schema up to date',
  help: `migrate

Applies the database migrations that have not run yet and lists them. Safe to run again.`,
  options: {},
  async run() {
    const applied = await withDatabase(
      async ({ db, config }) => {
        const applied = await migrateLatest(db, lazyInstanceKeys(config));
        if (applied.length) await auditCompleted(db, { action: 'migrate', details: { applied } });
        return applied;
      },
      { migrate: false },
    );
    return {
      json: { applied },
      text: applied.length
        ? [`Applied ${applied.length} migration${applied.length === 1 ? '' : 's'}:`, ...applied.map((m) => `  ${m}`)].join('\n')
        : 'Database is up to date: no migrations to apply.',
    };
  },
};

export const migrateCommands: CommandGroup = { name: 'migrate', summary: migrate.summary, commands: [migrate] };
