// The user's second factors as the sign-in pages list them: authenticator apps and passkeys, oldest
// first. One function builds the list, so every page that shows it shows both kinds.
import type { Db } from '../db/connection.ts';
import { listAuthenticators } from '../db/authenticators.ts';
import { listPasskeys } from '../db/passkeys.ts';
import { formatTime } from '../i18n/time.ts';

export type SecondFactorRow = { id: string; kind: 'totp' | 'passkey'; label: string; added: string; addedIso: string; lastUsed: string | undefined };

export async function secondFactorRows(db: Db, userId: string, timeZone: string): Promise<SecondFactorRow[]> {
  const apps = (await listAuthenticators(db, userId)).map((a) => ({ kind: 'totp' as const, row: a }));
  const passkeys = (await listPasskeys(db, userId)).map((p) => ({ kind: 'passkey' as const, row: p }));
  return [...apps, ...passkeys]
    .sort((a, b) => new Date(a.row.created_at).getTime() - new Date(b.row.created_at).getTime())
    .map(({ kind, row }) => ({
      id: row.id,
      kind,
      label: row.label,
      added: formatTime(row.created_at, timeZone),
      addedIso: new Date(row.created_at).toISOString(),
      lastUsed: formatTime(row.last_used_at, timeZone) || undefined,
    }));
}
