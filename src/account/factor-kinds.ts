// The two kinds of second factor a user manages at /account. Renaming and removing work the same
// for both (src/account/factor-routes.ts); what differs is where the rows are, the audit actions
// and the words on the pages.
import type { MessageKey } from '../i18n/en.ts';
import { findAuthenticatorOf } from '../db/authenticators.ts';
import { findPasskeyOf } from '../db/passkeys.ts';
import type { Db } from '../db/connection.ts';
import { removeAuthenticator, removePasskey, renameAuthenticator, renamePasskey, type RemoveResult } from '../mfa/self-service.ts';

export type FactorKind = {
  /** The path segment under /account: /account/<segment>/:id/rename. */
  segment: 'authenticators' | 'passkeys';
  targetType: 'authenticator' | 'passkey';
  audit: { rename: string; remove: string };
  find: (db: Db, userId: string, id: string) => Promise<{ id: string; label: string } | undefined>;
  rename: (db: Db, userId: string, id: string, label: string) => Promise<boolean>;
  remove: (db: Db, userId: string, id: string, keepConsoleSessionId: string) => Promise<RemoveResult>;
  words: {
    labelName: MessageKey;
    renameTitle: MessageKey;
    removeTitle: MessageKey;
    removeLead: MessageKey;
    last: MessageKey;
    renamed: string;
    removed: string;
  };
};

export const APP: FactorKind = {
  segment: 'authenticators',
  targetType: 'authenticator',
  audit: { rename: 'mfa.authenticator_rename', remove: 'mfa.authenticator_remove' },
  find: findAuthenticatorOf,
  rename: renameAuthenticator,
  remove: removeAuthenticator,
  words: {
    labelName: 'enrol.label',
    renameTitle: 'account.rename.title',
    removeTitle: 'account.remove.title',
    removeLead: 'account.remove.lead',
    last: 'account.remove.last',
    renamed: 'renamed',
    removed: 'removed',
  },
};

export const PASSKEY: FactorKind = {
  segment: 'passkeys',
  targetType: 'passkey',
  audit: { rename: 'mfa.passkey_rename', remove: 'mfa.passkey_remove' },
  find: findPasskeyOf,
  rename: renamePasskey,
  remove: removePasskey,
  words: {
    labelName: 'passkeys.label',
    renameTitle: 'passkeys.rename.title',
    removeTitle: 'passkeys.remove.title',
    removeLead: 'passkeys.remove.lead',
    last: 'passkeys.remove.last',
    renamed: 'passkey-renamed',
    removed: 'passkey-removed',
  },
};
