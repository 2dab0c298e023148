// Operator changes and their audit events. A change and its event commit together: recordAudit
// swallows errors so a sign-in never fails on the log, but inside a transaction a swallowed failed
// insert leaves PostgreSQL's transaction aborted and the COMMIT silently rolls the change back. An
// operator change that cannot be audited should fail loudly instead, so success events go through
// insertAuditEvent in the change's transaction. Refusals are recorded best-effort with recordAudit.
import type { Db } from '../db/connection.ts';
import { insertAuditEvent, type AuditEvent } from '../db/audit-events.ts';
import { recordAudit } from '../audit/record.ts';
import { operatorActor } from './session.ts';

export type OperatorEvent = Omit<AuditEvent, 'actorType' | 'actorLabel' | 'outcome' | 'ip' | 'userAgent'>;

export async function auditedChange<T>(db: Db, change: (trx: Db) => Promise<{ result: T; event: OperatorEvent }>): Promise<T> {
  return db.transaction(async (trx) => {
    const { result, event } = await change(trx);
    await insertAuditEvent(trx, { ...event, ...operatorActor(), outcome: 'success' });
    return result;
  });
}

export async function auditRefusal(db: Db, event: OperatorEvent, reason: string): Promise<void> {
  await recordAudit(db, { ...event, ...operatorActor(), outcome: 'failure', details: { ...event.details, reason } });
}

/** For a change that has already committed on its own (migrations): best-effort, like refusals. */
export async function auditCompleted(db: Db, event: OperatorEvent): Promise<void> {
  await recordAudit(db, { ...event, ...operatorActor(), outcome: 'success' });
}
