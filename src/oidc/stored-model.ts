// How an oidc-provider model instance is written to oidc_models without the bearer values in it
// (issue 8, item 3). The adapter receives the raw id — the access token, refresh token, code,
// session cookie value, interaction id or pushed request id itself — and a payload that repeats it:
// - Every model: `jti` is the id. The row is keyed by the id's HMAC and `jti` is left out; find(id)
//   receives the raw id and puts it back.
// - Interaction: `returnTo` is the resume URL, which ends in the interaction id: stored with a
//   marker in its place, completed on find. `session.cookie` is the SSO session's cookie value;
//   oidc-provider 9 never reads it back (resume and interactionDetails use `session.uid`), so it is
//   dropped. `parJti` names the pushed request to use up when the sign-in finishes and cannot be
//   derived from the row, so it is sealed with the data key.
// - Session `uid` and every `sessionUid`, `grantId` and `accountId` stay: they never leave the
//   server and rows are looked up by them (findByUid, revokeByGrantId, ending a user's sessions).
// Device flow and CIBA are off. Their models carry further values a person types or a client polls
// with (user codes), so they are refused here rather than ever stored raw.
// Migration 0005 converts rows written before this format with a frozen copy of these rules.
import type { OidcPayload } from '../db/oidc-models.ts';
import { tokenDigest } from '../crypto/token-digest.ts';
import { open, seal } from '../crypto/secret-box.ts';

export type StorageKeys = { tokenKey: Buffer; dataKey: Buffer };

/** Stands for the interaction id in a stored `returnTo`; a serialised URL never holds a raw brace. */
export const UID_MARK = '{uid}';
export const PAR_PURPOSE = 'oidc-interaction-par';
const REFUSED = new Set(['DeviceCode', 'BackchannelAuthenticationRequest']);

type InteractionParts = { returnTo?: unknown; session?: Record<string, unknown>; parJti?: unknown };

export function storedId(keys: StorageKeys, id: string): string {
  return tokenDigest(keys.tokenKey, id);
}

export function toStored(model: string, id: string, payload: OidcPayload, keys: StorageKeys): OidcPayload {
  if (REFUSED.has(model)) throw new Error(`${model} cannot be stored: its user code would be kept raw (enable the feature only with a hashed index for it)`);
  const { jti, ...rest } = payload;
  const stored: OidcPayload = jti === id ? rest : { ...payload };
  if (model !== 'Interaction') return stored;
  const { returnTo, session, parJti } = stored as InteractionParts;
  if (typeof returnTo === 'string') stored.returnTo = returnTo.replaceAll(id, UID_MARK);
  if (session && 'cookie' in session) {
    const { cookie: _cookie, ...kept } = session;
    stored.session = kept;
  }
  if (typeof parJti === 'string') stored.parJti = seal(keys.dataKey, PAR_PURPOSE, parJti);
  return stored;
}

export function fromStored(model: string, id: string, stored: OidcPayload, keys: StorageKeys): OidcPayload {
  const payload: OidcPayload = { ...stored, jti: stored.jti ?? id };
  if (model !== 'Interaction') return payload;
  const { returnTo, parJti } = payload as InteractionParts;
  if (typeof returnTo === 'string') payload.returnTo = returnTo.replaceAll(UID_MARK, id);
  if (typeof parJti === 'string') payload.parJti = open(keys.dataKey, PAR_PURPOSE, parJti);
  return payload;
}
