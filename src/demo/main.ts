/**
 * `npm run demo`: a throwaway repository with four chunks (one depending on two others), the real
 * daemon and CLI, and the real Claude Code binary driven by a scripted model on 127.0.0.1 — unless
 * ANTHROPIC_API_KEY is set, in which case the real model does the work. Prints progress and the
 * dashboard URL; ends when every chunk is merged into main.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AttentionItemDto, UnitListDto } from '../api/dto.js';
import { baseLog, createDemoRepo, DEMO_CHUNKS } from './demo-repo.js';
import { ScriptedBrain } from './scripted-brain.js';
import { envForScriptedModel, startScriptedModelServer } from './scripted-model-server.js';

const CLI = resolve(fileURLToPath(import.meta.url), '..', '..', 'cli', 'main.js');
const TIMEOUT_MS = 10 * 60_000;
const started = Date.now();
const stamp = () => `${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s`;

function ve(root: string, env: NodeJS.ProcessEnv, ...args: string[]): string {
  console.log(`\n$ ve ${args.join(' ')}`);
  const res = spawnSync(process.execPath, [CLI, ...args, '--project-dir', root], { env, encoding: 'utf8' });
  const out = `${res.stdout}${res.stderr}`.trimEnd();
  if (out) console.log(out.replace(/^/gm, '  '));
  if (res.status !== 0) throw new Error(`ve ${args[0]} ${args[1] ?? ''} failed (exit ${res.status})`);
  return res.stdout;
}

function api<T>(root: string, path: string): Promise<T> {
  return new Promise((ok, fail) => {
    const req = request(
      { socketPath: join(root, '.ve', 'orchestrator.sock'), path, method: 'GET' },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => {
          body += d.toString();
        });
        res.on('end', () => ok(JSON.parse(body) as T));
      },
    );
    req.on('error', fail);
    req.end();
  });
}

async function main(): Promise<void> {
  const realModel = Boolean(process.env.ANTHROPIC_API_KEY) && !process.argv.includes('--scripted');
  console.log(
    've demo: four chunks, two agents in parallel, one dependency, merged into main by the orchestrator.',
  );
  const root = await createDemoRepo();
  console.log(`Project: ${root}`);
  let env: NodeJS.ProcessEnv = { ...process.env };
  let server: Awaited<ReturnType<typeof startScriptedModelServer>> | null = null;
  if (realModel) {
    console.log(
      'Model: the real Claude model, with your ANTHROPIC_API_KEY (pass --scripted for the scripted one).',
    );
  } else {
    const brain = new ScriptedBrain({ feedbackOnce: ['greeting'], askInImplement: ['farewell'] });
    server = await startScriptedModelServer((req) => brain.reply(req));
    env = { ...env, ...envForScriptedModel(server.url, mkdtempSync(join(tmpdir(), 've-demo-home-'))) };
    console.log(
      `Model: SCRIPTED. No language model is involved: a scripted Messages API on ${server.url} plays each phase`,
    );
    console.log(
      '       (file writes, edits, commits, one question, one review round) through the real Claude Code binary.',
    );
  }
  try {
    ve(root, env, 'orch', 'start');
    ve(root, env, 'orch', 'inject', ...DEMO_CHUNKS.map((c) => c.name));
    await watch(root, env);
    ve(root, env, 'orch', 'ps');
    console.log('\nmain now holds every chunk:\n');
    console.log(baseLog(root).replace(/^/gm, '  '));
  } finally {
    spawnSync(process.execPath, [CLI, 'orch', 'stop', '--project-dir', root], { env, stdio: 'inherit' });
    await server?.close();
  }
  console.log(`\nDone in ${stamp().trim()}. The repository stays at ${root} for you to inspect.`);
}

/** Prints every phase change until all units are DONE; answers the demo's one question like an operator. */
async function watch(root: string, env: NodeJS.ProcessEnv): Promise<void> {
  console.log('\nProgress (phase changes as they happen):');
  const seen = new Map<string, string>();
  const answered = new Set<string>();
  while (Date.now() - started < TIMEOUT_MS) {
    const { work_units } = await api<UnitListDto>(root, '/api/work-units');
    for (const u of work_units) {
      const state = `${u.phase} ${u.status}`;
      if (seen.get(u.chunk) === state) continue;
      seen.set(u.chunk, state);
      console.log(
        `${stamp()}  ${u.chunk.padEnd(10)} ${u.phase.padEnd(9)} ${u.status}${u.attention_reason ? `  (${u.attention_reason.slice(0, 80)})` : ''}`,
      );
    }
    const { items } = await api<{ items: AttentionItemDto[] }>(root, '/api/attention');
    for (const item of items) {
      if (item.kind !== 'QUESTION' || answered.has(item.question?.id ?? '')) continue;
      answered.add(item.question?.id ?? '');
      ve(root, env, 'orch', 'attention');
      ve(root, env, 'orch', 'answer', item.chunk, '--option', '2');
    }
    if (items.some((i) => i.kind !== 'QUESTION'))
      throw new Error(`a unit needs attention: ${items[0]?.chunk}: ${items[0]?.reason}`);
    if (work_units.length > 0 && work_units.every((u) => u.status === 'DONE')) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('the demo did not finish within 10 minutes');
}

main().catch((error: unknown) => {
  console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
