// Expired sessions, codes, tokens, interactions, console sessions, passkey challenges and forgotten throttle counters are deleted periodically so
// the tables stay bounded. Any node may run it; the deletes are idempotent, so nodes racing each
// other is harmless.
// The embedded database has one connection: a single DELETE of a million expired rows held it for
// seconds and every request waited. So rows go in bounded batches, and between two batches the
// job yields, letting the queries of requests that arrived meanwhile take the connection first.
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Db } from '../db/connection.ts';
import { deleteExpiredModels } from '../db/oidc-models.ts';
import { deleteExpiredConsoleSessions } from '../db/console-sessions.ts';
import { deleteForgottenThrottles } from '../db/throttles.ts';
import { deleteExpiredChallenges } from '../db/webauthn-challenges.ts';
import { FORGET_LOCKS_AFTER_SECONDS } from '../mfa/throttle.ts';
import { log } from '../log.ts';

export const CLEANUP_INTERVAL_MS = 10 * 60 * 1000;
export const CLEANUP_BATCH = 1000;

const EXPIRING: ((db: Db, limit: number) => Promise<number>)[] = [
  deleteExpiredModels,
  deleteExpiredConsoleSessions,
  deleteExpiredChallenges,
  (db, limit) => deleteForgottenThrottles(db, limit, FORGET_LOCKS_AFTER_SECONDS),
];

export async function removeExpiredArtefacts(db: Db, batch = CLEANUP_BATCH): Promise<number> {
  let removed = 0;
  for (const deleteBatch of EXPIRING) {
    for (;;) {
      const count = await deleteBatch(db, batch);
      removed += count;
      if (count < batch) break;
      await nextTurn();
    }
  }
  if (removed) log.info('removed expired OIDC artefacts', { removed });
  return removed;
}

export function startCleanupJob(db: Db, intervalMs = CLEANUP_INTERVAL_MS): () => void {
  let running = false;
  const timer = setInterval(() => {
    // A run that outlasts the interval is not doubled up.
    if (running) return;
    running = true;
    removeExpiredArtefacts(db)
      .catch((err: unknown) => log.warn('cleanup of expired OIDC artefacts failed', { err }))
      .finally(() => (running = false));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
