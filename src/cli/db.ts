/** `tessera db …`: the schema. */
import { command, type CommandGroup } from './command.ts';
import { backup, restore } from './backup.ts';

const migrate = command<null>({
  summary: 'apply every pending migration (every other command does this first too)',
  flags: {},
  example: 'tessera db migrate',
  check: () => null,
  async run(context) {
    // openContext already migrated; report what that run applied.
    const { applied } = context.migrations;
    const where = context.config.database.dialect === 'sqlite' ? context.config.database.path : 'PostgreSQL';
    return {
      json: { applied },
      text: applied.length === 0 ? `${where}: schema is up to date` : `${where}: applied ${applied.join(', ')}`,
    };
  },
});

export const dbGroup: CommandGroup = {
  name: 'db',
  summary: 'database schema',
  commands: { migrate, backup, restore },
};
