/**
 * The chaos run of issue 7 §1: chunks with dependencies run through the whole pipeline by scripted
 * fake agents with seeded random delays (a few also ask a question or hit an overloaded API once),
 * while the daemon is SIGKILLed at seeded random moments and restarted through the real CLI. At the
 * end the invariants of test/support/invariants.ts are checked. The same seed gives the same chunks,
 * scripts and kill delays; where a kill lands still depends on the machine's speed.
 */
import type { AttentionListDto, UnitListDto, WorkUnitDto } from '../../src/api/dto.js';
import {
  collectEvidence,
  type InvariantName as EndInvariant,
  INVARIANTS,
  type RunEvidence,
} from '../support/invariants.js';
import {
  type ChunkPlan,
  makePipelineProject,
  type PipelineProject,
  strayAgents,
} from '../support/pipeline-project.js';
import { type Random, seededRandom } from '../support/seeded-random.js';

export interface ChaosParams {
  chunks: number;
  agents: number;
  kills: number;
  seed: number;
  /** upper bound of each agent phase's random sleeps (ms) */
  maxSleepMs?: number;
  /** each kill waits for a uniform [min, max] number of unit writes after the previous (re)start… */
  killAfterWrites?: [number, number];
  /** …and then a uniform [min, max] ms more */
  killJitterMs?: [number, number];
  /** how long the daemon stays dead after a kill: uniform in [0, max] ms */
  maxDowntimeMs?: number;
  /** share of chunks whose PLAN.md is written already, so they start at IMPLEMENT */
  plannedShare?: number;
  /** share of chunks whose IMPLEMENT asks the operator once; share whose PLAN hits an overload once */
  questionRate?: number;
  overloadRate?: number;
  /**
   * landings verified through the train (default true): the project's verify.sh must pass, and a
   * `brokenRate` share of chunks write code that fails it in their first IMPLEMENT
   */
  verify?: boolean;
  brokenRate?: number;
  /** give up waiting for DONE after this long (ms) */
  timeoutMs?: number;
  /** keep the temp repository for inspection */
  keep?: boolean;
  log?: (line: string) => void;
}

export interface KillRecord {
  /** ms since the run started */
  at: number;
  pid: number;
  /** what was in flight when the kill landed: `chunk:PHASE` or `chunk:merge` */
  inFlight: string[];
}

export type InvariantName = EndInvariant | 'no stray agent process';

export interface ChaosReport {
  params: ChaosParams;
  root: string;
  kills: KillRecord[];
  questionsAnswered: number;
  /** ms from inject to every unit DONE (or to the timeout) */
  durationMs: number;
  problems: Record<InvariantName, string[]>;
  ok: boolean;
}

/**
 * `n` chunks named c01…; each may depend on up to two earlier ones (so the graph is a DAG), and a
 * `plannedShare` of them start at IMPLEMENT with their plan written.
 */
export function chaosChunks(n: number, random: Random, plannedShare = 0.5): ChunkPlan[] {
  const names = Array.from({ length: n }, (_, i) => `c${String(i + 1).padStart(2, '0')}`);
  return names.map((name, i) => {
    const deps = new Set<string>();
    for (let k = 0; k < 2 && i > 0; k++)
      if (random.chance(0.35)) deps.add(names[random.int(0, i - 1)] as string);
    return { name, depends_on: [...deps].sort(), planned: random.chance(plannedShare) };
  });
}

/** Per-chunk overrides for pipeline-agent.mjs: a question in IMPLEMENT, an overload in REVIEW. */
export function chaosControl(chunks: readonly ChunkPlan[], random: Random, p: ChaosParams) {
  const control: Record<string, unknown> = {};
  for (const c of chunks) {
    if (random.chance(p.questionRate ?? 0.15)) {
      control[`${c.name}:IMPLEMENT`] = {
        times: 1,
        steps: [
          {
            ask: [
              {
                question: `Which format should ${c.name} write?`,
                header: 'Format',
                multiSelect: false,
                options: [{ label: 'plain text' }, { label: 'markdown' }],
              },
            ],
          },
          { normal: true },
        ],
      };
    }
    if (p.verify !== false && random.chance(p.brokenRate ?? 0.15)) {
      control[`${c.name}:IMPLEMENT`] ??= {
        times: 1,
        steps: [
          { tool: 'Write', input: { file_path: `src/${c.name}.txt`, content: 'BROKEN\n' } },
          { tool: 'Bash', input: { command: `git add -A && git commit -qm 'implement: ${c.name}'` } },
          { result: 'implemented (badly)' },
        ],
      };
    }
    if (random.chance(p.overloadRate ?? 0.1)) {
      control[`${c.name}:REVIEW`] = {
        times: 1,
        steps: [
          {
            error:
              'API Error: 529 {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
          },
        ],
      };
    }
  }
  return control;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runChaos(params: ChaosParams): Promise<ChaosReport> {
  const log = params.log ?? (() => {});
  const random = seededRandom(params.seed);
  const chunks = chaosChunks(params.chunks, random, params.plannedShare);
  const control = chaosControl(chunks, random, params);
  const project = makePipelineProject({
    chunks,
    seed: params.seed,
    maxSleepMs: params.maxSleepMs ?? 600,
    prefix: 've-chaos-',
  });
  project.setControl(control);
  if (params.verify !== false) {
    // the project's tests: a little slow (kills land during verifications too), red on BROKEN
    project.repo.writeFile('verify.sh', 'sleep 0.3\nif grep -rl BROKEN src 2>/dev/null; then exit 1; fi\n');
    project.repo.commitAll('the project tests itself with verify.sh');
  }
  log(
    `chaos seed=${params.seed} chunks=${params.chunks} agents=${params.agents} kills=${params.kills} root=${project.root}`,
  );
  const operator = startOperator(project);
  try {
    await project.start();
    await project.mustVe(
      'orch',
      'config',
      '--max-agents',
      String(params.agents),
      '--api-retry-initial-ms',
      '100',
      '--api-retry-max-ms',
      '1000',
      ...(params.verify !== false ? ['--verify-command', 'sh verify.sh', '--verify-parallelism', '2'] : []),
    );
    const started = Date.now();
    await project.mustVe('orch', 'inject', ...chunks.map((c) => c.name));
    const kills = await killRepeatedly(project, params, random, started, log);
    const done = await project.api
      .waitFor<UnitListDto>(
        '/api/work-units',
        (u) => u.count === chunks.length && u.work_units.every((w) => w.status === 'DONE'),
        params.timeoutMs ?? 600_000,
      )
      .then(
        () => true,
        () => false,
      );
    const durationMs = Date.now() - started;
    log(`${done ? 'all units DONE' : 'TIMED OUT'} after ${durationMs} ms, ${kills.length} kills`);
    operator.stop();
    await operator.finished;
    const evidence = await collectEvidence({
      root: project.root,
      base: 'main',
      chunks: chunks.map((c) => c.name),
      api: project.api,
      observedAttention: operator.observed,
    });
    await project.mustVe('orch', 'stop');
    const problems = {} as Record<InvariantName, string[]>;
    for (const [name, check] of Object.entries(INVARIANTS)) problems[name as InvariantName] = check(evidence);
    problems['no stray agent process'] = (await strayAgents(project.root)).map(
      (pid) => `fake-claude.mjs pid ${pid} outlived the run`,
    );
    const ok = Object.values(problems).every((p) => p.length === 0);
    return {
      params,
      root: project.root,
      kills,
      questionsAnswered: operator.answered(),
      durationMs,
      problems,
      ok,
    };
  } finally {
    operator.stop();
    if (!params.keep) await project.cleanup();
    else if (project.daemonPid() !== null) await project.ve('orch', 'stop');
  }
}

/** Total writes so far: every unit's `version` grows by one per persisted change. */
async function writesSoFar(project: PipelineProject): Promise<number | null> {
  const units = await project.api.get<UnitListDto>('/api/work-units').catch(() => null);
  return units ? units.work_units.reduce((n, u) => n + u.version, 0) : null;
}

/**
 * Kills at random moments measured in progress, not wall time, so kills spread over every phase and
 * merge on a fast or a loaded machine alike: after each (re)start wait for a random number of unit
 * writes, then a random jitter, then SIGKILL.
 */
async function killRepeatedly(
  project: PipelineProject,
  params: ChaosParams,
  random: Random,
  started: number,
  log: (line: string) => void,
): Promise<KillRecord[]> {
  const [minWrites, maxWrites] = params.killAfterWrites ?? [1, 12];
  const [minJitter, maxJitter] = params.killJitterMs ?? [0, 500];
  const kills: KillRecord[] = [];
  for (let k = 1; k <= params.kills; k++) {
    const target = random.int(minWrites, maxWrites);
    const jitter = random.int(minJitter, maxJitter);
    const from = await writesSoFar(project);
    let finished = false;
    for (;;) {
      const units = await project.api.get<UnitListDto>('/api/work-units').catch(() => null);
      if (units?.work_units.every((u) => u.status === 'DONE')) {
        finished = true;
        break;
      }
      const now = units ? units.work_units.reduce((n, u) => n + u.version, 0) : null;
      if (from !== null && now !== null && now - from >= target) break;
      await sleep(50);
    }
    if (finished) {
      log(`the work finished before kill ${k}`);
      break;
    }
    await sleep(jitter);
    const units = await project.api.get<UnitListDto>('/api/work-units').catch(() => null);
    const inFlight = (units?.work_units ?? [])
      .filter((u) => u.status === 'RUNNING' || u.status === 'VERIFYING')
      .map(
        (u: WorkUnitDto) =>
          `${u.chunk}:${u.status === 'VERIFYING' ? 'verify' : u.finalizing ? 'merge' : u.phase}`,
      );
    const pid = await project.kill9();
    const at = Date.now() - started;
    kills.push({ at, pid, inFlight });
    log(
      `kill ${k} at ${at} ms (pid ${pid}, after ${target} writes + ${jitter} ms); in flight: ${inFlight.join(' ') || '-'}`,
    );
    await sleep(random.int(0, params.maxDowntimeMs ?? 300));
    await project.start();
  }
  return kills;
}

/** The operator: answers every question it sees (first option) and remembers every item it saw. */
function startOperator(project: PipelineProject) {
  let running = true;
  let answered = 0;
  const observed: RunEvidence['observedAttention'] = [];
  const seen = new Set<string>();
  const loop = async () => {
    while (running) {
      await sleep(150);
      const list = await project.api.get<AttentionListDto>('/api/attention').catch(() => null);
      for (const item of list?.items ?? []) {
        const key = `${item.chunk}\u0000${item.kind}\u0000${item.reason}\u0000${item.raised_at}`;
        if (!seen.has(key)) {
          seen.add(key);
          observed.push({ chunk: item.chunk, kind: item.kind, reason: item.reason });
        }
        if (item.kind !== 'QUESTION' || !item.question) continue;
        const r = await project.api
          .call('POST', `/api/work-units/${item.chunk}/answer`, {
            option: 1,
            question_id: item.question.id,
            answered_by: 'chaos-operator',
          })
          .catch(() => null);
        if (r?.status === 200) answered += 1;
      }
    }
  };
  const finished = loop();
  return {
    observed,
    answered: () => answered,
    finished,
    stop: () => {
      running = false;
    },
  };
}
