// A PostgreSQL cluster of a test's own: `initdb` in a temporary folder, its own free port on the
// loopback interface, started and stopped with `pg_ctl` — so a test can take the database away
// from a running Tobira and bring it back. PostgreSQL refuses to run as root: as root, every
// command runs as the `postgres` OS user, which owns the folder.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The folder of initdb and pg_ctl: PG_BINDIR, Debian's /usr/lib/postgresql/N/bin (newest), or `pg_config --bindir`. */
export async function postgresBinDir(): Promise<string | undefined> {
  const candidates: string[] = [];
  if (process.env.PG_BINDIR) candidates.push(process.env.PG_BINDIR);
  if (existsSync('/usr/lib/postgresql')) {
    const versions = readdirSync('/usr/lib/postgresql')
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((v) => `/usr/lib/postgresql/${v}/bin`));
  }
  try {
    candidates.push((await run('pg_config', ['--bindir'])).stdout.trim());
  } catch {
    // no pg_config on PATH
  }
  return candidates.find((dir) => existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl')));
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function postgresUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const id = async (flag: string) => Number((await run('id', [flag, 'postgres'])).stdout.trim());
  return { uid: await id('-u'), gid: await id('-g') };
}

export type ThrowawayCluster = {
  /** postgres://postgres@127.0.0.1:PORT/postgres */
  url: string;
  port: number;
  start: () => Promise<void>;
  /** `pg_ctl stop -m fast`: open connections are terminated, as in a restart or a fail-over. */
  stop: () => Promise<void>;
  /** Stops it if running and deletes its folder. */
  destroy: () => Promise<void>;
};

export async function createThrowawayCluster(binDir: string): Promise<ThrowawayCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'tobira-pg-'));
  const data = join(dir, 'data');
  const logFile = join(dir, 'postgres.log');
  const owner = await postgresUser();
  if (owner) await chown(dir, owner.uid, owner.gid);
  const pg = async (tool: string, args: string[]) => {
    const [file, argv] = owner ? ['runuser', ['-u', 'postgres', '--', join(binDir, tool), ...args]] : [join(binDir, tool), args];
    try {
      await run(file, argv, { cwd: dir, timeout: 120_000 });
    } catch (err) {
      const { stdout, stderr } = err as { stdout?: string; stderr?: string };
      const serverLog = await readFile(logFile, 'utf8').catch(() => '');
      throw new Error(`${tool} ${args.join(' ')} failed: ${(err as Error).message}\n${stdout ?? ''}${stderr ?? ''}\n${serverLog.slice(-2000)}`);
    }
  };
  await pg('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  const port = await freePort();
  // The socket folder is ours too, so two clusters never share /var/run/postgresql.
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off`;
  let running = false;
  const start = async () => {
    await pg('pg_ctl', ['-D', data, '-l', logFile, '-o', options, '-w', '-t', '90', 'start']);
    running = true;
  };
  const stop = async () => {
    await pg('pg_ctl', ['-D', data, '-m', 'fast', '-w', '-t', '90', 'stop']);
    running = false;
  };
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start,
    stop,
    destroy: async () => {
      if (running) await pg('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
