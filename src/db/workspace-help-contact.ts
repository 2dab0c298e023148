// The workspace's contact line for members who lost their phone (migration 0015). Kept out of
// WorkspaceRow and the account-facts query: only the code prompt and the settings page read it.
import type { Db } from './connection.ts';

type ContactRow = { help_contact: string | null };

export async function findHelpContact(db: Db, workspaceId: string): Promise<string | null> {
  const row = (await db('workspaces').select('help_contact').where({ id: workspaceId }).first()) as ContactRow | undefined;
  return row?.help_contact ?? null;
}

/** Sets the line (null removes it); returns the previous value, for the audit event. */
export async function updateHelpContact(trx: Db, workspaceId: string, contact: string | null, now: Date): Promise<string | null> {
  const before = (await trx('workspaces').select('help_contact').where({ id: workspaceId }).forUpdate().first()) as ContactRow | undefined;
  await trx('workspaces').where({ id: workspaceId }).update({ help_contact: contact, updated_at: now });
  return before?.help_contact ?? null;
}
