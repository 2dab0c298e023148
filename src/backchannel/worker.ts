// Delivers the back-channel logout outbox (src/db/logout-notices.ts). Every node runs one worker;
// it wakes on the outbox's LISTEN/NOTIFY channel and polls every second besides (a notice written
// while the listening connection was down, or due for a retry, is found within a second). Each
// claimed notice is sent on its own, so a relying party that never answers holds up only its own
// notice, for at most the timeout. Failures are retried with a doubling pause until the notice's
// delivery window closes; every attempt and its outcome is audited.
import type Provider from 'oidc-provider';
import type { Db } from '../db/connection.ts';
import { claimDueNotices, deleteNotice, LOGOUT_NOTICES_CHANNEL, retryNoticeAt, type LogoutNoticeRow } from '../db/logout-notices.ts';
import { listenForChanges, type ChangeListener } from '../db/notifications.ts';
import { recordAudit } from '../audit/record.ts';
import { log } from '../log.ts';
import type { AllowedHosts } from './address-guard.ts';
import { postLogoutToken, type DeliveryOutcome } from './deliver.ts';
import { signLogoutToken } from './logout-token.ts';

export const DELIVERY_TIMEOUT_MS = 5_000;
export const POLL_MS = 1_000;
const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 5 * 60_000;
// Longer than any attempt, so a notice is never sent twice at once; a node that dies mid-send
// leaves it to the others after this.
const LEASE_SECONDS = 60;
const MAX_IN_FLIGHT = 50;
const BATCH = 20;

export type WorkerOptions = { allowedHosts: AllowedHosts; timeoutMs?: number; pollMs?: number };

export type LogoutWorker = { close: () => Promise<void> };

/** The pause before attempt `attempts + 1`: 1 s, 2 s, 4 s … up to 5 minutes. */
export function retryDelayMs(attempts: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1), MAX_RETRY_MS);
}

export function startLogoutWorker(db: Db, provider: () => Provider, options: WorkerOptions): LogoutWorker {
  const timeoutMs = options.timeoutMs ?? DELIVERY_TIMEOUT_MS;
  const inFlight = new Set<Promise<void>>();
  const stop = new AbortController();
  let claiming: Promise<void> | undefined;
  let again = false;
  let unreadable = false;

  function claimRound(): void {
    if (claiming) {
      again = true;
      return;
    }
    claiming = claimDue().finally(() => {
      claiming = undefined;
    });
  }

  async function claimDue(): Promise<void> {
    try {
      do {
        again = false;
        const room = Math.min(BATCH, MAX_IN_FLIGHT - inFlight.size);
        if (room <= 0 || stop.signal.aborted) break;
        const notices = await claimDueNotices(db, room, LEASE_SECONDS);
        for (const notice of notices) {
          const attempt: Promise<void> = deliver(notice).finally(() => inFlight.delete(attempt));
          inFlight.add(attempt);
        }
        if (notices.length === room) again = true;
      } while (again);
      if (unreadable) log.info('the back-channel logout outbox is readable again');
      unreadable = false;
    } catch (err) {
      // Once per outage, not once a second while the database is away.
      if (!stop.signal.aborted && !unreadable) log.warn('could not read the back-channel logout outbox; retrying every second', { err });
      unreadable = true;
    }
  }

  async function deliver(notice: LogoutNoticeRow): Promise<void> {
    let outcome: DeliveryOutcome;
    // Only a client that is gone or no longer registered ends the retries early; a failure to
    // sign (the database away while the client is looked up) is retried like any other.
    let unregistered = false;
    try {
      const signed = await signLogoutToken(provider(), { clientId: notice.client_id, sub: notice.account_id, sid: notice.sid });
      unregistered = signed === undefined;
      outcome = signed
        ? await postLogoutToken(signed.uri, signed.token, { timeoutMs, allowedHosts: options.allowedHosts, signal: stop.signal })
        : { ok: false, error: 'the client is no longer registered for back-channel logout' };
    } catch (err) {
      outcome = { ok: false, error: err instanceof Error ? err.message : String(err) };
    }
    try {
      await settle(notice, outcome, !unregistered);
    } catch (err) {
      // The lease runs out and another attempt follows.
      log.warn('could not record a back-channel logout attempt', { err, clientId: notice.client_id });
    }
  }

  async function settle(notice: LogoutNoticeRow, outcome: DeliveryOutcome, registered: boolean): Promise<void> {
    const retryAt = new Date(Date.now() + retryDelayMs(notice.attempts));
    const givenUp = !outcome.ok && (!registered || retryAt > new Date(notice.give_up_at));
    if (outcome.ok || givenUp) await deleteNotice(db, notice.id);
    else await retryNoticeAt(db, notice.id, retryAt);
    await recordAudit(db, {
      action: 'backchannel_logout',
      outcome: outcome.ok ? 'success' : 'failure',
      workspaceId: notice.workspace_id,
      actorType: 'system',
      targetType: 'user',
      targetId: notice.account_id,
      details: {
        client_id: notice.client_id,
        sid: notice.sid,
        reason: notice.reason,
        attempt: notice.attempts,
        ...(outcome.status ? { status: outcome.status } : {}),
        ...(outcome.ok ? {} : { error: outcome.error, ...(givenUp ? { given_up: true } : { retry_at: retryAt.toISOString() }) }),
      },
    });
    if (!outcome.ok) log.warn('back-channel logout failed', { clientId: notice.client_id, attempt: notice.attempts, error: outcome.error, givenUp });
  }

  const wake = () => {
    if (!stop.signal.aborted) claimRound();
  };
  const poll = setInterval(wake, options.pollMs ?? POLL_MS);
  poll.unref();
  const listener: Promise<ChangeListener | undefined> = listenForChanges(db, LOGOUT_NOTICES_CHANNEL, wake).catch((err: unknown) => {
    log.warn('back-channel logout notices are polled only: could not listen for them', { err });
    return undefined;
  });
  wake();

  return {
    // Attempts in flight are cut short and recorded as failures, to be retried by a running node.
    close: async () => {
      stop.abort();
      clearInterval(poll);
      await (await listener)?.close();
      await claiming;
      await Promise.allSettled([...inFlight]);
    },
  };
}
