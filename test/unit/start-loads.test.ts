import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

// What a production process carries in memory from its start (issue 9: ≤ 120 MB per process).
describe('what a Tobira process loads at start', () => {
  it('a node on PostgreSQL never loads the embedded database (PGlite, a large WebAssembly module)', () => {
    // Without DATABASE_URL (the suite's PGlite run) this checks the static graph of a node;
    // with it, also what opening PostgreSQL loads.
    const result = spawnSync(process.execPath, ['test/children/loaded-modules.ts'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, LOG_LEVEL: 'silent' },
    });
    assert.equal(result.status, 0, result.stderr);
    const loaded = JSON.parse(result.stdout) as string[];
    assert.ok(
      loaded.some((url) => url.includes('/node_modules/knex/')),
      'the child reports the modules it loads',
    );
    assert.deepEqual(
      loaded.filter((url) => /pglite/i.test(url)),
      [],
    );
    // The WebAuthn library and its X.509 stack (~27 MB) load on the first passkey, not at start.
    assert.deepEqual(
      loaded.filter((url) => /@simplewebauthn|@peculiar/.test(url)),
      [],
    );
  });

  // A TypeScript file that misses Node's compile cache makes Node load its TypeScript stripper
  // (a WebAssembly module, ~15 MB resident) for the rest of the process's life.
  it("npm start's entry turns the compile cache on before any TypeScript: a second start never loads Node's TypeScript stripper", () => {
    const temp = mkdtempSync(join(tmpdir(), 'tobira-start-loads-'));
    // A configuration error ends the process right after src/main.ts and src/config.ts, the first
    // TypeScript files it loads; the preload reports at exit whether the stripper was loaded.
    const report = `--import=data:text/javascript,process.on('exit',()=>process.stdout.write(String(process.moduleLoadList.some((m)=>m.includes('amaro')))))`;
    const start = () =>
      spawnSync(process.execPath, [report, 'bin/tobira-server.mjs'], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, TMPDIR: temp, NODE_COMPILE_CACHE: '', PORT: 'not-a-port' },
      });
    try {
      const first = start();
      assert.match(first.stderr, /PORT must be a port number/);
      assert.equal(first.stdout, 'true', 'the first start, on an empty cache, strips the types itself');
      const second = start();
      assert.match(second.stderr, /PORT must be a port number/);
      assert.equal(second.stdout, 'false');
    } finally {
      rmSync(temp, { recursive: true, force: true });
    }
  });
});
