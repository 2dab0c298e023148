// Reads a V8 .cpuprofile (node --cpu-prof; BENCH_CPU_PROF=<dir> npm run bench:tokens writes one for
// Tobira) and prints where the time went: self time per function and per file or package, and
// total (inclusive) time of Tobira's own functions. The token benchmark runs flow after flow with
// Tobira idle while the baselines are measured, so the profile is cut into busy stretches at every
// idle gap of at least --gap seconds (default 3); each stretch is one flow (warm-up and measured
// run together), after the boot and the sign-ins.
//   node bench/profile-summary.ts <file.cpuprofile> [--top 25] [--gap 3] [--segment N] [--callers name]
// --callers name: for functions called `name`, the call paths (up to the first frame of ours or of
// a package other than the function's own) that their self time came through.
import { readFileSync } from 'node:fs';

type CallFrame = { functionName: string; url: string; lineNumber: number };
type ProfileNode = { id: number; callFrame: CallFrame; children?: number[] };
type Profile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number };

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const at = args.indexOf(`--${name}`);
  return at === -1 ? fallback : Number(args[at + 1]);
};
const file = args.find((a, i) => !a.startsWith('--') && !args[i - 1]?.startsWith('--'));
if (!file) {
  process.stderr.write('usage: node bench/profile-summary.ts <file.cpuprofile> [--top 25] [--gap 3] [--segment N]\n');
  process.exit(2);
}
const top = option('top', 25);
const gapUs = option('gap', 3) * 1e6;
const only = option('segment', -1);
const callersAt = args.indexOf('--callers');
const callersOf = callersAt === -1 ? undefined : args[callersAt + 1];

const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
const root = process.cwd();

/** Where a frame's code lives: a package, a file of ours, Node's internals, or V8's pseudo-frames. */
function placeOf(frame: CallFrame): string {
  const url = frame.url.replace('file://', '');
  if (!url) return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:')) return 'node:internal';
  return url.startsWith(root) ? url.slice(root.length + 1) : url;
}
const label = (frame: CallFrame) => `${frame.functionName || '(anonymous)'}  ${placeOf(frame)}:${frame.lineNumber + 1}`;
const ours = (frame: CallFrame) => /^(src|bench)\//.test(placeOf(frame));

/** V8's builtins (JSON.parse, RegExp, crypto bindings…) have no file: they count for the JavaScript that called them. */
function callerFrame(id: number): CallFrame {
  const own = byId.get(id)!.callFrame;
  if (own.url || own.functionName.startsWith('(')) return own;
  for (let up = parent.get(id); up !== undefined; up = parent.get(up)) {
    const frame = byId.get(up)!.callFrame;
    if (frame.url) return frame;
  }
  return own;
}

// Busy stretches: runs of samples separated by idle time of at least the gap.
type Segment = { from: number; to: number; startUs: number; busyUs: number };
const segments: Segment[] = [];
let clock = 0;
let idleSince: number | undefined;
for (let i = 0; i < profile.samples.length; i++) {
  clock += profile.timeDeltas[i]!;
  const idle = byId.get(profile.samples[i]!)!.callFrame.functionName === '(idle)';
  if (idle) {
    idleSince ??= clock;
    continue;
  }
  const last = segments.at(-1);
  if (!last || (idleSince !== undefined && clock - idleSince >= gapUs)) segments.push({ from: i, to: i, startUs: clock, busyUs: 0 });
  const current = segments.at(-1)!;
  current.to = i;
  current.busyUs += profile.timeDeltas[i + 1] ?? 0;
  idleSince = undefined;
}

function summarise(segment: Segment, index: number): void {
  const self = new Map<string, number>();
  const place = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const callers = new Map<string, number>();
  let busy = 0;
  for (let i = segment.from; i <= segment.to; i++) {
    const node = byId.get(profile.samples[i]!)!;
    if (node.callFrame.functionName === '(idle)') continue;
    const us = profile.timeDeltas[i + 1] ?? 0;
    busy += us;
    if (node.callFrame.functionName === callersOf) {
      const path: string[] = [];
      for (let id = parent.get(node.id); id !== undefined && path.length < 8; id = parent.get(id)) {
        const frame = byId.get(id)!.callFrame;
        path.push(label(frame));
        if (ours(frame)) break;
      }
      const key = path.join(' ← ');
      callers.set(key, (callers.get(key) ?? 0) + us);
    }
    self.set(label(node.callFrame), (self.get(label(node.callFrame)) ?? 0) + us);
    const where = placeOf(callerFrame(node.id));
    place.set(where, (place.get(where) ?? 0) + us);
    // Each of our functions once per sample, however deep the recursion.
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const frame = byId.get(id)!.callFrame;
      if (ours(frame)) seen.add(label(frame));
    }
    for (const name of seen) inclusive.set(name, (inclusive.get(name) ?? 0) + us);
  }
  const table = (title: string, entries: Map<string, number>) => {
    process.stdout.write(`\n${title}\n| ms | % | where |\n| --- | --- | --- |\n`);
    for (const [name, us] of [...entries].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      process.stdout.write(`| ${(us / 1000).toFixed(0)} | ${((100 * us) / busy).toFixed(1)} | ${name.replaceAll('|', '\\|')} |\n`);
    }
  };
  process.stdout.write(
    `\n## Stretch ${index}: from ${(segment.startUs / 1e6).toFixed(1)} s, ${(busy / 1000).toFixed(0)} ms busy (${segment.to - segment.from + 1} samples)\n`,
  );
  table('Self time by file or package (builtins counted for their caller)', place);
  table('Self time by function', self);
  table("Total time of Tobira's own functions (callees included)", inclusive);
  if (callersOf) table(`Call paths of ${callersOf}`, callers);
}

process.stdout.write(`# ${file}\n${segments.length} busy stretches (idle gaps ≥ ${gapUs / 1e6} s):\n`);
for (const [i, s] of segments.entries()) process.stdout.write(`  ${i}: from ${(s.startUs / 1e6).toFixed(1)} s, ${(s.busyUs / 1000).toFixed(0)} ms busy\n`);
segments.forEach((s, i) => {
  if (only === -1 || only === i) summarise(s, i);
});
