// A user's live SSO sessions with the apps signed in through each, for `tobira user sessions`.
// oidc-provider keeps a session's apps in its payload's `authorizations`, keyed by client id; the
// names come from the clients table in the same statement. A client deleted since is listed by
// its id alone.
import type { Db } from './connection.ts';

export type SessionWithApps = {
  loginTs: number | undefined;
  expiresAt: Date | null;
  amr: string[];
  acr: string | undefined;
  apps: { clientId: string; name: string | null }[];
};

type Row = { payload: unknown; expires_at: Date | null; apps: unknown };

const parsed = (value: unknown): unknown => (typeof value === 'string' ? JSON.parse(value) : value);

export async function listLiveSessionsWithApps(db: Db, accountId: string): Promise<SessionWithApps[]> {
  const { rows } = (await db.raw(
    `select m.payload, m.expires_at,
       coalesce((select json_agg(json_build_object('clientId', a.client_id, 'name', c.name) order by c.name, a.client_id)
                   from jsonb_object_keys(coalesce(m.payload->'authorizations', '{}'::jsonb)) as a(client_id)
                   left join clients c on c.client_id = a.client_id), '[]'::json) as apps
     from oidc_models m
     where m.model = 'Session' and m.account_id = ? and (m.expires_at is null or m.expires_at > now())
     order by (m.payload->>'loginTs')::bigint desc nulls last`,
    [accountId],
  )) as { rows: Row[] };
  return rows.map((row) => {
    const { loginTs, amr, acr } = parsed(row.payload) as { loginTs?: number; amr?: string[]; acr?: string };
    return { loginTs, expiresAt: row.expires_at, amr: amr ?? [], acr, apps: parsed(row.apps) as SessionWithApps['apps'] };
  });
}
