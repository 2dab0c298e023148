// The Markdown tables of a run, from its rows. Ratios are a row's figure over the same flow's
// baseline row of the same run.
import type { Argon2Bound } from '../argon2.ts';
import type { Machine } from './measure.ts';
import type { Row } from './run-load.ts';

const fixed = (value: number | null | undefined, digits: number) =>
  value === null || value === undefined || Number.isNaN(value) ? '—' : value.toFixed(digits);
const ratio = (a: number, b: number | undefined) => (b ? `${(a / b).toFixed(2)}×` : '—');
const table = (head: string[], lines: string[][]) =>
  [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...lines.map((l) => `| ${l.join(' | ')} |`)].join('\n');
const find = (rows: Row[], flow: string, server: string) => rows.find((r) => r.flow === flow && r.server === server);

export function machineLine(machine: Machine, date: string, durationSeconds: number): string {
  return `Node ${machine.node}, ${machine.cores} cores (${machine.cpu}), load average ${machine.loadAtStart.toFixed(1)} at the start and ${fixed(machine.loadAtEnd, 1)} at the end, ${date.slice(0, 10)}; the whole run took ${(durationSeconds / 60).toFixed(1)} min`;
}

export function argon2Line(argon2: Argon2Bound, cores: number): string {
  return `argon2id (m=19456 KiB, t=2, p=1), one hash at a time: ${argon2.perSecondPerCore.toFixed(1)} hashes/s on one core, ${argon2.cpuMsPerHash.toFixed(1)} ms CPU per hash; bound for ${cores} cores: ${(argon2.perSecondPerCore * cores).toFixed(0)} password checks/s`;
}

export function signInTable(rows: Row[], argon2: Argon2Bound, cores: number): string {
  const bound = argon2.perSecondPerCore * cores;
  return table(
    [
      'flow',
      'server',
      'sign-ins',
      'per s',
      'of hash bound',
      'p50 ms',
      'p95 ms',
      'p99 ms',
      'errors',
      'CPU ms/sign-in',
      '× one hash',
      'CPU × bare (memory)',
      'CPU × bare (PostgreSQL)',
      'SQL/sign-in',
      'RSS MB',
    ],
    rows.map((r) => [
      r.flow,
      r.server,
      `${r.requests}${r.exhausted ? ' (all users)' : ''}`,
      fixed(r.perSecond, 1),
      fixed(r.perSecond / bound, 2),
      fixed(r.p50, 0),
      fixed(r.p95, 0),
      fixed(r.p99, 0),
      String(r.errors),
      fixed(r.cpuMs, 1),
      `${fixed(r.cpuMs / argon2.cpuMsPerHash, 2)}×`,
      ratio(r.cpuMs, find(rows, r.flow, 'bare, in memory')?.cpuMs),
      ratio(r.cpuMs, find(rows, r.flow, 'bare, PostgreSQL adapter')?.cpuMs),
      fixed(r.statements, 1),
      fixed(r.rssMb, 0),
    ]),
  );
}

/** The large database's rows against the small one's: the scale target is within 10 %. */
export function scaleTable(rows: Row[], small: string, large: string): string {
  const pairs = [...new Set(rows.map((r) => r.flow))].map((flow) => [find(rows, flow, small), find(rows, flow, large)] as const).filter(([a, b]) => a && b);
  return table(
    ['flow', 'per s, small → large', '× small', 'CPU ms, small → large', '× small', 'p50 ms, small → large', 'SQL/sign-in, small → large'],
    pairs.map(([a, b]) => [
      a!.flow,
      `${fixed(a!.perSecond, 1)} → ${fixed(b!.perSecond, 1)}`,
      ratio(b!.perSecond, a!.perSecond),
      `${fixed(a!.cpuMs, 1)} → ${fixed(b!.cpuMs, 1)}`,
      ratio(b!.cpuMs, a!.cpuMs),
      `${fixed(a!.p50, 0)} → ${fixed(b!.p50, 0)}`,
      `${fixed(a!.statements, 1)} → ${fixed(b!.statements, 1)}`,
    ]),
  );
}

export function tokenTable(rows: Row[]): string {
  return table(
    [
      'flow',
      'server',
      'req/s',
      'p50 ms',
      'p95 ms',
      'p99 ms',
      'errors',
      'CPU ms/req',
      'CPU × bare (memory)',
      'CPU × bare (PostgreSQL)',
      'req/s × bare (memory)',
      'SQL/req',
      'RSS MB',
    ],
    rows.map((r) => {
      const memory = find(rows, r.flow, 'bare, in memory');
      return [
        r.flow,
        r.server,
        fixed(r.perSecond, 0),
        fixed(r.p50, 1),
        fixed(r.p95, 1),
        fixed(r.p99, 1),
        String(r.errors),
        fixed(r.cpuMs, 3),
        ratio(r.cpuMs, memory?.cpuMs),
        ratio(r.cpuMs, find(rows, r.flow, 'bare, PostgreSQL adapter')?.cpuMs),
        ratio(r.perSecond, memory?.perSecond),
        fixed(r.statements, 2),
        fixed(r.rssMb, 0),
      ];
    }),
  );
}

/** Tobira's grants with the expired rows in its table and after the clean-up, against the same grants before the rows were added. */
export function expiredTable(before: Row[], after: Row[]): string {
  return table(
    ['flow', 'server', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'errors', 'CPU ms/req', 'CPU × before', 'req/s × before', 'SQL/req'],
    [...before, ...after].map((r) => {
      const base = before.find((b) => b.flow === r.flow);
      return [
        r.flow,
        r.server,
        fixed(r.perSecond, 0),
        fixed(r.p50, 1),
        fixed(r.p95, 1),
        fixed(r.p99, 1),
        String(r.errors),
        fixed(r.cpuMs, 3),
        ratio(r.cpuMs, base?.cpuMs),
        ratio(r.perSecond, base?.perSecond),
        fixed(r.statements, 2),
      ];
    }),
  );
}

export function errorLines(rows: Row[]): string[] {
  return rows.filter((r) => r.errors).map((r) => `errors, ${r.flow} on ${r.server}:\n  ${r.errorSamples.join('\n  ')}`);
}
