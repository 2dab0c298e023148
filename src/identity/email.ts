// The one canonical form of an e-mail address. The sign-in lookup, the unique index on
// users.email, the password lock's key and the audit log all use it, so no two of them can
// disagree on whether two spellings are one address. (They did: the lock lower-cased in
// JavaScript, the lookup in SQL, and the two differ on İ, so a locked account took the right
// password spelled with İ.) Pure: no database, no locale.
//
// The steps, each for a reason:
// - NFKC: full-width and other compatibility letters become plain ones (ａｌｉｃｅ＠ＥＸＡＭＰＬＥ．ｃｏｍ,
//   the Kelvin sign K U+212A becomes K), and decomposed letters compose (e + U+0301 is é).
// - toLowerCase, which in JavaScript is the locale-independent Unicode mapping. It is context
//   sensitive in one place, Greek capital sigma at the end of a word (Σ → ς), so ς is folded to σ
//   afterwards, as Unicode case folding does: ΟΔΥΣΣΕΥΣ, οδυσσευς and οδυσσευσ are one address.
// - NFC again: lower-casing can decompose (İ → i + U+0307).
// - The domain through the WHATWG/UTS #46 mapping (node:url domainToASCII): IDN labels become
//   punycode, so bücher.example and xn--bcher-kva.example are one domain.
// What is refused instead of guessed at: control, format, private-use and unassigned code points
// (invisible, or mapped differently by a later Unicode); white space; anything but exactly one @
// with text on both sides; a combining mark left over after NFC on a letter that has precomposed
// forms (Latin, Greek, Cyrillic, kana, Han) or on no letter at all — i + U+0307 from İ is such a
// look-alike, while scripts that are written with combining vowel signs (Devanagari, Thai,
// Arabic …) keep them; a domain the mapping rejects or that uses URL percent-escapes; more than
// 320 characters; and a result that is not its own canonical form (a fixed point is what lets
// every place that stores or compares the form trust it without recomputing).
//
// Changing these rules changes stored values: it needs a migration that re-canonicalises users.email
// (as migrations/0004_canonical_emails.ts does), never only a code change.
import { domainToASCII } from 'node:url';

declare const canonical: unique symbol;
/** Only `canonicalEmail` makes one; users.email holds nothing else (migration 0004, `insertUser`). */
export type CanonicalEmail = string & { readonly [canonical]: true };

export const MAX_EMAIL_LENGTH = 320;

export type EmailRefusal = 'empty' | 'too_long' | 'not_one_at' | 'control' | 'space' | 'combining_mark' | 'domain' | 'unstable';

export type CanonicalEmailResult = { ok: true; email: CanonicalEmail } | { ok: false; reason: EmailRefusal };

/** English, for the command line and logs; the pages use translated messages. */
export const EMAIL_REFUSALS: Record<EmailRefusal, string> = {
  empty: 'it is empty',
  too_long: `it is longer than ${MAX_EMAIL_LENGTH} characters`,
  not_one_at: 'it needs exactly one @ with text on both sides',
  control: 'it contains an invisible or control character',
  space: 'it contains a space',
  combining_mark: 'it contains a separate accent or dot (such as the dotted capital İ); type it with plain letters',
  domain: 'the part after @ is not a valid domain name',
  unstable: 'its letters do not have one stable lower-case form; type it with plain letters',
};

/** Refusals of text that looks like an address but whose letters cannot be compared safely. */
export const NOT_PLAIN_LETTERS: ReadonlySet<EmailRefusal> = new Set<EmailRefusal>(['control', 'combining_mark', 'unstable']);

const CONTROL = /\p{C}/u;
const SPACE = /\s/u;
// A mark after a non-letter, or after a letter of a script whose accented letters are precomposed.
const LOOSE_MARK = /(?:^|[^\p{L}\p{M}]|[\p{sc=Latin}\p{sc=Greek}\p{sc=Cyrillic}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Han}])\p{M}/u;

/** Letters only: what the lookup and the lock compare, also usable on part of an address (search). */
export function foldEmailText(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/ς/g, 'σ').normalize('NFC');
}

function canonicalise(typed: string): CanonicalEmailResult {
  const refuse = (reason: EmailRefusal): CanonicalEmailResult => ({ ok: false, reason });
  const trimmed = typed.trim();
  if (!trimmed) return refuse('empty');
  // Generous before folding (a decomposed address is longer), so the work done stays bounded.
  if (trimmed.length > 4 * MAX_EMAIL_LENGTH) return refuse('too_long');
  const folded = foldEmailText(trimmed);
  if (CONTROL.test(folded)) return refuse('control');
  if (SPACE.test(folded)) return refuse('space');
  const parts = folded.split('@');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return refuse('not_one_at');
  if (LOOSE_MARK.test(parts[0]) || LOOSE_MARK.test(parts[1])) return refuse('combining_mark');
  // domainToASCII follows URL rules, which decode %41 as A; an e-mail domain has no escapes.
  const domain = parts[1].includes('%') ? '' : domainToASCII(parts[1]);
  if (!domain) return refuse('domain');
  const email = `${parts[0]}@${domain}`;
  if (email.length > MAX_EMAIL_LENGTH) return refuse('too_long');
  return { ok: true, email: email as CanonicalEmail };
}

/** The canonical form of a typed e-mail address, or why it cannot be given one safely. */
export function canonicalEmail(typed: string): CanonicalEmailResult {
  const once = canonicalise(typed);
  if (!once.ok) return once;
  const twice = canonicalise(once.email);
  return twice.ok && twice.email === once.email ? once : { ok: false, reason: 'unstable' };
}
