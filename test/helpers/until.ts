// Waiting on a condition instead of a sleep: polls until `check` returns a value other than
// undefined/false, and fails with what did not happen (and the last thing seen) at the deadline.
export async function until<T>(what: string, check: () => Promise<T | undefined | false>, options: { deadlineMs?: number; everyMs?: number } = {}): Promise<T> {
  const deadline = Date.now() + (options.deadlineMs ?? 20_000);
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
      last = value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${options.deadlineMs ?? 20_000} ms (last: ${last instanceof Error ? last.message : String(last)})`);
    await new Promise((resolve) => setTimeout(resolve, options.everyMs ?? 100));
  }
}
