/**
 * `npm run bench:profile -- <file.cpuprofile>…`: where a V8 CPU profile (`--cpu-prof`, or BENCH_CPU_PROF=<dir> on a
 * bench) spent its time, as text: self time by package or project folder, then the heaviest functions. The profile
 * itself opens as a flame graph in Chrome's DevTools (Performance → Load profile) or speedscope.
 */
import fs from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** A frame's owner: an npm package, a folder of the project, Node's own code, or V8's states (idle, GC). */
function ownerOf(url: string, functionName: string): string {
  if (!url) return `(${functionName || 'native'})`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.startsWith('node:')) return 'node';
  const relative = path.relative(process.cwd(), url.replace(/^file:\/\//, ''));
  return relative.startsWith('..') ? url : relative.split(path.sep).slice(0, 2).join('/');
}

function summarize(file: string, top: number): string {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const selfMs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfMs.set(id, (selfMs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000));
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  const byOwner = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const node of profile.nodes) {
    const ms = selfMs.get(node.id) ?? 0;
    if (ms === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const owner = ownerOf(url, functionName);
    byOwner.set(owner, (byOwner.get(owner) ?? 0) + ms);
    const name = `${functionName || '(anonymous)'} ${owner}${url ? `:${lineNumber + 1}` : ''}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + ms);
  }
  const rows = (m: Map<string, number>) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, ms]) => `  ${ms.toFixed(0).padStart(8)} ms ${((100 * ms) / totalMs).toFixed(1).padStart(5)} %  ${name}`)
      .join('\n');
  return [`${file}: ${(totalMs / 1000).toFixed(1)} s profiled`, 'self time by owner:', rows(byOwner), 'heaviest functions (self time):', rows(byFunction)].join('\n');
}

const files = process.argv.slice(2);
if (files.length === 0) {
  process.stderr.write('usage: npm run bench:profile -- <file.cpuprofile>…\n');
  process.exit(2);
}
for (const file of files) process.stdout.write(`${summarize(file, Number(process.env.TOP ?? 25))}\n\n`);
