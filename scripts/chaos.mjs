#!/usr/bin/env node
// The full chaos run of issue 7 §1 (`npm run test:chaos`): by default 30 chunks with dependencies,
// 6 agents, 20 SIGKILLs of the daemon. Needs a build (dist/). Exit 1 when an invariant is broken.
// Usage: node scripts/chaos.mjs [--chunks 30] [--agents 6] [--kills 20] [--seed N] [--keep]
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    chunks: { type: 'string', default: '30' },
    agents: { type: 'string', default: '6' },
    kills: { type: 'string', default: '20' },
    seed: { type: 'string' },
    'timeout-s': { type: 'string', default: '900' },
    keep: { type: 'boolean', default: false },
  },
});
const { runChaos } = await import('../dist/test/chaos/chaos.js');
const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
const started = Date.now();
const report = await runChaos({
  chunks: Number(values.chunks),
  agents: Number(values.agents),
  kills: Number(values.kills),
  seed,
  timeoutMs: Number(values['timeout-s']) * 1000,
  keep: values.keep,
  log: (line) => console.log(line),
});
console.log(`\nseed ${seed}: ${report.kills.length} kills, ${report.questionsAnswered} questions answered`);
for (const [name, problems] of Object.entries(report.problems)) {
  console.log(`${problems.length === 0 ? 'ok  ' : 'FAIL'} ${name}`);
  for (const p of problems.slice(0, 20)) console.log(`       ${p}`);
}
console.log(
  `\n${report.ok ? 'PASS' : 'FAIL'} in ${((Date.now() - started) / 1000).toFixed(1)} s (work ${(report.durationMs / 1000).toFixed(1)} s); reproduce with --seed ${seed}`,
);
if (values.keep) console.log(`kept ${report.root}`);
process.exit(report.ok ? 0 : 1);
