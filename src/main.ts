// `npm start`: reads the configuration, sizes libuv's thread pool, then runs one node in this
// process, or with WORKERS > 1 a primary that keeps that many nodes running (src/cluster.ts).
import cluster from 'node:cluster';
import { enableCompileCache } from 'node:module';
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
// V8's compiled code (and Node's type-stripped source) of every module imported below is kept on
// disk (in the system's temporary folder) and reused by the next start and by every worker.
enableCompileCache();
if (config.workers > 1 && cluster.isPrimary) {
  const { runPrimary } = await import('./cluster.ts');
  runPrimary(config);
} else {
  const { serve } = await import('./serve.ts');
  await serve(config);
}
