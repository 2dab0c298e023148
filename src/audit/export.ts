// Audit log exports, the same for the admin page's download and `tobira audit export`.
// CSV follows RFC 4180 (header row, CRLF line ends, fields with a comma, quote or line break
// quoted, quotes doubled). Exports are opened in spreadsheets, and a cell such as
// `=HYPERLINK(...)` in a user agent or a label would run as a formula (CSV injection, OWASP): a
// cell that starts with = + - @ (or a tab or carriage return, which some spreadsheets skip
// before one of them) gets a leading apostrophe, which spreadsheets show as text.
import type { AuditRow } from '../db/audit-events.ts';

export type AuditRecord = {
  id: string;
  time: string;
  workspace: string;
  actor_type: string;
  actor_id: string | null;
  /** The actor's label (an e-mail, `cli:<name>` for the operator); a user of this workspace's e-mail when unlabelled. */
  actor: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  /** The target user's e-mail when the target is a user of this workspace. */
  target: string | null;
  outcome: string;
  ip: string | null;
  user_agent: string | null;
  details: Record<string, unknown>;
};

export const EXPORT_FORMATS = ['csv', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export function auditRecord(row: AuditRow, workspaceSlug: string, emails: Map<string, string>): AuditRecord {
  return {
    id: String(row.id),
    time: new Date(row.occurred_at).toISOString(),
    workspace: workspaceSlug,
    actor_type: row.actor_type,
    actor_id: row.actor_id,
    actor: row.actor_label ?? (row.actor_type === 'user' && row.actor_id ? (emails.get(row.actor_id) ?? null) : null),
    action: row.action,
    target_type: row.target_type,
    target_id: row.target_id,
    target: row.target_type === 'user' && row.target_id ? (emails.get(row.target_id) ?? null) : null,
    outcome: row.outcome,
    ip: row.ip,
    user_agent: row.user_agent,
    details: row.details ?? {},
  };
}

const COLUMNS: (keyof AuditRecord)[] = [
  'id',
  'time',
  'workspace',
  'actor_type',
  'actor_id',
  'actor',
  'action',
  'target_type',
  'target_id',
  'target',
  'outcome',
  'ip',
  'user_agent',
  'details',
];

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvHeader = (): string => `${COLUMNS.join(',')}\r\n`;

export const csvRows = (records: AuditRecord[]): string => records.map((record) => `${COLUMNS.map((c) => csvCell(record[c])).join(',')}\r\n`).join('');

/** JSON: one array of records, written in pieces so a long export can stream. */
export function jsonPiece(records: AuditRecord[], first: boolean): string {
  return records.map((r, i) => `${first && i === 0 ? '' : ',\n'}${JSON.stringify(r)}`).join('');
}

/** Formats batches of records as one CSV or JSON document, piece by piece. */
export async function* formatExport(format: ExportFormat, batches: AsyncIterable<AuditRecord[]>): AsyncGenerator<string> {
  yield format === 'csv' ? csvHeader() : '[\n';
  let first = true;
  for await (const records of batches) {
    if (!records.length) continue;
    yield format === 'csv' ? csvRows(records) : jsonPiece(records, first);
    first = false;
  }
  if (format === 'json') yield first ? ']\n' : '\n]\n';
}
