// One entry point for writing audit events, so every caller records the request's address and
// user agent the same way. Recording never throws into the caller's flow: a failed audit write is
// logged loudly instead of turning a sign-in into a 500.
//
// Events often describe hostile requests, so every string written (labels, ids, address, user
// agent, and every key and string inside details) has its control characters and lone surrogates
// replaced by \uXXXX escapes: PostgreSQL refuses NUL in text and jsonb and a lone surrogate in
// jsonb, and the refusal of such a request must not lose its own audit row. A backslash is not
// escaped, so a typed "\u0000" and a refused NUL read alike; the log is for people, not for replay.
import type { Context } from 'koa';
import type { Db } from '../db/connection.ts';
import { insertAuditEvent, type AuditEvent } from '../db/audit-events.ts';
import { escapeHostile } from '../http/hostile-text.ts';
import { log } from '../log.ts';

/** Actor and target of an event a user causes about themselves: a sign-in, a code, their own password. */
export function selfEvent(user: { id: string; workspace_id: string; email: string }) {
  return { workspaceId: user.workspace_id, actorType: 'user' as const, actorId: user.id, actorLabel: user.email, targetType: 'user', targetId: user.id };
}

export function requestOrigin(ctx: Context): { ip: string; userAgent: string } {
  return { ip: ctx.ip, userAgent: ctx.get('user-agent') };
}

function storable(value: unknown): unknown {
  if (typeof value === 'string') return escapeHostile(value);
  if (Array.isArray(value)) return value.map(storable);
  if (value !== null && typeof value === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(value))) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [escapeHostile(k), storable(v)]));
  }
  return value;
}

/** The event with every string in a form PostgreSQL stores. */
export function storableEvent(event: AuditEvent): AuditEvent {
  return storable(event) as AuditEvent;
}

/**
 * For a change whose event must commit with it (enrolment, MFA reset, user creation): written in
 * the change's transaction, so a process killed in between leaves both or neither. Unlike
 * recordAudit it throws: inside a transaction a swallowed failed insert would leave PostgreSQL's
 * transaction aborted and the COMMIT would roll the change back silently.
 */
export async function recordWithChange(trx: Db, event: AuditEvent): Promise<void> {
  await insertAuditEvent(trx, storableEvent(event));
}

export async function recordAudit(db: Db, event: AuditEvent): Promise<void> {
  try {
    await insertAuditEvent(db, storableEvent(event));
  } catch (err) {
    log.error('could not write audit event', { action: event.action, err });
  }
}
