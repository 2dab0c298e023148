// Starts a real Tobira node for a test file: in-memory PGlite by default, or the PostgreSQL
// database named by DATABASE_URL (CI's second run). Data made by tests carries a random suffix so
// runs against a shared PostgreSQL database never collide.
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../src/config.ts';
import { setLogLevel } from '../../src/log.ts';
import { bootTobira, openAndMigrate, type RunningTobira } from '../../src/boot.ts';
import type { Db } from '../../src/db/connection.ts';
import { createWorkspace } from '../../src/directory/workspaces.ts';
import { createUser } from '../../src/directory/users.ts';
import { registerClient } from '../../src/oidc/client-registry.ts';
import type { ClientRegistration } from '../../src/oidc/clients.ts';
import type { MfaPolicy } from '../../src/db/workspaces.ts';
import type { Role, UserRow } from '../../src/db/users.ts';
import type { Clock } from '../../src/clock.ts';
import type { CanonicalEmail } from '../../src/identity/email.ts';
import { CALLBACK } from '../../bench/support/rp.ts';

export { CALLBACK };

export const TEST_SECRET = 'test-secret-that-is-long-enough-for-tobira-0123456789';

export type TestEnv = Record<string, string | undefined>;

export function testConfig(extra: TestEnv = {}) {
  return loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    TOBIRA_SECRET: TEST_SECRET,
    LOG_LEVEL: 'silent',
    TOBIRA_DATA_DIR: extra.TOBIRA_DATA_DIR ?? '/nonexistent-tobira-test-dir',
    ...extra,
    DATABASE_URL: 'DATABASE_URL' in extra ? extra.DATABASE_URL : process.env.DATABASE_URL,
  });
}

/**
 * `embedded: true` forces a fresh in-memory PGlite even when DATABASE_URL is set (tests that need
 * an empty database); `clock` lets a test move time (TOTP steps, lock expiry) without sleeping;
 * `sameDatabaseAs` starts a second node on another node's database.
 */
export async function startTobira(
  extra: TestEnv = {},
  options: { embedded?: boolean; clock?: Clock; sameDatabaseAs?: RunningTobira } = {},
): Promise<RunningTobira> {
  setLogLevel('silent');
  // A second node on the first one's database: what two nodes behind a load balancer share.
  if (options.sameDatabaseAs) return bootTobira(testConfig(extra), { clock: options.clock, sharedDb: options.sameDatabaseAs.db });
  if (options.embedded) return bootTobira(testConfig({ ...extra, DATABASE_URL: undefined }), { inMemory: true, clock: options.clock });
  const databaseUrl = 'DATABASE_URL' in extra ? extra.DATABASE_URL : process.env.DATABASE_URL;
  if (!databaseUrl && !extra.TOBIRA_DATA_DIR) return bootTobira(testConfig(extra), { clock: options.clock, sharedDb: await sharedEmbeddedDatabase() });
  return bootTobira(testConfig(extra), { clock: options.clock });
}

// Without DATABASE_URL the test files share one in-memory PGlite, as they share one PostgreSQL
// database in CI's second run (test data carries random suffixes). Booting and dropping a fresh
// PGlite per file triggered an intermittent V8 abort in WebAssembly code bookkeeping
// (`Check failed: jit_page_->allocations_.erase(addr) == 1`, nodejs/node#64500); far fewer
// instances make it far rarer. `embedded: true` still gives a test a fresh, empty one.
let sharedEmbedded: Promise<Db> | undefined;

function sharedEmbeddedDatabase(): Promise<Db> {
  sharedEmbedded ??= openAndMigrate(testConfig({ DATABASE_URL: undefined }), true).then((database) => database.db);
  return sharedEmbedded;
}

export const unique = (): string => randomBytes(4).toString('hex');

export type TestUser = { user: UserRow; email: CanonicalEmail; password: string; workspaceSlug: string };

export async function makeWorkspace(tobira: RunningTobira, policy: MfaPolicy = 'optional') {
  const slug = `ws-${unique()}`;
  return createWorkspace(tobira.db, { slug, displayName: `Workspace ${slug}`, mfaPolicy: policy });
}

export async function makeUser(tobira: RunningTobira, options: { workspaceSlug?: string; role?: Role; name?: string } = {}): Promise<TestUser> {
  const workspaceSlug = options.workspaceSlug ?? (await makeWorkspace(tobira)).slug;
  const email = `user-${unique()}@example.test`;
  const password = `pw-${randomBytes(9).toString('base64url')}`;
  const user = await createUser(tobira.db, { workspaceSlug, email, password, name: options.name ?? 'Test User', role: options.role ?? 'member' });
  return { user, email: user.email, password, workspaceSlug };
}

export const POST_LOGOUT = 'https://rp.example.test/signed-out';

export async function makeClient(tobira: RunningTobira, overrides: Partial<ClientRegistration> = {}) {
  const { client, secret } = await registerClient(tobira.db, tobira.keys.dataKey, {
    name: `RP ${unique()}`,
    redirectUris: [CALLBACK],
    postLogoutRedirectUris: [POST_LOGOUT],
    isPublic: false,
    firstParty: true,
    requireMfa: false,
    grants: [],
    ...overrides,
  });
  return { clientId: client.client_id, secret };
}

/**
 * A second node behind the same (imagined) load balancer: the same issuer and secret, its own
 * provider and HTTP server. On PostgreSQL it is booted separately with its own connection pool;
 * the in-memory PGlite of the first node can only be shared in this process.
 */
export async function startSecondNode(first: RunningTobira, options: { clock?: Clock } = {}): Promise<RunningTobira & { url: string }> {
  const extra = { ISSUER: first.issuer };
  const node = process.env.DATABASE_URL
    ? await startTobira(extra, { clock: options.clock })
    : await startTobira(extra, { clock: options.clock, sameDatabaseAs: first });
  const port = (node.server.address() as { port: number }).port;
  return Object.assign(node, { url: `http://127.0.0.1:${port}` });
}

/** Two nodes for a test file (see startSecondNode): booted before its tests, closed after them. */
export function twoNodes(options: { clock?: Clock } = {}): { a: RunningTobira; b: RunningTobira & { url: string } } {
  const nodes = {} as { a: RunningTobira; b: RunningTobira & { url: string } };
  before(async () => {
    nodes.a = await startTobira({}, options);
    nodes.b = await startSecondNode(nodes.a, options);
  });
  after(async () => {
    await nodes.b?.close();
    await nodes.a?.close();
  });
  return nodes;
}
