// tobira workspace create | set-policy | set-time-zone
import { changeMfaPolicy, changeTimeZone, createWorkspace, InvalidInput } from '../../directory/workspaces.ts';
import { describe, optionalString, requireOption, type Command, type CommandGroup } from '../command.ts';
import { auditedChange, auditRefusal } from '../audit.ts';
import { withDatabase } from '../session.ts';
import { findWorkspaceBySlug } from '../../db/workspaces.ts';

const NAME = 'workspace create';

const create: Command = {
  name: NAME,
  summary: 'create a workspace (a tenant with its own users and MFA policy)',
  help: `workspace create --slug SLUG --name NAME [--mfa-policy POLICY] [--time-zone ZONE]

Creates a workspace.

  --slug SLUG          2–63 lowercase letters, digits or hyphens; users sign in under it
  --name NAME          the name users see
  --mfa-policy POLICY  optional (default), required_for_admins or required
  --time-zone ZONE     IANA time zone the admin and account pages show times in, such as
                       Asia/Tokyo (default UTC); exports stay in UTC`,
  options: {
    slug: { type: 'string' },
    name: { type: 'string' },
    'mfa-policy': { type: 'string' },
    'time-zone': { type: 'string' },
  },
  async run(args) {
    const slug = requireOption(args, 'slug', NAME);
    const displayName = requireOption(args, 'name', NAME);
    const mfaPolicy = optionalString(args, 'mfa-policy');
    const timeZone = optionalString(args, 'time-zone');
    const workspace = await withDatabase(async ({ db }) => {
      try {
        return await auditedChange(db, async (trx) => {
          const row = await createWorkspace(trx, {
            slug,
            displayName,
            ...(mfaPolicy === undefined ? {} : { mfaPolicy }),
            ...(timeZone === undefined ? {} : { timeZone }),
          });
          return {
            result: row,
            event: {
              action: 'workspace.create',
              workspaceId: row.id,
              targetType: 'workspace',
              targetId: row.id,
              details: { slug: row.slug, name: row.display_name, mfa_policy: row.mfa_policy, time_zone: row.time_zone },
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
        timeZone: workspace.time_zone,
        createdAt: workspace.created_at,
      },
      text: describe(`Created workspace ${workspace.slug} (${workspace.display_name})`, [
        ['id', workspace.id],
        ['MFA policy', workspace.mfa_policy],
        ['time zone', workspace.time_zone],
      ]),
    };
  },
};

const SET_POLICY = 'workspace set-policy';

const setPolicy: Command = {
  name: SET_POLICY,
  summary: "change a workspace's MFA policy (authenticators are kept; live sessions are stepped up)",
  help: `workspace set-policy --slug SLUG --mfa-policy POLICY

Changes the MFA policy. Nobody's authenticators are removed. Sessions without MFA are asked for a
code (or enrolled) at their next sign-in to any app, and their refresh tokens stop working.

  --slug SLUG          the workspace
  --mfa-policy POLICY  optional, required_for_admins or required`,
  options: {
    slug: { type: 'string' },
    'mfa-policy': { type: 'string' },
  },
  async run(args) {
    const slug = requireOption(args, 'slug', SET_POLICY);
    const policy = requireOption(args, 'mfa-policy', SET_POLICY);
    const change = await withDatabase(async ({ db }) => {
      try {
        return await auditedChange(db, async (trx) => {
          const result = await changeMfaPolicy(trx, slug, policy);
          return {
            result,
            event: {
              action: 'workspace.policy_change',
              workspaceId: result.workspace.id,
              targetType: 'workspace',
              targetId: result.workspace.id,
              details: { from: result.previous, to: result.workspace.mfa_policy, users_to_enrol: result.usersToEnrol },
            },
          };
        });
      } catch (err) {
        if (err instanceof InvalidInput) {
          await auditRefusal(db, { action: 'workspace.policy_change', targetType: 'workspace', details: { slug, to: policy } }, err.message);
        }
        throw err;
      }
    });
    return {
      json: { slug: change.workspace.slug, previous: change.previous, mfaPolicy: change.workspace.mfa_policy, usersToEnrol: change.usersToEnrol },
      text: describe(`MFA policy of ${change.workspace.slug}: ${change.previous} → ${change.workspace.mfa_policy}`, [
        ['users to enrol at next sign-in', String(change.usersToEnrol)],
      ]),
    };
  },
};

const SET_TIME_ZONE = 'workspace set-time-zone';

const setTimeZone: Command = {
  name: SET_TIME_ZONE,
  summary: 'change the time zone the admin and account pages show times in',
  help: `workspace set-time-zone --workspace SLUG --time-zone ZONE

Changes the time zone of a workspace's pages. Stored times, audit exports and logs stay in UTC.

  --workspace SLUG  the workspace
  --time-zone ZONE  an IANA time zone name, such as Asia/Tokyo, America/New_York or UTC`,
  options: {
    workspace: { type: 'string' },
    'time-zone': { type: 'string' },
  },
  async run(args) {
    const slug = requireOption(args, 'workspace', SET_TIME_ZONE);
    const zone = requireOption(args, 'time-zone', SET_TIME_ZONE);
    const change = await withDatabase(async ({ db }) => {
      try {
        return await auditedChange(db, async (trx) => {
          const result = await changeTimeZone(trx, slug, zone);
          return {
            result,
            event: {
              action: 'workspace.time_zone_change',
              workspaceId: result.workspace.id,
              targetType: 'workspace',
              targetId: result.workspace.id,
              details: { from: result.previous, to: result.workspace.time_zone },
            },
          };
        });
      } catch (err) {
        if (err instanceof InvalidInput) {
          // Recorded in the workspace's own log when it exists, so its admins see the attempt.
          const workspace = await findWorkspaceBySlug(db, slug);
          await auditRefusal(
            db,
            {
              action: 'workspace.time_zone_change',
              workspaceId: workspace?.id ?? null,
              targetType: 'workspace',
              targetId: workspace?.id ?? null,
              details: { slug, to: zone },
            },
            err.message,
          );
        }
        throw err;
      }
    });
    return {
      json: { slug: change.workspace.slug, previous: change.previous, timeZone: change.workspace.time_zone },
      text: `Time zone of ${change.workspace.slug}: ${change.previous} → ${change.workspace.time_zone}`,
    };
  },
};

export const workspaceCommands: CommandGroup = { name: 'workspace', summary: 'manage workspaces', commands: [create, setPolicy, setTimeZone] };
