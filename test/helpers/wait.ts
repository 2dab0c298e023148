// Waiting on a condition, never on the clock alone: a busy machine makes things slow, not wrong, so
// a wait has a generous deadline and, when it runs out, says what did not happen.
import { setTimeout as delay } from 'node:timers/promises';

export async function waitFor(condition: () => boolean | Promise<boolean>, options: { within: number; what: () => string; every?: number }): Promise<void> {
  const deadline = Date.now() + options.within;
  for (;;) {
    if (await condition()) return;
    if (Date.now() >= deadline) throw new Error(`${options.what()} (waited ${Math.round(options.within / 1000)} s)`);
    await delay(options.every ?? 100);
  }
}

/**
 * Polls until `check` returns a value other than undefined/false, and returns it; fails with what
 * did not happen at the deadline. An error thrown by the check ends the wait at once (something
 * went wrong that waiting will not fix).
 */
export async function until<T>(what: string, check: () => Promise<T | undefined | false>, options: { deadlineMs?: number; everyMs?: number } = {}): Promise<T> {
  const deadlineMs = options.deadlineMs ?? 20_000;
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${deadlineMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, options.everyMs ?? 100));
  }
}
