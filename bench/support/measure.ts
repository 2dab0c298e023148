// What the benchmarks read about a server process and the machine: CPU time and resident memory
// from /proc (so a server's cost is its own, never the load generator's), latency percentiles.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';

const clockTicks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());

/** utime + stime of the process, in ms. */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks;
}

export function rssMb(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;
}

export function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : Number.NaN;
}

export type Machine = { cores: number; cpu: string; node: string; loadAtStart: number; loadAtEnd?: number };

export function machine(): Machine {
  return { cores: availableParallelism(), cpu: cpus()[0]?.model ?? 'unknown', node: process.versions.node, loadAtStart: loadavg()[0]! };
}

export const oneMinuteLoad = (): number => loadavg()[0]!;
