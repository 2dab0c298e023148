import assert from 'node:assert/strict';
import { spawnSync, execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const check = fileURLToPath(new URL('../../scripts/check-runtime.mjs', import.meta.url));

// Every npm script starts with this check; on any Node but 24 it must stop, not warn.
describe('runtime guard', () => {
  it('lets Node 24 through', () => {
    const result = spawnSync(process.execPath, [check], { encoding: 'utf8' });
    assert.equal(process.versions.node.split('.')[0], '24', 'the suite itself runs on the pinned Node 24');
    assert.equal(result.status, 0);
  });

  // The machines carry an older system Node; when there is one, it must be refused clearly.
  const systemNode = ['/usr/bin/node', '/usr/local/bin/node'].find((path) => {
    try {
      return !execFileSync(path, ['--version'], { encoding: 'utf8' }).startsWith('v24.');
    } catch {
      return false;
    }
  });
  if (systemNode) {
    it(`stops ${systemNode} (not Node 24) with a clear message and a failing exit code`, () => {
      const result = spawnSync(systemNode, [check], { encoding: 'utf8' });
      assert.equal(result.status, 1);
      assert.match(result.stderr, /Tobira needs Node\.js 24 LTS, but this is Node\.js \d+/);
      assert.match(result.stderr, /npm ci/);
    });
  }
});
