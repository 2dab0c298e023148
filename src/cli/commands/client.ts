// tobira client create | update | list | delete — the relying parties allowed to sign users in.
// A client secret is printed once, at creation; it is stored sealed and no command shows it again.
import { registerClient } from '../../oidc/client-registry.ts';
import { InvalidClientRegistration, isConsoleClient } from '../../oidc/clients.ts';
import { deleteClient, findClient, listClients } from '../../db/clients.ts';
import { describe, optionalString, requireOption, stringList, UsageError, type Command, type CommandGroup } from '../command.ts';
import { update } from './client-update.ts';
import { backchannelText, summary } from './client-view.ts';
import { auditedChange, auditRefusal } from '../audit.ts';
import { withDatabase } from '../session.ts';

const create: Command = {
  name: 'client create',
  summary: 'register a relying party; prints its client id and (once) its secret',
  help: `client create --name NAME --redirect-uri URL [--redirect-uri URL ...] [options]

Registers a relying party. A confidential client's secret is printed once: store it at once,
no command can show it again.

  --name NAME                     the name users see on the consent screen
  --redirect-uri URL              where sign-in responses go (repeat for several)
  --post-logout-redirect-uri URL  where users may be sent after signing out (repeat for several)
  --public                        no client secret (a browser or mobile app using PKCE)
  --first-party                   your own application: users are not asked for consent
  --require-mfa                   users must pass a second factor to sign in to this client
  --grant client_credentials      also allow the client credentials grant (machine to machine);
                                  with no --redirect-uri, the client uses only that grant
  --backchannel-logout-uri URL    where Tobira POSTs a logout token when a user's session with
                                  this client ends (OpenID Connect Back-Channel Logout 1.0)
  --backchannel-logout-session-required
                                  the client needs the sid claim in logout tokens (Tobira always
                                  sends it when the session is known)`,
  options: {
    name: { type: 'string' },
    'redirect-uri': { type: 'string', multiple: true },
    'post-logout-redirect-uri': { type: 'string', multiple: true },
    public: { type: 'boolean' },
    'first-party': { type: 'boolean' },
    'require-mfa': { type: 'boolean' },
    grant: { type: 'string', multiple: true },
    'backchannel-logout-uri': { type: 'string' },
    'backchannel-logout-session-required': { type: 'boolean' },
  },
  async run(args) {
    const registration = {
      name: requireOption(args, 'name', 'client create'),
      redirectUris: stringList(args, 'redirect-uri'),
      postLogoutRedirectUris: stringList(args, 'post-logout-redirect-uri'),
      isPublic: args.values.public === true,
      firstParty: args.values['first-party'] === true,
      requireMfa: args.values['require-mfa'] === true,
      grants: stringList(args, 'grant'),
      backchannelLogoutUri: optionalString(args, 'backchannel-logout-uri'),
      backchannelLogoutSessionRequired: args.values['backchannel-logout-session-required'] === true,
    };
    const { client, secret } = await withDatabase(async ({ db, dataKey }) => {
      try {
        return await auditedChange(db, async (trx) => {
          const registered = await registerClient(trx, dataKey(), registration);
          const { clientId, ...details } = summary(registered.client);
          return {
            result: registered,
            event: { action: 'client.create', targetType: 'client', targetId: clientId, details },
          };
        });
      } catch (err) {
        if (err instanceof InvalidClientRegistration) {
          await auditRefusal(db, { action: 'client.create', targetType: 'client', details: { name: registration.name } }, err.message);
        }
        throw err;
      }
    });
    const view = summary(client);
    return {
      json: { ...view, clientSecret: secret ?? null },
      text: [
        describe(`Created ${view.public ? 'public' : 'confidential'} client "${view.name}"`, [
          ['client id', view.clientId],
          ['client secret', secret ?? 'none (public client: it proves itself with PKCE)'],
          ['grants', view.grants.join(', ')],
          ['redirect URIs', view.redirectUris.join(' ') || '(none)'],
          ['post-logout URIs', view.postLogoutRedirectUris.join(' ') || '(none)'],
          ['first-party', view.firstParty ? 'yes' : 'no'],
          ['require MFA', view.requireMfa ? 'yes' : 'no'],
          ['back-channel logout', backchannelText(view)],
        ]),
        ...(secret ? ['Store the client secret now: it is shown only this once.'] : []),
      ].join('\n'),
    };
  },
};

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ')).join('\n');
}

const list: Command = {
  name: 'client list',
  summary: 'list the registered clients (never their secrets)',
  help: `client list

Lists the registered clients: id, name, type, first-party, require-MFA, back-channel logout URI
and redirect URIs.
Secrets are never shown.`,
  options: {},
  async run() {
    const clients = (await withDatabase(async ({ db }) => listClients(db))).map(summary);
    const yesNo = (b: boolean) => (b ? 'yes' : 'no');
    return {
      json: clients,
      text: clients.length
        ? table([
            ['CLIENT ID', 'NAME', 'TYPE', 'FIRST-PARTY', 'REQUIRE-MFA', 'BACK-CHANNEL LOGOUT', 'REDIRECT URIS'],
            ...clients.map((c) => [
              c.clientId,
              c.builtIn ? `${c.name} (built-in)` : c.name,
              c.public ? 'public' : 'confidential',
              yesNo(c.firstParty),
              yesNo(c.requireMfa),
              c.backchannelLogoutUri ?? '-',
              c.redirectUris.join(' ') || '-',
            ]),
          ])
        : 'No clients registered. Add one with: tobira client create --name NAME --redirect-uri URL',
    };
  },
};

const remove: Command = {
  name: 'client delete',
  summary: 'remove a client; it can no longer sign users in',
  help: `client delete CLIENT_ID

Removes a client. Its users can no longer sign in to it. Tobira's own consoles
(tobira-admin, tobira-account) are built in and cannot be deleted.`,
  options: {},
  positionals: { min: 1, max: 1, describe: 'one client id' },
  async run(args) {
    const clientId = args.positionals[0]!;
    if (isConsoleClient(clientId)) {
      const refusal = `"${clientId}" is a built-in client (Tobira's own console) and cannot be deleted`;
      await withDatabase(async ({ db }) => auditRefusal(db, { action: 'client.delete', targetType: 'client', targetId: clientId }, 'built-in client'));
      throw new UsageError(refusal);
    }
    const deleted = await withDatabase(async ({ db }) => {
      try {
        return await auditedChange(db, async (trx) => {
          const row = await findClient(trx, clientId);
          if (!row) throw new UsageError(`no client with id "${clientId}"; run tobira client list to see the registered clients`);
          // Not its result: under PGlite, deleteClient reports false even when it deleted the row.
          await deleteClient(trx, clientId);
          return { result: row, event: { action: 'client.delete', targetType: 'client', targetId: clientId, details: { name: row.name } } };
        });
      } catch (err) {
        if (err instanceof UsageError) await auditRefusal(db, { action: 'client.delete', targetType: 'client', targetId: clientId }, 'no such client');
        throw err;
      }
    });
    return {
      json: { deleted: deleted.client_id, name: deleted.name },
      text: `Deleted client ${deleted.client_id} (${deleted.name})`,
    };
  },
};

export const clientCommands: CommandGroup = { name: 'client', summary: 'manage relying parties', commands: [create, update, list, remove] };
