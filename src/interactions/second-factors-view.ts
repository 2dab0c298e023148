// The user's second factors as the sign-in pages list them. One function builds the list, so a new
// kind of factor (passkeys) joins every page that shows it by adding its rows here.
import type { Db } from '../db/connection.ts';
import { listAuthenticators } from '../db/authenticators.ts';
import { formatTime } from '../i18n/time.ts';

export type SecondFactorRow = { id: string; kind: 'totp'; label: string; added: string; addedIso: string; lastUsed: string | undefined };

export async function secondFactorRows(db: Db, userId: string, timeZone: string): Promise<SecondFactorRow[]> {
  return (await listAuthenticators(db, userId)).map((a) => ({
    id: a.id,
    kind: 'totp' as const,
    label: a.label,
    added: formatTime(a.created_at, timeZone),
    addedIso: new Date(a.created_at).toISOString(),
    lastUsed: formatTime(a.last_used_at, timeZone) || undefined,
  }));
}
