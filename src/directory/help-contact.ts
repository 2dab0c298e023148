// The workspace's contact line for members who lost their phone: the rules for what a workspace
// admin may save, the change with its audit event in one transaction, and how the line is cut into
// text and links for the code prompt.
//
// The line is shown on a page an attacker can send a victim to, so it is always plain text (escaped
// by the view). Only two kinds of link are made from it, both harmless to follow: an https:// URL
// without credentials in it, and a plain e-mail address (mailto:). Anything else (javascript:,
// http://, data:, a "user@host" inside a URL) stays text.
import type { Db } from '../db/connection.ts';
import type { AuditEvent } from '../db/audit-events.ts';
import { findHelpContact, updateHelpContact } from '../db/workspace-help-contact.ts';
import { recordWithChange } from '../audit/record.ts';
import { refusalOf } from '../http/hostile-text.ts';

export const MAX_HELP_CONTACT_LENGTH = 200;

export type ContactCheck =
  | { ok: true; contact: string | null }
  | { ok: false; reason: 'too_long'; length: number }
  | { ok: false; reason: 'control_character' };

/** Trimmed; empty means "no contact line". Length in characters, as PostgreSQL's char_length counts. */
export function checkHelpContact(input: string): ContactCheck {
  const contact = input.trim();
  // The input boundary refuses these before any route runs; checked again for callers that are not a form.
  if (refusalOf(contact)) return { ok: false, reason: 'control_character' };
  const length = [...contact].length;
  if (length > MAX_HELP_CONTACT_LENGTH) return { ok: false, reason: 'too_long', length };
  return { ok: true, contact: contact || null };
}

export const helpContactOf = (db: Db, workspaceId: string): Promise<string | null> => findHelpContact(db, workspaceId);

/** Saves the line and its audit event together; returns the previous line. */
export async function changeHelpContact(
  db: Db,
  workspaceId: string,
  contact: string | null,
  now: Date,
  audit: Omit<AuditEvent, 'action' | 'outcome' | 'details'>,
): Promise<string | null> {
  return db.transaction(async (trx) => {
    const previous = await updateHelpContact(trx, workspaceId, contact, now);
    await recordWithChange(trx, { ...audit, action: 'workspace.help_contact', outcome: 'success', details: { from: previous, to: contact } });
    return previous;
  });
}

export type ContactSegment = { text: string; href?: string };

// ASCII URL characters only: a Japanese sentence often runs straight on after a URL without a space.
const LINKABLE = /https:\/\/[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]+|[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
const TRAILING_PUNCTUATION = /[.,;:!?'()[\]]+$/;

function hrefFor(candidate: string): string | undefined {
  if (!candidate.startsWith('https://')) return `mailto:${candidate}`;
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    return undefined;
  }
  // user:password@ in a link is a classic way to disguise where it really goes.
  if (url.protocol !== 'https:' || url.username || url.password || !url.hostname.includes('.')) return undefined;
  return url.href;
}

/** The line as text pieces, some of them links; joined, the texts give back the line unchanged. */
export function contactSegments(contact: string): ContactSegment[] {
  const segments: ContactSegment[] = [];
  let rest = 0;
  for (const match of contact.matchAll(LINKABLE)) {
    const found = match[0].replace(TRAILING_PUNCTUATION, '');
    const href = found ? hrefFor(found) : undefined;
    if (!href) continue;
    if (match.index > rest) segments.push({ text: contact.slice(rest, match.index) });
    segments.push({ text: found, href });
    rest = match.index + found.length;
  }
  if (rest < contact.length) segments.push({ text: contact.slice(rest) });
  return segments;
}
