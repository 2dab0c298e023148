// oidc-provider adapter over the oidc_models table (see src/db/oidc-models.ts). One instance per
// model name; oidc-provider calls the methods below and nothing else.
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { Db } from '../db/connection.ts';
import * as models from '../db/oidc-models.ts';
import { clientMetadata } from './clients.ts';
import { findClient } from '../db/clients.ts';

export function adapterFactory(db: Db, dataKey: Buffer, issuer: string) {
  return class PostgresAdapter implements Adapter {
    constructor(readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      // Clients live in their own table and are managed by the operator, never by the provider.
      if (this.model === 'Client') return;
      await models.upsertModel(db, this.model, id, payload as models.OidcPayload, expiresIn);
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'Client') {
        const row = await findClient(db, id);
        return row ? (clientMetadata(row, dataKey, issuer) as AdapterPayload) : undefined;
      }
      return (await models.findModel(db, this.model, id)) as AdapterPayload | undefined;
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return (await models.findModelByUid(db, this.model, uid)) as AdapterPayload | undefined;
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return (await models.findModelByUserCode(db, this.model, userCode)) as AdapterPayload | undefined;
    }

    async destroy(id: string): Promise<void> {
      await models.destroyModel(db, this.model, id);
    }

    async consume(id: string): Promise<void> {
      await models.consumeModel(db, this.model, id);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await models.revokeByGrantId(db, grantId);
    }
  };
}
