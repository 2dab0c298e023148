// One measured run: the load generator (bench/load.ts) in its own process against one server, and
// around it the server's CPU time (/proc), its SQL statements and its resident memory.
import { spawn } from 'node:child_process';
import { text } from 'node:stream/consumers';
import type { LoadJob, LoadResult } from './load-jobs.ts';
import { cpuMs, percentile, rssMb } from './measure.ts';
import { root, type Server } from './servers.ts';

export type Row = {
  flow: string;
  server: string;
  requests: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  errorSamples: string[];
  /** Server CPU per request or sign-in, failures included in the divisor. */
  cpuMs: number;
  statements: number | null;
  rssMb: number;
  /** Sign-ins: the enrolled users ran out before the time did. */
  exhausted?: boolean;
};

export async function runLoad(job: LoadJob): Promise<LoadResult> {
  const generator = spawn(process.execPath, ['bench/load.ts'], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
  generator.stdin.end(JSON.stringify(job));
  const [output, code] = await Promise.all([text(generator.stdout), new Promise((resolve) => generator.on('exit', resolve))]);
  if (code !== 0) throw new Error(`the load generator exited with ${code}`);
  return JSON.parse(output) as LoadResult;
}

/** Runs `job` against `server` once, measured; `after` sees the result (e.g. to carry on a refresh chain). */
export async function measure(server: Server, flow: string, job: LoadJob, after?: (result: LoadResult) => void): Promise<Row> {
  const pid = server.child.pid!;
  const statementsBefore = server.statements ? await server.statements() : 0;
  const cpuBefore = cpuMs(pid);
  const result = await runLoad(job);
  const cpu = cpuMs(pid) - cpuBefore;
  const statements = server.statements ? (await server.statements()) - statementsBefore : null;
  after?.(result);
  const sorted = result.latenciesMs.sort((a, b) => a - b);
  const handled = result.completed + result.errors;
  return {
    flow,
    server: server.name,
    requests: result.completed,
    perSecond: result.completed / result.seconds,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    errors: result.errors,
    errorSamples: result.errorSamples,
    cpuMs: cpu / handled,
    statements: statements === null ? null : statements / handled,
    rssMb: rssMb(pid),
    ...(result.exhausted ? { exhausted: true } : {}),
  };
}

/** The base URL the load generator uses for a server, and the forwarded protocol its issuer needs. */
export function target(server: Server): { base: string; forwardedProto?: 'https' } {
  return { base: `http://127.0.0.1:${server.port}`, ...(server.issuer.startsWith('https:') ? { forwardedProto: 'https' as const } : {}) };
}
