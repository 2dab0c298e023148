// WORKERS=N: a primary that keeps N Tobira nodes serving one port through node:cluster. The
// primary opens no database and serves nothing; it starts, replaces and stops the workers.
// The first worker starts alone (it migrates the database and seeds the demo), the others once it
// is ready, so two processes never race for the migration lock.
import cluster, { type Worker } from 'node:cluster';
import { constants } from 'node:os';
import type { Config } from './config.ts';
import { log, setLogLevel } from './log.ts';

/** Sent by a worker once it serves; sent to a worker to stop it gracefully. Not signals, so a
 *  Ctrl+C that reaches the primary and the workers alike is not counted twice by a worker. */
export const READY_MESSAGE = 'tobira:ready';
export const STOP_MESSAGE = 'tobira:stop';

/** How long a stopping node lets requests in flight finish. */
export const GRACE_MS = 10_000;
const MAX_RESTART_DELAY_MS = 30_000;

const workers = (): Worker[] => Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);

export function runPrimary(config: Config): void {
  setLogLevel(config.logLevel);
  const served = new Set<number>();
  let stopping = false;
  let everServed = false;
  let failedRestarts = 0;

  const fork = (): Worker => {
    const worker = cluster.fork();
    worker.on('message', (message: unknown) => {
      if (message !== READY_MESSAGE) return;
      served.add(worker.id);
      failedRestarts = 0;
      log.info('worker ready', { pid: worker.process.pid });
    });
    return worker;
  };

  const stopAll = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn('second signal: stopping every worker at once', { signal });
      for (const worker of workers()) worker.process.kill('SIGKILL');
      process.exit(128 + constants.signals[signal]);
    }
    stopping = true;
    log.info('stopping the workers: no new connections, requests in flight get up to 10 s', { signal });
    for (const worker of workers()) {
      if (worker.isConnected()) worker.send(STOP_MESSAGE);
      else worker.process.kill('SIGTERM');
    }
    if (workers().length === 0) process.exit(0);
    // A worker that is stuck past its own grace period is not waited on forever.
    setTimeout(() => {
      for (const worker of workers()) worker.process.kill('SIGKILL');
    }, GRACE_MS + 5_000).unref();
  };
  process.on('SIGTERM', stopAll);
  process.on('SIGINT', stopAll);

  let failedToStop = false;
  cluster.on('exit', (worker, code, signal) => {
    const ranBefore = served.delete(worker.id);
    if (stopping) {
      if (code !== 0) failedToStop = true;
      if (workers().length === 0) process.exit(failedToStop ? 1 : 0);
      return;
    }
    if (!everServed) {
      // The very first worker could not start (its error is above): a configuration or database
      // problem that a restart would only repeat.
      log.error('Tobira could not start', { exitCode: code, signal });
      stopping = true;
      for (const other of workers()) other.process.kill('SIGTERM');
      process.exit(code || 1);
    }
    failedRestarts = ranBefore ? 0 : failedRestarts + 1;
    const delay = failedRestarts === 0 ? 0 : Math.min(MAX_RESTART_DELAY_MS, 500 * 2 ** failedRestarts);
    log.warn('worker died; starting a replacement', { pid: worker.process.pid, exitCode: code, signal, delayMs: delay });
    setTimeout(() => {
      if (!stopping) fork();
    }, delay);
  });

  const first = fork();
  first.on('message', (message: unknown) => {
    if (message !== READY_MESSAGE || everServed) return;
    everServed = true;
    for (let i = 1; i < config.workers; i++) fork();
    log.info('workers started', { workers: config.workers, threadpoolSize: config.threadpoolSize });
  });
}
