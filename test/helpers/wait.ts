// Waiting on a condition, never on the clock alone: a busy machine makes things slow, not wrong, so
// a wait has a generous deadline and, when it runs out, says what did not happen.
import { setTimeout as delay } from 'node:timers/promises';
import { createServer, type AddressInfo } from 'node:net';

export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  options: { within: number; what: () => string; every?: number },
): Promise<void> {
  const deadline = Date.now() + options.within;
  for (;;) {
    if (await condition()) return;
    if (Date.now() >= deadline) throw new Error(`${options.what()} (waited ${Math.round(options.within / 1000)} s)`);
    await delay(options.every ?? 100);
  }
}

/** A port nobody listens on now, for a server whose port must be known before it starts. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
