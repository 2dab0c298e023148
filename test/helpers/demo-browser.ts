// Shared set-up for browser tests: Tobira on an empty embedded database, the demo seed, the demo
// relying party, and Debian's Chromium driven by playwright-core (never a downloaded browser).
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Server } from 'node:http';
import { chromium, type Browser } from 'playwright-core';
import type { RunningTobira } from '../../src/boot.ts';
import { adjustableClock } from '../../src/clock.ts';
import { startTobira } from './tobira.ts';
import { freePort } from '../../bench/support/ports.ts';
import { seedDemo, DEMO_CLIENT_ID, type DemoSeed } from '../../src/demo/seed.ts';
import { startDemoRp } from '../../src/demo/relying-party.ts';
import { findClient } from '../../src/db/clients.ts';
import { openClientSecret } from '../../src/oidc/clients.ts';

export const artifacts = fileURLToPath(new URL('../artifacts/', import.meta.url));

export type DemoWorld = {
  tobira: RunningTobira;
  demo: { server: Server; url: string };
  browser: Browser;
  seed: DemoSeed;
  clock: ReturnType<typeof adjustableClock>;
  port: number;
  close: () => Promise<void>;
};

/** The demo RP's redirect URI is registered with its port, so the port is chosen (free) before it listens. */
/**
 * `localhostIssuer`: Tobira's issuer is http://localhost:PORT instead of 127.0.0.1, as WebAuthn
 * needs (a secure context, and a domain for the relying-party id, never an IP address).
 */
export async function startDemoWorld(options: { localhostIssuer?: boolean } = {}): Promise<DemoWorld> {
  mkdirSync(artifacts, { recursive: true });
  const port = await freePort();
  const clock = adjustableClock();
  const tobiraPort = options.localhostIssuer ? await freePort() : undefined;
  const env = tobiraPort ? { PORT: String(tobiraPort), ISSUER: `http://localhost:${tobiraPort}` } : {};
  const tobira = await startTobira(env, { embedded: true, clock });
  const base = `http://localhost:${port}`;
  const seed = (await seedDemo(tobira.db, tobira.keys.dataKey, `${base}/callback`, `${base}/`))!;
  const client = (await findClient(tobira.db, DEMO_CLIENT_ID))!;
  const demo = await startDemoRp({
    issuer: tobira.issuer,
    clientId: DEMO_CLIENT_ID,
    clientSecret: openClientSecret(tobira.keys.dataKey, client)!,
    port,
    host: '127.0.0.1',
  });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  return {
    tobira,
    demo,
    browser,
    seed,
    clock,
    port,
    close: async () => {
      await browser.close();
      demo.server.close();
      await tobira.close();
    },
  };
}
