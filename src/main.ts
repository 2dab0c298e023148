// `npm start` (through bin/tobira-server.mjs, which turns Node's compile cache on first): reads the
// configuration, sizes libuv's thread pool, then runs one node in this process, or with WORKERS > 1
// a primary that keeps that many nodes running (src/cluster.ts).
import cluster from 'node:cluster';
import { loadConfig, ConfigError, type Config } from './config.ts';

let config: Config;
try {
  config = loadConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
}
// libuv reads UV_THREADPOOL_SIZE once, when its pool starts (the first password hash, async file
// read or DNS lookup). Nothing has used the pool yet: everything else is imported after this line.
// Workers forked by the primary inherit it.
process.env.UV_THREADPOOL_SIZE = String(config.threadpoolSize);
if (config.workers > 1 && cluster.isPrimary) {
  const { runPrimary } = await import('./cluster.ts');
  runPrimary(config);
} else {
  const { serve } = await import('./serve.ts');
  await serve(config);
}
