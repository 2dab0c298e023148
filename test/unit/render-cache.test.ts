// Compiled views are kept outside development: a page costs its rendering, not a compilation.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import ejs from 'ejs';
import type { RunningTobira } from '../../src/boot.ts';
import { viewsDirectory } from '../../src/http/render.ts';
import { startTobira } from '../helpers/tobira.ts';

describe('compiled view cache', () => {
  let tobira: RunningTobira | undefined;
  afterEach(async () => {
    await tobira?.close();
    tobira = undefined;
  });

  const cached = (view: string) => ejs.cache.get(join(viewsDirectory, `${view}.ejs`)) !== undefined;

  it('keeps the compiled layout and page after the first render', async () => {
    tobira = await startTobira();
    ejs.clearCache();
    assert.equal((await fetch(`${tobira.issuer}/`)).status, 200);
    assert.ok(cached('layout') && cached('home'), 'the layout and the home page are compiled once and kept');
  });

  it('compiles on every render with NODE_ENV=development', async () => {
    tobira = await startTobira({ NODE_ENV: 'development' });
    assert.equal((await fetch(`${tobira.issuer}/`)).status, 200);
    assert.ok(!cached('layout') && !cached('home'), 'nothing kept in development');
  });
});
