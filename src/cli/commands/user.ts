// tobira user create, and the group of user commands (require-mfa, disable, enable, sessions: their own files)
import { createUser } from '../../directory/users.ts';
import { InvalidInput } from '../../directory/workspaces.ts';
import { findWorkspaceBySlug } from '../../db/workspaces.ts';
import { describe, optionalString, requireOption, type Command, type CommandGroup } from '../command.ts';
import { auditedChange, auditRefusal } from '../audit.ts';
import { readPasswordFromStdin } from '../read-password.ts';
import { withDatabase } from '../session.ts';
import { requireMfa } from './user-mfa.ts';
import { disable, enable } from './user-status.ts';
import { sessions } from './user-sessions.ts';

const NAME = 'user create';

const create: Command = {
  name: NAME,
  summary: 'create a user in a workspace',
  help: `user create --workspace SLUG --email EMAIL --password PASSWORD [--name NAME] [--role ROLE]

Creates a user whose e-mail address counts as verified (the operator vouches for it).

  --workspace SLUG     the workspace the user belongs to
  --email EMAIL        the sign-in address, stored in its canonical form (lower case, plain
                       letters, punycode domain) and unique across the instance in that form
  --password PASSWORD  at least 8 characters; give "-" to read it from the first line of stdin
                       (or a prompt on a terminal), which keeps it out of the process list and
                       shell history:  printf '%s\\n' "$PW" | tobira user create ... --password -
  --name NAME          the user's display name
  --role ROLE          member (default), user_admin or workspace_admin`,
  options: {
    workspace: { type: 'string' },
    email: { type: 'string' },
    password: { type: 'string' },
    name: { type: 'string' },
    role: { type: 'string' },
  },
  async run(args) {
    const workspaceSlug = requireOption(args, 'workspace', NAME);
    const email = requireOption(args, 'email', NAME);
    const given = requireOption(args, 'password', NAME);
    const name = optionalString(args, 'name');
    const role = optionalString(args, 'role');
    // Read before the database opens, so a slow typist does not hold the data folder's lock.
    const password = given === '-' ? await readPasswordFromStdin() : given;
    const user = await withDatabase(async ({ db }) => {
      try {
        return await auditedChange(db, async (trx) => {
          const row = await createUser(trx, {
            workspaceSlug,
            email,
            password,
            ...(name === undefined ? {} : { name }),
            ...(role === undefined ? {} : { role }),
          });
          return {
            result: row,
            event: {
              action: 'user.create',
              workspaceId: row.workspace_id,
              targetType: 'user',
              targetId: row.id,
              details: { email: row.email, role: row.role },
            },
          };
        });
      } catch (err) {
        if (err instanceof InvalidInput) {
          const workspace = await findWorkspaceBySlug(db, workspaceSlug);
          await auditRefusal(
            db,
            { action: 'user.create', workspaceId: workspace?.id ?? null, targetType: 'user', details: { email, workspace: workspaceSlug } },
            err.message,
          );
        }
        throw err;
      }
    });
    return {
      json: { id: user.id, workspaceId: user.workspace_id, workspace: workspaceSlug, email: user.email, name: user.name, role: user.role },
      text: describe(`Created user ${user.email} in workspace ${workspaceSlug}`, [
        ['id', user.id],
        ['name', user.name || '(none)'],
        ['role', user.role],
      ]),
    };
  },
};

export const userCommands: CommandGroup = { name: 'user', summary: 'manage users', commands: [create, requireMfa, disable, enable, sessions] };
