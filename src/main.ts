// `npm start`: one Tobira node on PORT, plus (outside production) the demo relying party on
// DEMO_RP_PORT, with a demo workspace created on an empty database. Prints where to click.
import { loadConfig, ConfigError } from './config.ts';
import { bootTobira } from './boot.ts';
import { seedDemo, pointDemoClientAt, DEMO_CLIENT_ID, type DemoSeed } from './demo/seed.ts';
import { startDemoRp } from './demo/relying-party.ts';
import { findClient } from './db/clients.ts';
import { openClientSecret } from './oidc/clients.ts';
import { DataDirInUseError } from './db/data-dir-lock.ts';
import { log, setLogLevel } from './log.ts';

async function main(): Promise<void> {
  const config = loadConfig();
  setLogLevel(config.logLevel);
  const demoEnabled = !config.production;
  const demoBase = `http://localhost:${config.demoRpPort}`;
  let seed: DemoSeed | undefined;

  const tobira = await bootTobira(config, {
    beforeServe: async (db, keys) => {
      if (!demoEnabled) return;
      seed = await seedDemo(db, keys.dataKey, `${demoBase}/callback`, `${demoBase}/`);
      await pointDemoClientAt(db, `${demoBase}/callback`, `${demoBase}/`);
    },
  });

  const lines = [
    ``,
    `Tobira is running at ${tobira.issuer}`,
    `  discovery:     ${tobira.issuer}/.well-known/openid-configuration`,
    `  admin console: ${tobira.issuer}/admin   (user admins and workspace admins; always with two-step verification)`,
    `  your account:  ${tobira.issuer}/account (authenticator apps and recovery codes)`,
  ];
  let demo: Awaited<ReturnType<typeof startDemoRp>> | undefined;
  const demoClient = demoEnabled ? await findClient(tobira.db, DEMO_CLIENT_ID) : undefined;
  if (demoClient) {
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
  process.stdout.write(`${lines.join('\n')}\n`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    demo?.server.closeAllConnections();
    demo?.server.close();
    await tobira.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof DataDirInUseError) {
    process.stderr.write(`${err.message}\n`);
  } else if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    process.stderr.write(`The port is already in use (${(err as Error).message}); set PORT (and DEMO_RP_PORT) to free ones.\n`);
  } else {
    log.error('Tobira could not start', { err });
  }
  process.exit(1);
});
