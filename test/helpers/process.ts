// A Tobira started as a real process (`node src/main.ts`, Node's own type stripping, as in
// production): free ports, waits on conditions with a deadline and a message, the child's output
// attached to every failure.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEST_SECRET } from './tobira.ts';
import { freePort } from '../../bench/support/ports.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

export type TobiraProcess = {
  child: ChildProcess;
  url: string;
  port: number;
  output: () => string;
  /** Waits until `condition` holds, or fails saying `what` did not happen, with the output. */
  until: (what: string, condition: () => boolean | Promise<boolean>, ms?: number) => Promise<void>;
  /** Resolves with the exit code (or 128 + signal), or fails after ms with the output. */
  exited: (ms?: number) => Promise<number>;
  stop: () => Promise<void>;
};

export async function startTobiraProcess(env: Record<string, string> = {}): Promise<TobiraProcess> {
  const port = await freePort();
  const demoPort = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'tobira-process-'));
  const child = spawn(process.execPath, ['src/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      DEMO_RP_PORT: String(demoPort),
      HOST: '127.0.0.1',
      TOBIRA_DATA_DIR: dataDir,
      TOBIRA_SECRET: TEST_SECRET,
      LOG_LEVEL: 'info',
      DATABASE_URL: '',
      WORKERS: '',
      NODE_ENV: '',
      ...env,
    },
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<number>((resolve) => child.once('exit', (code, signal) => resolve(code ?? 128 + (signal === 'SIGKILL' ? 9 : 15))));
  const show = () => `\n--- output of the Tobira process ---\n${output}\n---`;

  const until = async (what: string, condition: () => boolean | Promise<boolean>, ms = 60_000) => {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      if (await condition()) return;
      if (child.exitCode !== null) throw new Error(`${what}: the process exited with ${child.exitCode} first${show()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${what}: not within ${ms / 1000} s${show()}`);
  };
  const exited = async (ms = 30_000) => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the process did not exit within ${ms / 1000} s${show()}`)), ms);
    });
    try {
      return await Promise.race([exit, late]);
    } finally {
      clearTimeout(timer);
    }
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exit;
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  return { child, url: `http://127.0.0.1:${port}`, port, output: () => output, until, exited, stop };
}

/** GET path; the status, or 0 when the connection is refused or reset. */
export async function statusOf(url: string): Promise<number> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}
