// tobira workspace create
import { createWorkspace, InvalidInput } from '../../accounts/workspaces.ts';
import { describe, optionalString, requireOption, type Command, type CommandGroup } from '../command.ts';
import { auditedChange, auditRefusal } from '../audit.ts';
import { withDatabase } from '../session.ts';

const NAME = 'workspace create';

const create: Command = {
  name: NAME,
  summary: 'create a workspace (a tenant with its own users and MFA policy)',
  help: `workspace create --slug SLUG --name NAME [--mfa-policy POLICY]

Creates a workspace.

  --slug SLUG          2–63 lowercase letters, digits or hyphens; users sign in under it
  --name NAME          the name users see
  --mfa-policy POLICY  optional (default), required_for_admins or required`,
  options: {
    slug: { type: 'string' },
    name: { type: 'string' },
    'mfa-policy': { type: 'string' },
  },
  async run(args) {
    const slug = requireOption(args, 'slug', NAME);
    const displayName = requireOption(args, 'name', NAME);
    const mfaPolicy = optionalString(args, 'mfa-policy');
    const workspace = await withDatabase(async ({ db }) => {
      try {
        return await auditedChange(db, async (trx) => {
          const row = await createWorkspace(trx, { slug, displayName, ...(mfaPolicy === undefined ? {} : { mfaPolicy }) });
          return {
            result: row,
            event: {
              action: 'workspace.create',
              workspaceId: row.id,
              targetType: 'workspace',
              targetId: row.id,
              details: { slug: row.slug, name: row.display_name, mfa_policy: row.mfa_policy },
            },
          };
        });
      } catch (err) {
        if (err instanceof InvalidInput) {
          await auditRefusal(db, { action: 'workspace.create', targetType: 'workspace', details: { slug } }, err.message);
        }
        throw err;
      }
    });
    return {
      json: {
        id: workspace.id,
        slug: workspace.slug,
        name: workspace.display_name,
        mfaPolicy: workspace.mfa_policy,
        createdAt: workspace.created_at,
      },
      text: describe(`Created workspace ${workspace.slug} (${workspace.display_name})`, [
        ['id', workspace.id],
        ['MFA policy', workspace.mfa_policy],
      ]),
    };
  },
};

export const workspaceCommands: CommandGroup = { name: 'workspace', summary: 'manage workspaces', commands: [create] };
