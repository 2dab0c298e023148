// Every change to a client sends a notice in its transaction: nodes keep client metadata in
// process (src/oidc/client-cache.ts) and drop it when told.
import { deletedCount, type Db } from './connection.ts';
import { CLIENTS_CHANNEL, notify } from './notifications.ts';

export type ClientRow = {
  client_id: string;
  name: string;
  secret_encrypted: string | null;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  grant_types: string[];
  first_party: boolean;
  require_mfa: boolean;
  /** OpenID Connect Back-Channel Logout 1.0: where the client is told that a user's session ended. */
  backchannel_logout_uri: string | null;
  backchannel_logout_session_required: boolean;
  created_at: Date;
};

export type NewClient = Omit<ClientRow, 'created_at'>;

export async function insertClient(db: Db, values: NewClient): Promise<ClientRow> {
  const [row] = await db<ClientRow>('clients')
    .insert({
      ...values,
      // jsonb columns: knex would turn a JS array into a Postgres array literal.
      redirect_uris: JSON.stringify(values.redirect_uris) as unknown as string[],
      post_logout_redirect_uris: JSON.stringify(values.post_logout_redirect_uris) as unknown as string[],
      grant_types: JSON.stringify(values.grant_types) as unknown as string[],
    })
    .returning('*');
  await notify(db, CLIENTS_CHANNEL, values.client_id);
  return row as ClientRow;
}

export async function findClient(db: Db, clientId: string): Promise<ClientRow | undefined> {
  return db<ClientRow>('clients').where({ client_id: clientId }).first();
}

export async function listClients(db: Db): Promise<ClientRow[]> {
  return db<ClientRow>('clients').orderBy('created_at');
}

export async function deleteClient(db: Db, clientId: string): Promise<boolean> {
  const deleted = deletedCount(await db('clients').where({ client_id: clientId }).delete()) > 0;
  await notify(db, CLIENTS_CHANNEL, clientId);
  return deleted;
}

export async function updateClientUris(db: Db, clientId: string, redirectUris: string[], postLogoutRedirectUris: string[]): Promise<boolean> {
  const updated = await db('clients')
    .where({ client_id: clientId })
    .update({ redirect_uris: JSON.stringify(redirectUris), post_logout_redirect_uris: JSON.stringify(postLogoutRedirectUris) });
  await notify(db, CLIENTS_CHANNEL, clientId);
  return Number(updated) > 0;
}

export async function updateClientBackchannelLogout(db: Db, clientId: string, uri: string | null, sessionRequired: boolean): Promise<boolean> {
  const updated = await db('clients')
    .where({ client_id: clientId })
    .update({ backchannel_logout_uri: uri, backchannel_logout_session_required: uri !== null && sessionRequired });
  await notify(db, CLIENTS_CHANNEL, clientId);
  return Number(updated) > 0;
}

/** Of these clients, the ids of those registered for back-channel logout. */
export async function clientsWithBackchannelLogout(db: Db, clientIds: string[]): Promise<Set<string>> {
  if (!clientIds.length) return new Set();
  const rows: { client_id: string }[] = await db('clients').select('client_id').whereIn('client_id', clientIds).whereNotNull('backchannel_logout_uri');
  return new Set(rows.map((row) => row.client_id));
}

/** Display names of these clients; ids of deleted clients are absent. */
export async function clientNames(db: Db, clientIds: string[]): Promise<Map<string, string>> {
  if (!clientIds.length) return new Map();
  const rows: { client_id: string; name: string }[] = await db('clients').select('client_id', 'name').whereIn('client_id', clientIds);
  return new Map(rows.map((row) => [row.client_id, row.name]));
}
