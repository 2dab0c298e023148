import assert from 'node:assert/strict';
import { startTobiraProcess, statusOf, type TobiraProcess } from '../helpers/process.ts';

const pidsOf = (output: string) => [...output.matchAll(/"msg":"worker ready","pid":(\d+)/g)].map((m) => Number(m[1]));

// WORKERS=2 through node:cluster on one PostgreSQL database: a worker killed outright is replaced
// and the replacement serves; SIGTERM to the primary stops every worker and exits 0. The embedded
// database allows one process only, so this runs where DATABASE_URL names a PostgreSQL database.
describe('WORKERS=2 (PostgreSQL)', function () {
  this.timeout(180_000);
  let tobira: TobiraProcess;

  before(async function () {
    if (!process.env.DATABASE_URL) {
      this.skip(); // several processes need PostgreSQL; the CI's PostgreSQL run covers this
    }
    tobira = await startTobiraProcess({ WORKERS: '2', DATABASE_URL: process.env.DATABASE_URL! });
    await tobira.until('two workers report ready', () => pidsOf(tobira.output()).length === 2);
  });

  after(async () => {
    await tobira?.stop();
  });

  it('replaces a worker killed with SIGKILL, logs it, and the replacement serves', async () => {
    const [victim, survivor] = pidsOf(tobira.output()) as [number, number];
    process.kill(victim, 'SIGKILL');
    await tobira.until('the primary logs the dead worker', () => tobira.output().includes(`"msg":"worker died; starting a replacement","pid":${victim}`));
    await tobira.until('a replacement worker reports ready', () => pidsOf(tobira.output()).length === 3);
    const replacement = pidsOf(tobira.output())[2]!;
    assert.ok(![victim, survivor].includes(replacement));
    // Each connection goes to one of the two live workers; every answer must be a ready node.
    for (let i = 0; i < 6; i++) assert.equal(await statusOf(`${tobira.url}/readyz`), 200, tobira.output());
    process.kill(replacement, 0); // throws if the replacement is not running
  });

  it('stops every worker gracefully on SIGTERM to the primary and exits 0', async () => {
    const workerPids = pidsOf(tobira.output()).slice(1);
    tobira.child.kill('SIGTERM');
    assert.equal(await tobira.exited(), 0, tobira.output());
    assert.equal(tobira.output().match(/"why":"asked by the primary"/g)?.length, 2, tobira.output());
    for (const pid of workerPids) assert.throws(() => process.kill(pid, 0), { code: 'ESRCH' }, `worker ${pid} is gone`);
  });
});

describe('WORKERS=2 on the embedded database', function () {
  this.timeout(60_000);

  it('refuses to start, in one line that says what is needed', async () => {
    const tobira = await startTobiraProcess({ WORKERS: '2' });
    try {
      assert.equal(await tobira.exited(), 1);
      assert.equal(
        tobira.output().trim(),
        'Invalid configuration:\n  - WORKERS=2 needs DATABASE_URL: the embedded database in TOBIRA_DATA_DIR can be opened by one process only',
      );
    } finally {
      await tobira.stop();
    }
  });
});
