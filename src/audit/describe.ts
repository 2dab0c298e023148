// An audit event's details as words, for the audit log page: "reason: lost phone — 2
// authenticators and 10 recovery codes removed". Phrases belong to detail keys, not to actions, so
// a new action that records known keys reads well with no change here; its name needs one line
// per language in src/i18n/areas/audit.ts. Keys no phrase knows, and values of a shape a phrase
// does not expect, fall back to "key: value" — never raw JSON, never an exception: details come
// from every version of Tobira that ever wrote to the log, and from hostile input (a refused
// request records what was sent). The raw JSON stays in the exports.
import type { Translate } from '../i18n/index.ts';
import { en, type MessageKey } from '../i18n/en.ts';
import { formatTime } from '../i18n/time.ts';

export type DescribeContext = {
  t: Translate;
  timeZone: string;
  /** The target as the page shows it (an e-mail), so a detail repeating it is left out. */
  target?: string;
  /** Set by detailPhrases: a phrase may read a key differently for one kind of action. */
  action?: string;
};

type Details = Record<string, unknown>;
/** A phrase for some detail keys: the keys it speaks for, and the words (none to stay silent). */
type Phrase = { keys: string[]; words: (d: Details, c: DescribeContext) => string | undefined };

const MAX_VALUE = 200;
const MAX_ITEMS = 8;
const MAX_DEPTH = 3;

const has = (key: string): key is MessageKey => Object.hasOwn(en, key);
const clip = (text: string) => (text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text);
const text = (value: unknown): string | undefined => (typeof value === 'string' && value ? clip(value) : undefined);
const count = (value: unknown): string | undefined => (typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined);
const list = (value: unknown): string[] | undefined =>
  Array.isArray(value) && value.every((v) => typeof v === 'string') ? (value as string[]).slice(0, MAX_ITEMS).map(clip) : undefined;

/** A translated code (`audit.reason.locked`), or the code itself when it has no message. */
const coded = (c: DescribeContext, prefix: string, value: unknown): string | undefined => {
  const code = text(value);
  if (!code) return undefined;
  const key = `${prefix}.${code}`;
  return has(key) ? c.t(key) : code;
};

/** A message with a count, in its singular form (`….one`) for 1 where the language has one. */
const counted = (c: DescribeContext, key: MessageKey, n: string): string => {
  const one = `${key}.one`;
  return n === '1' && has(one) ? c.t(one) : c.t(key, { count: n });
};

/** A message for one count detail; undefined when the value is not a count. */
const countPhrase = (key: MessageKey, value: unknown) => (c: DescribeContext) => {
  const n = count(value);
  return n === undefined ? undefined : counted(c, key, n);
};

const joined = (c: DescribeContext, items: string[]) => items.join(c.t('audit.listSeparator'));

/** Any JSON value as plain words, bounded in depth and length. */
export function plainValue(c: DescribeContext, value: unknown, depth = 0): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'boolean') return c.t(value ? 'audit.yes' : 'audit.no');
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '—';
  if (typeof value === 'string') return clip(value) || '""';
  if (depth >= MAX_DEPTH) return '…';
  if (Array.isArray(value)) {
    const shown = value.slice(0, MAX_ITEMS).map((v) => plainValue(c, v, depth + 1));
    if (value.length > MAX_ITEMS) shown.push(c.t('audit.more', { count: String(value.length - MAX_ITEMS) }));
    return shown.length ? joined(c, shown) : '—';
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Details);
    const shown = entries.slice(0, MAX_ITEMS).map(([k, v]) => `${clip(k)}: ${plainValue(c, v, depth + 1)}`);
    if (entries.length > MAX_ITEMS) shown.push(c.t('audit.more', { count: String(entries.length - MAX_ITEMS) }));
    return shown.length ? `(${joined(c, shown)})` : '—';
  }
  return '—';
}

const quoted = (c: DescribeContext, shown: string | undefined) => (shown === undefined ? undefined : c.t('audit.quoted', { text: shown }));
const label = (c: DescribeContext, value: unknown) => quoted(c, text(value));
const policy = (c: DescribeContext, value: unknown) => quoted(c, coded(c, 'workspace.policy', value));
const role = (c: DescribeContext, value: unknown) => coded(c, 'admin.users.role', value);
const time = (c: DescribeContext, value: unknown) => (typeof value === 'string' ? formatTime(value, c.timeZone) || undefined : undefined);

/** "from A to B" for an action whose `from`/`to` are of one kind (a policy, a role, a name). */
const fromTo = (shown: (c: DescribeContext, value: unknown) => string | undefined): Phrase => ({
  keys: ['from', 'to'],
  words: (d, c) => {
    const to = shown(c, d.to);
    const from = shown(c, d.from);
    if (to === undefined) return undefined;
    return from === undefined ? c.t('audit.d.to', { to }) : c.t('audit.d.fromTo', { from, to });
  },
});

const plainZone = (_c: DescribeContext, value: unknown) => text(value);

/** What `from` and `to` mean, for the actions that record them. */
const FROM_TO: Record<string, Phrase> = {
  'workspace.policy_change': fromTo(policy),
  'workspace.time_zone_change': fromTo(plainZone),
  'user.role_change': fromTo(role),
  'mfa.authenticator_rename': fromTo(label),
};

const PHRASES: Phrase[] = [
  {
    keys: ['reason'],
    words: (d, c) => (d.reason === undefined ? undefined : c.t('audit.d.reason', { reason: coded(c, 'audit.reason', d.reason) ?? plainValue(c, d.reason) })),
  },
  { keys: ['requested_reason'], words: (d, c) => (text(d.requested_reason) ? c.t('audit.d.reason', { reason: text(d.requested_reason)! }) : undefined) },
  {
    keys: ['authenticators', 'recovery_codes', 'recoveryCodes'],
    words: (d, c) => {
      const authenticators = count(d.authenticators);
      const codes = count(d.recovery_codes ?? d.recoveryCodes);
      return authenticators && codes
        ? c.t('audit.d.removed', { authenticators: counted(c, 'audit.n.authenticators', authenticators), codes: counted(c, 'audit.n.codes', codes) })
        : undefined;
    },
  },
  {
    keys: ['authenticators_removed', 'recovery_codes_removed'],
    words: (d, c) => {
      const authenticators = count(d.authenticators_removed);
      const codes = count(d.recovery_codes_removed);
      return authenticators && codes
        ? c.t('audit.d.removed', { authenticators: counted(c, 'audit.n.authenticators', authenticators), codes: counted(c, 'audit.n.codes', codes) })
        : undefined;
    },
  },
  { keys: ['label'], words: (d, c) => (text(d.label) ? c.t('audit.d.authenticator', { label: text(d.label)! }) : undefined) },
  {
    keys: ['recovery_codes_issued'],
    words: (d, c) =>
      d.recovery_codes_issued === true
        ? c.t('audit.d.codesIssuedNew')
        : d.recovery_codes_issued === false
          ? ''
          : countPhrase('audit.d.codesIssued', d.recovery_codes_issued)(c),
  },
  { keys: ['count'], words: (d, c) => countPhrase('audit.d.codesIssued', d.count)(c) },
  {
    keys: ['unused_codes_replaced'],
    words: (d, c) => countPhrase('audit.d.codesReplaced', d.unused_codes_replaced)(c),
  },
  { keys: ['remaining'], words: (d, c) => countPhrase('audit.d.codesLeft', d.remaining)(c) },
  { keys: ['oidcArtefacts', 'ended_oidc_artefacts'], words: (d, c) => ended(c, d.oidcArtefacts ?? d.ended_oidc_artefacts, 'audit.d.ended') },
  { keys: ['consoleSessions', 'ended_console_sessions'], words: (d, c) => ended(c, d.consoleSessions ?? d.ended_console_sessions, 'audit.d.consoleEnded') },
  { keys: ['logout_notices'], words: (d, c) => countPhrase('audit.d.appsTold', d.logout_notices)(c) },
  {
    keys: ['amr', 'acr'],
    words: (d, c) => {
      const amr = list(d.amr);
      if (!amr) return undefined;
      const methods = amr.filter((m) => m !== 'mfa').map((m) => coded(c, 'audit.d.amr', m)!);
      return methods.length ? c.t('audit.d.methods', { methods: joined(c, methods) }) : undefined;
    },
  },
  {
    keys: ['mfa_reasons'],
    words: (d, c) => {
      const reasons = list(d.mfa_reasons);
      if (!reasons) return undefined;
      return reasons.length
        ? c.t('audit.d.mfaAsked', {
            reasons: joined(
              c,
              reasons.map((r) => coded(c, 'audit.d.mfaReason', r)!),
            ),
          })
        : '';
    },
  },
  { keys: ['step_up'], words: (d, c) => (d.step_up === true ? c.t('audit.d.stepUp') : d.step_up === false ? '' : undefined) },
  { keys: ['client_id'], words: (d, c) => (text(d.client_id) ? c.t('audit.d.app', { client: text(d.client_id)! }) : undefined) },
  { keys: ['factor'], words: (d, c) => coded(c, 'audit.d.factor', d.factor) },
  { keys: ['scope'], words: (d, c) => coded(c, 'audit.d.scope', d.scope) },
  { keys: ['until'], words: (d, c) => (time(c, d.until) ? c.t('audit.d.until', { time: time(c, d.until)! }) : undefined) },
  { keys: ['format'], words: (d, c) => (text(d.format) ? c.t('audit.d.export', { format: text(d.format)!.toUpperCase() }) : undefined) },
  {
    keys: ['filters'],
    words: (d, c) => {
      if (!d.filters || typeof d.filters !== 'object' || Array.isArray(d.filters)) return undefined;
      const entries = Object.entries(d.filters as Details);
      return entries.length ? c.t('audit.d.filters', { filters: plainValue(c, d.filters).replace(/^\((.*)\)$/s, '$1') }) : '';
    },
  },
  { keys: ['users_to_enrol'], words: (d, c) => countPhrase('audit.d.usersToEnrol', d.users_to_enrol)(c) },
  { keys: ['sessions'], words: (d, c) => countPhrase('audit.d.sessions', d.sessions)(c) },
  { keys: ['role'], words: (d, c) => (role(c, d.role) ? c.t('audit.d.role', { role: role(c, d.role)! }) : undefined) },
  { keys: ['method'], words: (d, c) => (d.method === 'password' || d.method === 'link' ? c.t(`audit.d.method.${d.method}`) : undefined) },
  { keys: ['via'], words: (d, c) => (d.via === 'account' || d.via === 'link' ? c.t(`audit.d.via.${d.via}`) : undefined) },
  { keys: ['proof'], words: (d, c) => (d.proof === 'otp' || d.proof === 'pwd' ? c.t(`audit.d.proof.${d.proof}`) : undefined) },
  { keys: ['cleared'], words: (d, c) => (Array.isArray(d.cleared) ? counted(c, 'audit.d.locksCleared', String(d.cleared.length)) : undefined) },
  { keys: ['alreadyRequired'], words: (d, c) => (d.alreadyRequired === true ? c.t('audit.d.alreadyRequired') : d.alreadyRequired === false ? '' : undefined) },
  { keys: ['wasRequired'], words: (d, c) => (d.wasRequired === false ? c.t('audit.d.wasNotRequired') : d.wasRequired === true ? '' : undefined) },
  { keys: ['attempt'], words: (d, c) => (count(d.attempt) ? c.t('audit.d.attempt', { count: count(d.attempt)! }) : undefined) },
  { keys: ['status'], words: (d, c) => (count(d.status) ? c.t('audit.d.status', { status: count(d.status)! }) : undefined) },
  { keys: ['error'], words: (d, c) => (text(d.error) ? c.t('audit.d.error', { error: text(d.error)! }) : undefined) },
  { keys: ['given_up'], words: (d, c) => (d.given_up === true ? c.t('audit.d.givenUp') : undefined) },
  { keys: ['retry_at'], words: (d, c) => (time(c, d.retry_at) ? c.t('audit.d.retryAt', { time: time(c, d.retry_at)! }) : undefined) },
  {
    keys: ['slug', 'name'],
    words: (d, c) => {
      const slug = text(d.slug);
      const name = text(d.name);
      if (slug && name) return c.t('audit.d.workspace', { name, slug });
      return name && c.action?.startsWith('client.') ? c.t('audit.d.appName', { name }) : undefined;
    },
  },
  { keys: ['mfa_policy'], words: (d, c) => (policy(c, d.mfa_policy) ? c.t('audit.d.policy', { policy: policy(c, d.mfa_policy)! }) : undefined) },
  { keys: ['time_zone'], words: (d, c) => (text(d.time_zone) ? c.t('audit.d.timeZone', { zone: text(d.time_zone)! }) : undefined) },
  { keys: ['email'], words: (d, c) => (text(d.email) === undefined ? undefined : d.email === c.target ? '' : c.t('audit.d.user', { email: text(d.email)! })) },
  {
    keys: ['method', 'path'],
    words: (d, c) => (text(d.method) && text(d.path) ? c.t('audit.d.request', { method: text(d.method)!, path: text(d.path)! }) : undefined),
  },
  {
    keys: ['place', 'field', 'value'],
    words: (d, c) =>
      text(d.place) && text(d.field) && typeof d.value === 'string'
        ? c.t('audit.d.field', { place: text(d.place)!, field: text(d.field)!, value: plainValue(c, d.value) })
        : undefined,
  },
  // Known to be noise on this page: the actor is shown already, the session id and the ACR
  // repeat what the methods say, and the sign-in step is clear from the action.
  { keys: ['user_id', 'sid', 'step'], words: () => '' },
];

function ended(c: DescribeContext, value: unknown, key: 'audit.d.ended' | 'audit.d.consoleEnded'): string | undefined {
  const n = count(value);
  if (n === undefined) return undefined;
  return n === '0' ? '' : counted(c, key, n);
}

/** The details of one event as phrases, in the order of the rules above; unknown keys last. */
export function detailPhrases(action: string, details: unknown, context: DescribeContext): string[] {
  const c = { ...context, action };
  if (details === null || details === undefined) return [];
  if (typeof details !== 'object' || Array.isArray(details)) return [plainValue(c, details)];
  const d = details as Details;
  const left = new Set(Object.keys(d));
  const phrases: string[] = [];
  const special = Object.hasOwn(FROM_TO, action) ? [FROM_TO[action]!] : [];
  for (const phrase of [...special, ...PHRASES]) {
    if (!phrase.keys.some((key) => left.has(key))) continue;
    let words: string | undefined;
    try {
      words = phrase.words(d, c);
    } catch {
      words = undefined; // an unexpected shape: the keys fall through to "key: value"
    }
    if (words === undefined) continue;
    for (const key of phrase.keys) left.delete(key);
    if (words) phrases.push(words);
  }
  for (const key of [...left].slice(0, MAX_ITEMS)) phrases.push(`${clip(key)}: ${plainValue(c, d[key])}`);
  if (left.size > MAX_ITEMS) phrases.push(c.t('audit.more', { count: String(left.size - MAX_ITEMS) }));
  return phrases;
}

export function describeDetails(action: string, details: unknown, c: DescribeContext): string {
  // Japanese brackets carry their own spacing; the catalogue's spaces around {from} and {to} suit
  // a bare name (UTC から Asia/Tokyo) but not a quoted one (「任意」から).
  return detailPhrases(action, details, c).join(c.t('audit.separator')).replace(/」 /g, '」').replace(/ 「/g, '「');
}

/** The action's name in the page's language; the raw name for one without a message. */
export function actionLabel(t: Translate, action: string): string {
  const key = `audit.action.${action}`;
  return has(key) ? t(key) : action;
}

/** Every action that has a name in the catalogue. */
export const NAMED_ACTIONS: readonly string[] = Object.keys(en)
  .filter((key) => key.startsWith('audit.action.'))
  .map((key) => key.slice('audit.action.'.length));
