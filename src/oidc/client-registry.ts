// Registering relying parties: validation in clients.ts, storage with the secret sealed at rest.
import type { Db } from '../db/connection.ts';
import { insertClient, type ClientRow } from '../db/clients.ts';
import { planClient, sealClientSecret, type ClientRegistration } from './clients.ts';

export async function registerClient(
  db: Db,
  dataKey: Buffer,
  registration: ClientRegistration,
  clientId?: string,
): Promise<{ client: ClientRow; secret: string | undefined }> {
  const { row, secret } = planClient(registration);
  const client = await insertClient(db, {
    ...row,
    client_id: clientId ?? row.client_id,
    secret_encrypted: secret ? sealClientSecret(dataKey, secret) : null,
  });
  return { client, secret };
}
