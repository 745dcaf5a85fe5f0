/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`) by function: self time and inclusive time,
 * so a hot spot can be named by file and function. Run: node dist/bench/profile-summary.js <file> [top]
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const label = (n: ProfileNode) =>
  `${n.callFrame.functionName || '(anonymous)'} ${n.callFrame.url.replace(/.*\/(dist|node_modules)\//, '$1/')}:${n.callFrame.lineNumber + 1}`;

export function summarise(p: Profile): {
  totalMs: number;
  self: [string, number][];
  inclusive: [string, number][];
} {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const perNode = new Map<number, number>();
  for (const [i, id] of p.samples.entries()) perNode.set(id, (perNode.get(id) ?? 0) + (p.timeDeltas[i] ?? 0));
  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  let total = 0;
  for (const [id, us] of perNode) {
    total += us;
    const node = byId.get(id) as ProfileNode;
    self.set(label(node), (self.get(label(node)) ?? 0) + us);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const k = label(byId.get(cur) as ProfileNode);
      if (seen.has(k)) continue;
      seen.add(k);
      incl.set(k, (incl.get(k) ?? 0) + us);
    }
  }
  const ms = (m: Map<string, number>) =>
    [...m].map(([k, v]) => [k, v / 1000] as [string, number]).sort((a, b) => b[1] - a[1]);
  return { totalMs: total / 1000, self: ms(self), inclusive: ms(incl) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const s = summarise(JSON.parse(readFileSync(process.argv[2] as string, 'utf8')) as Profile);
  const top = Number(process.argv[3] ?? 30);
  const show = (rows: [string, number][]) =>
    rows
      .slice(0, top)
      .map(
        ([k, v]) =>
          `${v.toFixed(0).padStart(8)} ms  ${((v / s.totalMs) * 100).toFixed(1).padStart(5)}%  ${k}`,
      )
      .join('\n');
  console.log(
    `sampled ${s.totalMs.toFixed(0)} ms\n--- self\n${show(s.self)}\n--- inclusive\n${show(s.inclusive)}`,
  );
}
