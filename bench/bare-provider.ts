// The yardstick of bench/start.ts and bench/tokens.ts: a bare oidc-provider (the version Tobira
// uses) with one static client (authorization code with refresh-token rotation, client
// credentials), introspection, its development sign-in pages, on PORT. Its in-memory adapter by
// default; with BARE_DATABASE_URL a minimal PostgreSQL adapter: one jsonb table, one statement per
// adapter call, counted and served at /bench/statements for the benchmark. With BARE_USERS_FILE,
// a real sign-in instead of the development pages (bench/bare-interactions.ts: argon2id, TOTP).
import { createServer } from 'node:http';
import Provider, { type Adapter, type AdapterPayload } from 'oidc-provider';
import pg from 'pg';
import { bareInteractions, type ClaimStep } from './bare-interactions.ts';

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const databaseUrl = process.env.BARE_DATABASE_URL;
const usersFile = process.env.BARE_USERS_FILE;
let statements = 0;
const pool = databaseUrl ? new pg.Pool({ connectionString: databaseUrl, max: 10 }) : undefined;
const query = async (sql: string, values: unknown[]) => {
  statements++;
  return pool!.query(sql, values);
};

function postgresAdapter() {
  const live = 'and (expires_at is null or expires_at > now())';
  return class PostgresAdapter implements Adapter {
    private readonly model: string;
    constructor(model: string) {
      this.model = model;
    }
    async upsert(id: string, payload: AdapterPayload, expiresIn: number) {
      await query(
        `insert into oidc_bare (model, id, payload, grant_id, uid, user_code, expires_at)
         values ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7::int))
         on conflict (model, id) do update set payload = excluded.payload, grant_id = excluded.grant_id,
           uid = excluded.uid, user_code = excluded.user_code, expires_at = excluded.expires_at`,
        [this.model, id, payload, payload.grantId ?? null, payload.uid ?? null, payload.userCode ?? null, expiresIn ?? null],
      );
    }
    async find(id: string) {
      return (await query(`select payload from oidc_bare where model = $1 and id = $2 ${live}`, [this.model, id])).rows[0]?.payload;
    }
    async findByUid(uid: string) {
      return (await query(`select payload from oidc_bare where model = $1 and uid = $2 ${live}`, [this.model, uid])).rows[0]?.payload;
    }
    async findByUserCode(userCode: string) {
      return (await query(`select payload from oidc_bare where model = $1 and user_code = $2 ${live}`, [this.model, userCode])).rows[0]?.payload;
    }
    async consume(id: string) {
      await query(`update oidc_bare set payload = payload || jsonb_build_object('consumed', extract(epoch from now())::int) where model = $1 and id = $2`, [
        this.model,
        id,
      ]);
    }
    async destroy(id: string) {
      await query('delete from oidc_bare where model = $1 and id = $2', [this.model, id]);
    }
    async revokeByGrantId(grantId: string) {
      await query('delete from oidc_bare where grant_id = $1', [grantId]);
    }
  };
}

if (databaseUrl) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  await client.query(
    'create table if not exists oidc_bare (model text not null, id text not null, payload jsonb not null, grant_id text, uid text, user_code text, expires_at timestamptz, primary key (model, id))',
  );
  await client.query('create index if not exists oidc_bare_grant on oidc_bare (grant_id)');
  await client.query('create index if not exists oidc_bare_uid on oidc_bare (uid)');
  await client.query('create table if not exists bare_totp (email text primary key, last_step bigint not null)');
  await client.end();
}

const provider = new Provider(issuer, {
  ...(databaseUrl ? { adapter: postgresAdapter() } : {}),
  ...(usersFile ? { interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` } } : {}),
  clients: [
    {
      client_id: 'bench',
      client_secret: 'bench-secret-bench-secret-bench-secret',
      redirect_uris: ['https://rp.example.test/callback'],
      grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
    },
  ],
  pkce: { required: () => true },
  features: {
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    devInteractions: { enabled: !usersFile },
  },
  // As Tobira: refresh tokens for every client allowed the grant, rotated on each use.
  issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
  rotateRefreshToken: true,
  findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
});
// The replay guard of the TOTP step: in memory, or one compare-and-set statement as Tobira's.
const usedSteps = new Map<string, number>();
const claimStep: ClaimStep = databaseUrl
  ? async (email, step) =>
      (
        await query(
          'insert into bare_totp values ($1, $2) on conflict (email) do update set last_step = excluded.last_step where bare_totp.last_step < excluded.last_step',
          [email, step],
        )
      ).rowCount === 1
  : async (email, step) => {
      if ((usedSteps.get(email) ?? -1) >= step) return false;
      usedSteps.set(email, step);
      return true;
    };
const interactions = usersFile ? await bareInteractions(provider, usersFile, claimStep) : undefined;
const app = provider.callback();
// Under node --cpu-prof (BENCH_CPU_PROF in bench/tokens.ts) the profile is written on a normal exit only.
if (process.execArgv.includes('--cpu-prof')) process.on('SIGTERM', () => process.exit(0));
createServer((req, res) => {
  if (req.url === '/bench/statements') {
    res.end(String(statements));
    return;
  }
  const handled = interactions ? interactions(req, res) : Promise.resolve(false);
  handled.then(
    (done) => {
      if (!done) app(req, res);
    },
    (err: unknown) => {
      res.statusCode = 500;
      res.end(String(err));
    },
  );
}).listen(port, '127.0.0.1');
