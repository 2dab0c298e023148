import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Browser, decodeHtml } from '../../bench/support/browser.ts';
import { waitFor } from '../helpers/wait.ts';
import { freePort } from '../../bench/support/ports.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
// A newcomer's machine may be slow and busy; the start has this long to print its banner.
const START_DEADLINE_MS = 100_000;

// The newcomer's first command, `npm start`, as a real process: it prints where to click and the
// demo passwords, and those passwords sign the member in to the demo app. While it runs, the
// command line refuses the embedded data folder in one line instead of touching it.
describe("npm start (the README's first command)", function () {
  this.timeout(START_DEADLINE_MS + 20_000);
  let child: ChildProcess;
  let exited: Promise<unknown>;
  let output = '';
  let dataDir: string;
  let port: number;
  let demoPort: number;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tobira-start-'));
    port = await freePort();
    demoPort = await freePort();
    const env = {
      ...process.env,
      PORT: String(port),
      DEMO_RP_PORT: String(demoPort),
      HOST: '127.0.0.1',
      ISSUER: `http://127.0.0.1:${port}`,
      TOBIRA_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      DATABASE_URL: '',
      TOBIRA_SECRET: '',
    };
    // Its own process group, so the server npm starts under a shell is stopped with it.
    child = spawn('npm', ['start'], { cwd: root, env, detached: true });
    exited = new Promise((resolve) => child.once('exit', resolve));
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor(
      () => {
        if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode} before it was ready; its output:\n${output}`);
        return output.includes('Stop with Ctrl+C');
      },
      { within: START_DEADLINE_MS, what: () => `npm start did not print "Stop with Ctrl+C"; its output so far:\n${output}` },
    );
  });

  after(async () => {
    if (child?.pid && child.exitCode === null) {
      process.kill(-child.pid, 'SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints where to click and the demo passwords, and warns about the generated secret', () => {
    assert.match(output, new RegExp(`Tobira is running at http://127.0.0.1:${port}`));
    assert.match(output, new RegExp(`http://localhost:${demoPort}/`));
    assert.match(output, /admin console: .*\/admin/);
    assert.match(output, /workspace admin: admin@demo\.example {2}password: \S+/);
    assert.match(output, /TOBIRA_SECRET is not set: generated a development secret/);
  });

  it('signs the demo member in to the demo app with the printed password: amr ["pwd"]', async () => {
    const password = /member: +member@demo\.example {2}password: (\S+)/.exec(output)?.[1];
    assert.ok(password, `npm start printed the member's password; its output:\n${output}`);
    const demo = `http://localhost:${demoPort}`;
    const browser = new Browser(demo, {}, [`http://127.0.0.1:${port}`]);
    const login = await browser.open(`${demo}/login`);
    assert.match(login.url, /\/interaction\//);
    const back = await browser.submit(login, { email: 'member@demo.example', password });
    const shown = /<pre id="claims">([\s\S]*?)<\/pre>/.exec(back.html)?.[1];
    assert.ok(shown, `the demo app shows the claims: ${back.status} ${back.url}; server output:\n${output}`);
    const claims = JSON.parse(decodeHtml(shown)) as { amr: string[] };
    assert.deepEqual(claims.amr, ['pwd']);
  });

  it('refuses a command-line call on the data folder in one line while the server holds it', () => {
    const result = spawnSync(process.execPath, ['--import=tsx', 'src/cli/main.ts', 'client', 'list'], {
      cwd: root,
      env: { ...process.env, TOBIRA_DATA_DIR: dataDir, DATABASE_URL: '', TOBIRA_SECRET: '' },
      encoding: 'utf8',
    });
    assert.equal(result.status, 2);
    assert.match(result.stderr.trim(), /^tobira: The data folder .* is in use by a running Tobira \(pid \d+\)/);
    assert.equal(result.stderr.trim().split('\n').length, 1);
  });
});
