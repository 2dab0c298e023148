// One Tobira node on PORT (the whole of `npm start`, or one cluster worker), plus (outside
// production) the demo relying party on DEMO_RP_PORT, with a demo workspace created on an empty
// database. Prints where to click, and stops gracefully on SIGTERM or SIGINT.
import cluster from 'node:cluster';
import type { Server } from 'node:http';
import { flushCompileCache } from 'node:module';
import { constants } from 'node:os';
import type { Config } from './config.ts';
import { bootTobira } from './boot.ts';
import { GRACE_MS, READY_MESSAGE, STOP_MESSAGE } from './cluster.ts';
import { DEMO_CLIENT_ID, type DemoSeed } from './demo/seed.ts';
import { findClient } from './db/clients.ts';
import { openClientSecret } from './oidc/clients.ts';
import { DataDirInUseError } from './db/data-dir-lock.ts';
import { log, setLogLevel } from './log.ts';

async function run(config: Config): Promise<void> {
  setLogLevel(config.logLevel);
  const demoEnabled = !config.production;
  const demoBase = `http://localhost:${config.demoRpPort}`;
  let seed: DemoSeed | undefined;

  const tobira = await bootTobira(config, {
    beforeServe: async (db, keys) => {
      if (demoEnabled) {
        const { seedDemo, pointDemoClientAt } = await import('./demo/seed.ts');
        seed = await seedDemo(db, keys.dataKey, `${demoBase}/callback`, `${demoBase}/`);
        await pointDemoClientAt(db, `${demoBase}/callback`, `${demoBase}/`);
      }
      // Node writes its compile cache at exit. The primary forks the other workers as soon as this
      // one serves: written now, while this node still answers 503, they find what it compiled and
      // never load Node's TypeScript stripper. It blocks for 0.2-0.8 s on a start that compiled
      // everything (the first after an install) and ~1 ms on one that found the cache, so a single
      // process (WORKERS=1) leaves it to its exit.
      if (cluster.isWorker) flushCompileCache();
    },
  });

  const lines = [
    ``,
    `Tobira is running at ${tobira.issuer}`,
    `  discovery:     ${tobira.issuer}/.well-known/openid-configuration`,
    `  admin console: ${tobira.issuer}/admin   (user admins and workspace admins; always with two-step verification)`,
    `  your account:  ${tobira.issuer}/account (authenticator apps, passkeys and recovery codes)`,
  ];
  let demo: { server: Server; url: string } | undefined;
  const demoClient = demoEnabled ? await findClient(tobira.db, DEMO_CLIENT_ID) : undefined;
  if (demoClient) {
    // Loaded only here: a production node never loads the demo app (openid-client and its server).
    const { startDemoRp } = await import('./demo/relying-party.ts');
    demo = await startDemoRp({
      issuer: tobira.issuer,
      clientId: DEMO_CLIENT_ID,
      clientSecret: openClientSecret(tobira.keys.dataKey, demoClient) ?? '',
      port: config.demoRpPort,
      host: config.host,
    });
    lines.push(``, `Open the demo app and click "Sign in with Tobira": ${demo.url}`);
  }
  if (seed) {
    lines.push(
      ``,
      `Demo workspace "${seed.workspace}" created. These passwords are shown only now:`,
      `  workspace admin: ${seed.admin.email}  password: ${seed.admin.password}`,
      `  member:          ${seed.member.email}  password: ${seed.member.password}`,
    );
  } else if (demoClient) {
    lines.push(`  (demo users were created at first start; their passwords were printed then)`);
  }
  lines.push(``, `Stop with Ctrl+C.`, ``);
  // In a cluster every worker would say the same: the first one speaks for all.
  if (!cluster.isWorker || cluster.worker?.id === 1) process.stdout.write(`${lines.join('\n')}\n`);

  stopOnRequest(async () => {
    demo?.server.closeAllConnections();
    demo?.server.close();
    await tobira.close(GRACE_MS);
  });
  process.send?.(READY_MESSAGE);
}

// SIGTERM or SIGINT (or the cluster primary's message): stop accepting, let requests in flight
// finish for up to GRACE_MS, close the pool, exit 0. A second signal exits at once.
function stopOnRequest(stop: () => Promise<void>): void {
  let stopping = false;
  const begin = (why: string): boolean => {
    if (stopping) return false;
    stopping = true;
    log.info('stopping: no new connections, requests in flight get up to 10 s', { why });
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error('could not stop cleanly', { err });
        process.exit(1);
      },
    );
    return true;
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (begin(signal)) return;
      log.warn('second signal: exiting at once', { signal });
      process.exit(128 + constants.signals[signal]);
    });
  }
  if (cluster.isWorker) {
    process.on('message', (message: unknown) => {
      if (message === STOP_MESSAGE) begin('asked by the primary');
    });
    // The primary is gone (killed): nobody would replace or stop this worker any more.
    process.on('disconnect', () => begin('the primary is gone'));
  }
}

export async function serve(config: Config): Promise<void> {
  try {
    await run(config);
  } catch (err) {
    if (err instanceof DataDirInUseError) {
      process.stderr.write(`${err.message}\n`);
    } else if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      process.stderr.write(`The port is already in use (${(err as Error).message}); set PORT (and DEMO_RP_PORT) to free ones.\n`);
    } else {
      log.error('Tobira could not start', { err });
    }
    process.exit(1);
  }
}
