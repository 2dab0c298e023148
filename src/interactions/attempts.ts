// What the code prompt says after a refused code. The second-factor lock counts failures per user
// (src/mfa/second-factor.ts, key totp:user:<id>): only someone who already passed the password or
// holds the session reaches this prompt, so that count is the one that will pause this browser,
// and it is the number shown. One typo needs no warning; from the second failure on, the person
// sees how many tries are left and how long the pause they lead to will last.
import type { Translate } from '../i18n/index.ts';
import type { MessageKey } from '../i18n/en.ts';
import type { AfterFailure } from '../mfa/throttle.ts';
import { FAILURES_BEFORE_LOCK } from '../mfa/throttle.ts';

export type CodeMode = 'totp' | 'recovery';

const WARN_FROM_FAILURE = 2;

// A replayed code is the right code typed twice (a double submit, or the same step again): telling
// it apart from a wrong one points the person at waiting, not at retyping. It still counts as a failure.
const MESSAGES: Record<CodeMode, Record<'malformed' | 'wrong' | 'replayed', MessageKey>> = {
  totp: { malformed: 'totp.malformed', wrong: 'totp.wrong', replayed: 'lostPhone.replayed' },
  recovery: { malformed: 'recovery.malformed', wrong: 'recovery.wrong', replayed: 'recovery.wrong' },
};

/** "3 attempts left before a 1-minute pause", or nothing after the first failure or once locked. */
export function attemptsWarning(t: Translate, after: AfterFailure): string | undefined {
  if (after.locked || FAILURES_BEFORE_LOCK - after.left < WARN_FROM_FAILURE) return undefined;
  const minutes = String(Math.max(1, Math.round(after.nextLockSeconds / 60)));
  return after.left === 1 ? t('lostPhone.attemptLeft', { minutes }) : t('lostPhone.attemptsLeft', { count: String(after.left), minutes });
}

/** The alert for a refused code that did not lock: what went wrong, then the tries left. */
export function refusalText(t: Translate, mode: CodeMode, reason: 'malformed' | 'wrong' | 'replayed', after?: AfterFailure): string {
  const warning = after ? attemptsWarning(t, after) : undefined;
  // Joined by the catalogue: English puts a space between sentences, Japanese does not.
  return warning ? t('lostPhone.withAttempts', { message: t(MESSAGES[mode][reason]), attempts: warning }) : t(MESSAGES[mode][reason]);
}
