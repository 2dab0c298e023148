// oidc-provider adapter over the oidc_models table (see src/db/oidc-models.ts). One instance per
// model name; oidc-provider calls the methods below and nothing else. Ids arrive raw and are
// stored as their HMAC, payloads without the bearer values in them (src/oidc/stored-model.ts).
import { errors, type Adapter, type AdapterPayload } from 'oidc-provider';
import type { Db } from '../db/connection.ts';
import * as models from '../db/oidc-models.ts';
import { findClientMetadata } from './client-cache.ts';
import { fromStored, storedId, toStored, type StorageKeys } from './stored-model.ts';

export function adapterFactory(db: Db, keys: StorageKeys, issuer: string) {
  return class PostgresAdapter implements Adapter {
    readonly model: string;
    constructor(model: string) {
      this.model = model;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      // Clients live in their own table and are managed by the operator, never by the provider.
      if (this.model === 'Client') return;
      const stored = toStored(this.model, id, payload as models.OidcPayload, keys);
      await models.upsertModel(db, this.model, storedId(keys, id), stored, expiresIn);
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'Client') {
        return (await findClientMetadata(db, keys.dataKey, issuer, id)) as AdapterPayload | undefined;
      }
      const stored = await models.findModel(db, this.model, storedId(keys, id));
      return stored ? (fromStored(this.model, id, stored, keys) as AdapterPayload) : undefined;
    }

    /**
     * Sessions by uid, a server-side reference never sent to a browser or client, so stored as it is.
     * The session's raw id is not known here and stays absent: oidc-provider only reads such a
     * session (token-to-session binding, the interaction's principal check), never saves it.
     */
    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return (await models.findModelByUid(db, this.model, uid)) as AdapterPayload | undefined;
    }

    /** Device flow is off (src/oidc/stored-model.ts refuses its models), so no user code is ever stored. */
    async findByUserCode(): Promise<AdapterPayload | undefined> {
      return undefined;
    }

    async destroy(id: string): Promise<void> {
      await models.destroyModel(db, this.model, storedId(keys, id));
    }

    async consume(id: string): Promise<void> {
      // oidc-provider checks `consumed` on the row it read, then consumes: parallel requests with
      // the same code or refresh token all passed that check. Only the one whose update finds the
      // row unused goes on, on every node.
      if (await models.consumeModel(db, this.model, storedId(keys, id))) return;
      if (this.model === 'PushedAuthorizationRequest') throw new errors.InvalidRequestUri('request_uri is invalid, expired, or was already used');
      throw new errors.InvalidGrant(`${this.model === 'RefreshToken' ? 'refresh token' : 'authorization code'} already used`);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await models.revokeByGrantId(db, grantId);
    }
  };
}
