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

export type AuditFilter = {
  workspaceId: string;
  /** Events the user did or that were done to them. */
  user?: { id?: string; email?: string };
  action?: string;
  /** Inclusive lower bound. */
  from?: Date;
  /** Exclusive upper bound. */
  before?: Date;
};

function applyFilter(db: Db, filter: AuditFilter) {
  const q = db<AuditRow>('audit_events').where({ workspace_id: filter.workspaceId });
  const { user } = filter;
  if (user) {
    q.where((w) => {
      if (user.id) w.orWhere({ actor_id: user.id }).orWhere({ target_type: 'user', target_id: user.id });
      // Events about a user who has since been deleted still carry the e-mail as the actor label.
      // lower(): labels written before migration 0004 keep the case they were typed in.
      if (user.email) w.orWhereRaw('lower(actor_label) = lower(?)', [user.email]);
    });
  }
  if (filter.action) q.where({ action: filter.action });
  if (filter.from) q.where('occurred_at', '>=', filter.from);
  if (filter.before) q.where('occurred_at', '<', filter.before);
  return q;
}

/** Newest first; `belowId` continues below the last id of the previous batch (keyset paging). */
export async function findAuditEvents(db: Db, filter: AuditFilter, page: { limit: number; offset?: number; belowId?: string }): Promise<AuditRow[]> {
  const q = applyFilter(db, filter).orderBy('id', 'desc').limit(page.limit);
  if (page.offset) q.offset(page.offset);
  if (page.belowId) q.where('id', '<', page.belowId);
  return q;
}

/** The actions that occur in a workspace's log, for the filter's choices. */
export async function distinctAuditActions(db: Db, workspaceId: string): Promise<string[]> {
  const rows = await db('audit_events').where({ workspace_id: workspaceId }).distinct('action').orderBy('action');
  return rows.map((r: { action: string }) => r.action);
}
