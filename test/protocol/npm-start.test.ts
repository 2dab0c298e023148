import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Browser, decodeHtml } from '../helpers/browser.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

// The newcomer's first command, as a real process: it prints where to click and the demo
// passwords, and those passwords sign the member in to the demo app. While it runs, the command
// line refuses the embedded data folder in one line instead of touching it.
describe('npm start (the README\'s first command)', function () {
  this.timeout(60_000);
  let child: ChildProcess;
  let output = '';
  let dataDir: string;
  let port: number;
  let demoPort: number;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'tobira-start-'));
    port = await freePort();
    demoPort = await freePort();
    const env = { ...process.env, PORT: String(port), DEMO_RP_PORT: String(demoPort), HOST: '127.0.0.1', ISSUER: `http://127.0.0.1:${port}`, TOBIRA_DATA_DIR: dataDir, LOG_LEVEL: 'warn', DATABASE_URL: '', TOBIRA_SECRET: '' };
    child = spawn(process.execPath, ['--import=tsx', 'src/main.ts'], { cwd: root, env });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const started = Date.now();
    while (!output.includes('Stop with Ctrl+C') && Date.now() - started < 45_000) {
      if (child.exitCode !== null) throw new Error(`npm start exited: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });

  after(() => {
    child?.kill('SIGTERM');
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
    const password = /member: +member@demo\.example {2}password: (\S+)/.exec(output)![1]!;
    const demo = `http://localhost:${demoPort}`;
    const browser = new Browser(demo, {}, [`http://127.0.0.1:${port}`]);
    const login = await browser.open(`${demo}/login`);
    assert.match(login.url, /\/interaction\//);
    const back = await browser.submit(login, { email: 'member@demo.example', password });
    const claims = JSON.parse(decodeHtml(/<pre id="claims">([\s\S]*?)<\/pre>/.exec(back.html)![1]!)) as { amr: string[] };
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
