// A Tobira database ready for the benchmarks, written straight into its tables so that a thousand
// enrolled users take a second, not a thousand argon2id hashes: one workspace (policy optional),
// one first-party client, users who all share one precomputed hash (a check costs the same
// whichever user it is), TOTP secrets sealed as Tobira seals them, and filler users made by the
// database itself (INSERT … SELECT … FROM generate_series: nothing crosses the wire per row).
import { loadConfig } from '../../src/config.ts';
import { openAndMigrate } from '../../src/boot.ts';
import type { Db } from '../../src/db/connection.ts';
import { deriveInstanceKeys, resolveSecret } from '../../src/crypto/instance-secret.ts';
import { hashPassword } from '../../src/crypto/passwords.ts';
import { seal } from '../../src/crypto/secret-box.ts';
import { createWorkspace } from '../../src/directory/workspaces.ts';
import { registerClient } from '../../src/oidc/client-registry.ts';
import { newTotpSecret } from '../../src/mfa/totp.ts';
import { TOTP_SECRET_PURPOSE } from '../../src/mfa/second-factor.ts';
import { CALLBACK } from './rp.ts';
import { SECRET } from './servers.ts';

export const BENCH_PASSWORD = 'bench-password-long-enough';

export type SignInUsers = { password: string; passwordUsers: string[]; totpUsers: { email: string; secret: string }[] };

export type Seeded = { client: { id: string; secret: string }; users: SignInUsers; workspaceId: string; hash: string };

/** Opens the database (`databaseUrl`, or PGlite in `dataDir`), migrates it and hands it to `work`. */
export async function withDatabase<T>(databaseUrl: string | undefined, dataDir: string, work: (db: Db) => Promise<T>): Promise<T> {
  const config = loadConfig({ DATABASE_URL: databaseUrl, TOBIRA_SECRET: SECRET, TOBIRA_DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  const database = await openAndMigrate(config);
  try {
    return await work(database.db);
  } finally {
    await database.close();
  }
}

async function insertUsers(db: Db, workspaceId: string, hash: string, emails: string[]): Promise<string[]> {
  const rows = emails.map((email) => ({ workspace_id: workspaceId, email, name: 'Bench', role: 'member', password_hash: hash, email_verified: true }));
  const ids: string[] = [];
  for (let i = 0; i < rows.length; i += 500) {
    ids.push(
      ...(
        await db('users')
          .insert(rows.slice(i, i + 500))
          .returning('id')
      ).map((r: { id: string }) => r.id),
    );
  }
  return ids;
}

export async function seedTobira(db: Db, dataDir: string, counts: { passwordUsers: number; totpUsers: number }): Promise<Seeded> {
  const dataKey = deriveInstanceKeys(resolveSecret(SECRET, dataDir)).dataKey;
  const workspace = await createWorkspace(db, { slug: 'bench', displayName: 'Bench', mfaPolicy: 'optional' });
  const { client, secret } = await registerClient(db, dataKey, {
    name: 'Bench RP',
    redirectUris: [CALLBACK],
    postLogoutRedirectUris: [],
    isPublic: false,
    firstParty: true,
    requireMfa: false,
    grants: ['client_credentials'],
  });
  const hash = await hashPassword(BENCH_PASSWORD);
  const passwordUsers = Array.from({ length: counts.passwordUsers }, (_, i) => `password-${i}@bench.example`);
  await insertUsers(db, workspace.id, hash, passwordUsers);
  const totpUsers = Array.from({ length: counts.totpUsers }, (_, i) => ({ email: `totp-${i}@bench.example`, secret: newTotpSecret() }));
  const ids = await insertUsers(
    db,
    workspace.id,
    hash,
    totpUsers.map((u) => u.email),
  );
  const now = new Date();
  const authenticators = totpUsers.map((u, i) => ({
    user_id: ids[i],
    label: 'Bench phone',
    secret_encrypted: seal(dataKey, TOTP_SECRET_PURPOSE, u.secret),
    created_at: now,
  }));
  for (let i = 0; i < authenticators.length; i += 500) await db('authenticators').insert(authenticators.slice(i, i + 500));
  return { client: { id: client.client_id, secret: secret! }, users: { password: BENCH_PASSWORD, passwordUsers, totpUsers }, workspaceId: workspace.id, hash };
}

/** Adds `count` users who never sign in, so lookups run against a table of that size; then ANALYZE, as autovacuum would. */
export async function fillUsers(db: Db, workspaceId: string, hash: string, count: number): Promise<void> {
  if (count <= 0) return;
  await db.raw(
    `insert into users (workspace_id, email, name, role, password_hash, email_verified)
     select ?, 'filler-' || g || '@bench.example', 'Filler', 'member', ?, true from generate_series(1, ?::int) g`,
    [workspaceId, hash, count],
  );
  await db.raw('analyze users');
}

/** `count` expired OIDC artefacts (access tokens, as a busy day leaves them), for the clean-up benchmark. */
export async function fillExpiredModels(db: Db, count: number): Promise<void> {
  await db.raw(
    `insert into oidc_models (model, id, payload, grant_id, account_id, expires_at)
     select 'AccessToken', 'expired-' || g, jsonb_build_object('kind', 'AccessToken', 'jti', 'expired-' || g, 'grantId', 'grant-' || (g / 4), 'scope', 'openid email profile'),
            'grant-' || (g / 4), 'account-' || (g % 100000), now() - interval '1 hour'
     from generate_series(1, ?::int) g`,
    [count],
  );
  await db.raw('analyze oidc_models');
}
