import type { Db } from './connection.ts';

export type AuditOutcome = 'success' | 'failure' | 'refused';
export type ActorType = 'user' | 'operator' | 'system' | 'anonymous';

export type AuditEvent = {
  action: string;
  outcome: AuditOutcome;
  workspaceId?: string | null;
  actorType: ActorType;
  actorId?: string | null;
  actorLabel?: string | null;
  targetType?: string | null;
  targetId?: string | null;
  ip?: string | null;
  userAgent?: string | null;
  details?: Record<string, unknown>;
};

export type AuditRow = {
  id: string;
  occurred_at: Date;
  workspace_id: string | null;
  actor_type: ActorType;
  actor_id: string | null;
  actor_label: string | null;
  target_type: string | null;
  target_id: string | null;
  action: string;
  outcome: AuditOutcome;
  ip: string | null;
  user_agent: string | null;
  details: Record<string, unknown>;
};

// Append-only: this module has no update or delete, and a trigger refuses both anyway.
export async function insertAuditEvent(db: Db, event: AuditEvent): Promise<void> {
  await db('audit_events').insert({
    action: event.action,
    outcome: event.outcome,
    workspace_id: event.workspaceId ?? null,
    actor_type: event.actorType,
    actor_id: event.actorId ?? null,
    actor_label: event.actorLabel ?? null,
    target_type: event.targetType ?? null,
    target_id: event.targetId ?? null,
    ip: event.ip ?? null,
    user_agent: event.userAgent?.slice(0, 512) ?? null,
    details: JSON.stringify(event.details ?? {}),
  });
}

export async function listAuditEvents(db: Db, filter: { workspaceId?: string; action?: string; limit?: number }): Promise<AuditRow[]> {
  const q = db<AuditRow>('audit_events').orderBy('id', 'desc').limit(filter.limit ?? 100);
  if (filter.workspaceId) q.where({ workspace_id: filter.workspaceId });
  if (filter.action) q.where({ action: filter.action });
  return q;
}
