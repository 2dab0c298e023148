// Waiting on a condition instead of a sleep: polls until `check` returns a value other than
// undefined/false, and fails with what did not happen at the deadline. An error thrown by the
// check ends the wait at once (something went wrong that waiting will not fix).
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
