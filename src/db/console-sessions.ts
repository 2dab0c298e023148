import { deletedCount, type Db } from './connection.ts';

export type Console = 'admin' | 'account';

export type ConsoleSessionRow = {
  id: string;
  user_id: string;
  console: Console;
  acr: string;
  auth_time: Date;
  ip: string | null;
  user_agent: string | null;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
};

export async function insertConsoleSession(db: Db, row: Omit<ConsoleSessionRow, 'last_seen_at'>): Promise<void> {
  await db('console_sessions').insert({ ...row, last_seen_at: row.created_at });
}

export async function findConsoleSession(db: Db, id: string, console: Console, now: Date): Promise<ConsoleSessionRow | undefined> {
  return db<ConsoleSessionRow>('console_sessions').where({ id, console }).andWhere('expires_at', '>', now).first();
}

export async function touchConsoleSession(db: Db, id: string, now: Date, expiresAt: Date): Promise<void> {
  await db('console_sessions').where({ id }).update({ last_seen_at: now, expires_at: expiresAt });
}

export async function deleteConsoleSession(db: Db, id: string): Promise<void> {
  await db('console_sessions').where({ id }).delete();
}

export async function deleteConsoleSessionsOf(db: Db, userId: string): Promise<number> {
  return deletedCount(await db('console_sessions').where({ user_id: userId }).delete());
}

/** Ends the user's console sessions except the one making a change (the person stays where they are). */
export async function deleteConsoleSessionsOfExcept(db: Db, userId: string, keepId: string): Promise<number> {
  return deletedCount(await db('console_sessions').where({ user_id: userId }).whereNot({ id: keepId }).delete());
}

/** Deletes at most `limit` expired console sessions; returns how many (see deleteExpiredModels). */
export async function deleteExpiredConsoleSessions(db: Db, limit: number): Promise<number> {
  return deletedCount(
    await db.raw('delete from console_sessions where ctid = any(array(select ctid from console_sessions where expires_at < now() limit ?))', [limit]),
  );
}
