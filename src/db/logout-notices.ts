// The back-channel logout outbox (migration 0011). A notice is inserted in the transaction of the
// event that ends a session, with a wake-up sent in that same transaction, and taken by whichever
// node's worker claims it first (src/backchannel/worker.ts).
import type { Db } from './connection.ts';
import { notify } from './notifications.ts';

export const LOGOUT_NOTICES_CHANNEL = 'tobira_logout_notices';

export type NewLogoutNotice = {
  client_id: string;
  account_id: string;
  workspace_id: string | null;
  sid: string | null;
  reason: string;
  give_up_at: Date;
};

export type LogoutNoticeRow = NewLogoutNotice & {
  id: string;
  attempts: number;
  next_attempt_at: Date;
  created_at: Date;
};

export async function insertLogoutNotices(db: Db, notices: NewLogoutNotice[]): Promise<void> {
  if (!notices.length) return;
  await db('logout_notices').insert(notices);
  await notify(db, LOGOUT_NOTICES_CHANNEL, '');
}

/**
 * Takes up to `limit` due notices for `leaseSeconds`: their next attempt moves past the lease, so
 * no other node takes them meanwhile, and a node that dies while sending leaves them due again.
 * SKIP LOCKED lets nodes claim side by side without waiting on each other.
 */
export async function claimDueNotices(db: Db, limit: number, leaseSeconds: number): Promise<LogoutNoticeRow[]> {
  const result = await db.raw(
    `update logout_notices set next_attempt_at = now() + make_interval(secs => ?), attempts = attempts + 1
     where id in (select id from logout_notices where next_attempt_at <= now() order by next_attempt_at limit ? for update skip locked)
     returning *`,
    [leaseSeconds, limit],
  );
  return (result.rows as LogoutNoticeRow[]).map((row) => ({ ...row, id: String(row.id) }));
}

export async function deleteNotice(db: Db, id: string): Promise<void> {
  await db('logout_notices').where({ id }).delete();
}

export async function retryNoticeAt(db: Db, id: string, at: Date): Promise<void> {
  await db('logout_notices').where({ id }).update({ next_attempt_at: at });
}
