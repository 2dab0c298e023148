// tobira client update CLIENT_ID — changes what a registered client may be told. For now its
// back-channel logout registration; the change reaches every node's client cache through the
// clients table's change notice.
import { checkBackchannelLogoutUri, InvalidClientRegistration, isConsoleClient } from '../../oidc/clients.ts';
import { findClient, updateClientBackchannelLogout } from '../../db/clients.ts';
import { describe, optionalString, UsageError, type Command } from '../command.ts';
import { auditedChange, auditRefusal } from '../audit.ts';
import { withDatabase } from '../session.ts';
import { backchannelText, summary } from './client-view.ts';

export const update: Command = {
  name: 'client update',
  summary: "change a client's back-channel logout URI",
  help: `client update CLIENT_ID [--backchannel-logout-uri URL | --no-backchannel-logout] [options]

Changes a registered client. Its id, secret and other settings stay as they are.

  --backchannel-logout-uri URL    where Tobira POSTs a logout token when a user's session with
                                  this client ends (OpenID Connect Back-Channel Logout 1.0)
  --backchannel-logout-session-required
                                  the client needs the sid claim in logout tokens
  --no-backchannel-logout         stop telling this client about ended sessions`,
  options: {
    'backchannel-logout-uri': { type: 'string' },
    'backchannel-logout-session-required': { type: 'boolean' },
    'no-backchannel-logout': { type: 'boolean' },
  },
  positionals: { min: 1, max: 1, describe: 'one client id' },
  async run(args) {
    const clientId = args.positionals[0]!;
    const uri = optionalString(args, 'backchannel-logout-uri');
    const off = args.values['no-backchannel-logout'] === true;
    const sessionRequired = args.values['backchannel-logout-session-required'] === true;
    if (uri === undefined && !off) throw new UsageError('"client update" needs --backchannel-logout-uri URL or --no-backchannel-logout');
    if (uri !== undefined && off) throw new UsageError('give either --backchannel-logout-uri or --no-backchannel-logout, not both');
    if (off && sessionRequired) throw new UsageError('--backchannel-logout-session-required needs --backchannel-logout-uri');
    if (isConsoleClient(clientId)) throw new UsageError(`"${clientId}" is a built-in client (Tobira's own console) and cannot be changed`);
    const updated = await withDatabase(async ({ db }) => {
      try {
        if (uri !== undefined) checkBackchannelLogoutUri(uri);
        return await auditedChange(db, async (trx) => {
          const row = await findClient(trx, clientId);
          if (!row) throw new UsageError(`no client with id "${clientId}"; run tobira client list to see the registered clients`);
          await updateClientBackchannelLogout(trx, clientId, uri ?? null, sessionRequired);
          const after = (await findClient(trx, clientId))!;
          return {
            result: after,
            event: {
              action: 'client.update',
              targetType: 'client',
              targetId: clientId,
              details: { name: row.name, backchannel_logout_uri: after.backchannel_logout_uri, previous_backchannel_logout_uri: row.backchannel_logout_uri },
            },
          };
        });
      } catch (err) {
        if (err instanceof UsageError || err instanceof InvalidClientRegistration) {
          await auditRefusal(db, { action: 'client.update', targetType: 'client', targetId: clientId }, err.message);
        }
        throw err;
      }
    });
    const view = summary(updated);
    return {
      json: view,
      text: describe(`Updated client ${view.clientId} (${view.name})`, [['back-channel logout', backchannelText(view)]]),
    };
  },
};
