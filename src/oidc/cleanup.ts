// Expired sessions, codes, tokens, interactions and console sessions are deleted periodically so oidc_models stays
// bounded. Any node may run it; the delete is idempotent, so nodes racing each other is harmless.
import type { Db } from '../db/connection.ts';
import { deleteExpiredModels } from '../db/oidc-models.ts';
import { deletedCount } from '../db/connection.ts';
import { log } from '../log.ts';

export const CLEANUP_INTERVAL_MS = 10 * 60 * 1000;

export async function removeExpiredArtefacts(db: Db): Promise<number> {
  const removed = (await deleteExpiredModels(db)) + deletedCount(await db('console_sessions').where('expires_at', '<', db.fn.now()).delete());
  if (removed) log.info('removed expired OIDC artefacts', { removed });
  return removed;
}

export function startCleanupJob(db: Db, intervalMs = CLEANUP_INTERVAL_MS): () => void {
  const timer = setInterval(() => {
    removeExpiredArtefacts(db).catch((err: unknown) => log.warn('cleanup of expired OIDC artefacts failed', { err }));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
