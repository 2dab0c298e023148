// The name of an app as a person reads it. Tobira's own consoles are registered with English
// names (migration 0003); inside a Japanese sentence they read as 「Tobira アカウント」, so their
// shown name comes from the catalogue. Operators' clients keep the name they were registered with.
import type { Translate } from '../i18n/index.ts';
import type { MessageKey } from '../i18n/en.ts';
import { ACCOUNT_CLIENT_ID, ADMIN_CLIENT_ID } from './clients.ts';

const CONSOLE_NAMES: Record<string, MessageKey> = { [ADMIN_CLIENT_ID]: 'app.tobira-admin', [ACCOUNT_CLIENT_ID]: 'app.tobira-account' };

/** A client deleted since has no name: its id is all there is to show. */
export function appName(app: { clientId: string; name: string | null }, t: Translate): string {
  const key = CONSOLE_NAMES[app.clientId];
  return key ? t(key) : (app.name ?? app.clientId);
}
