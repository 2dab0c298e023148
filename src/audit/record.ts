// One entry point for writing audit events, so every caller records the request's address and
// user agent the same way. Recording never throws into the caller's flow: a failed audit write is
// logged loudly instead of turning a sign-in into a 500.
import type { Context } from 'koa';
import type { Db } from '../db/connection.ts';
import { insertAuditEvent, type AuditEvent } from '../db/audit-events.ts';
import { log } from '../log.ts';

export function requestOrigin(ctx: Context): { ip: string; userAgent: string } {
  return { ip: ctx.ip, userAgent: ctx.get('user-agent') };
}

export async function recordAudit(db: Db, event: AuditEvent): Promise<void> {
  try {
    await insertAuditEvent(db, event);
  } catch (err) {
    log.error('could not write audit event', { action: event.action, err });
  }
}
