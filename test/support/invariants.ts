/**
 * The end-of-run invariants of the reliability suites (issue 7 §1): gathered once from the daemon's
 * API, git and /proc into a RunEvidence, then checked by pure functions that each return the problems
 * they found (empty = the invariant holds), so a test asserts them one by one with a clear message.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { HistoryDto, StatusDto, UnitListDto, WorkUnitDto } from '../../src/api/dto.js';
import { canApply, TRANSITIONS, targetStatus, type UnitEvent } from '../../src/domain/transitions.js';
import type { VerifyRun } from '../../src/ports/train.js';
import type { socketApi } from './socket-api.js';

export interface RunEvidence {
  chunks: readonly string[];
  base: string;
  units: WorkUnitDto[];
  histories: Record<string, HistoryDto>;
  /** commit subjects on the base branch, newest first */
  baseSubjects: string[];
  baseFiles: Set<string>;
  /** `status:` of docs/chunks/<c>/GOAL.md on the base branch */
  goalStatusOnBase: Record<string, string | null>;
  orchBranches: string[];
  worktreeDirs: string[];
  gitWorktreeCount: number;
  /** attention items the operator saw while the run went on */
  observedAttention: { chunk: string; kind: string; reason: string }[];
  /** base's first-parent line, newest first */
  baseFirstParents: { sha: string; subject: string }[];
  /** the verify command in force at the end (null: landings were not verified) */
  verifyCommand: string | null;
  /** every recorded verification */
  verifyRuns: VerifyRun[];
}

const git = (root: string, ...args: string[]) =>
  execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** Reads everything the checks need; the daemon must be running (its API is asked). */
export async function collectEvidence(input: {
  root: string;
  base: string;
  chunks: readonly string[];
  api: ReturnType<typeof socketApi>;
  observedAttention?: RunEvidence['observedAttention'];
}): Promise<RunEvidence> {
  const { root, base, chunks, api } = input;
  const units = (await api.get<UnitListDto>('/api/work-units')).work_units;
  const histories: Record<string, HistoryDto> = {};
  for (const c of chunks) histories[c] = await api.get<HistoryDto>(`/api/work-units/${c}/history`);
  const goalStatusOnBase: Record<string, string | null> = {};
  for (const c of chunks) {
    let text = '';
    try {
      text = git(root, 'show', `${base}:docs/chunks/${c}/GOAL.md`);
    } catch {
      // missing on base: reported by the check
    }
    goalStatusOnBase[c] = /^status:\s*(\S+)/m.exec(text)?.[1] ?? null;
  }
  const chunksDir = join(root, '.ve', 'chunks');
  const worktreeDirs = existsSync(chunksDir)
    ? readdirSync(chunksDir)
        .map((c) => join(chunksDir, c, 'worktree'))
        .filter((p) => existsSync(p))
    : [];
  return {
    chunks,
    base,
    units,
    histories,
    baseSubjects: git(root, 'log', '--format=%s', base).trim().split('\n'),
    baseFiles: new Set(git(root, 'ls-tree', '-r', '--name-only', base).trim().split('\n')),
    goalStatusOnBase,
    orchBranches: git(root, 'for-each-ref', '--format=%(refname:short)', 'refs/heads/orch/')
      .split('\n')
      .filter((l) => l !== ''),
    worktreeDirs,
    gitWorktreeCount: git(root, 'worktree', 'list', '--porcelain')
      .split('\n')
      .filter((l) => l.startsWith('worktree ')).length,
    observedAttention: input.observedAttention ?? [],
    baseFirstParents: git(root, 'log', '--first-parent', '--format=%H %s', base)
      .trim()
      .split('\n')
      .map((line) => ({ sha: line.slice(0, 40), subject: line.slice(41) })),
    verifyCommand: (await api.get<StatusDto>('/api/status')).verification?.command ?? null,
    verifyRuns: (await api.get<{ runs: VerifyRun[] }>('/api/verify-runs?limit=10000')).runs,
  };
}

/** Every chunk has a unit and every unit is DONE. */
export function notDone(ev: RunEvidence): string[] {
  const out: string[] = [];
  for (const c of ev.chunks) {
    const u = ev.units.find((x) => x.chunk === c);
    if (!u) out.push(`${c}: no work unit`);
    else if (u.status !== 'DONE')
      out.push(
        `${c}: ${u.status} in ${u.phase}${u.attention_kind ? ` (${u.attention_kind}: ${u.attention_reason})` : ''}`,
      );
  }
  return out;
}

/** Each chunk's completion commit is on base exactly once, and its branch was merged at most once. */
export function notMergedOnce(ev: RunEvidence): string[] {
  const out: string[] = [];
  for (const c of ev.chunks) {
    const done = ev.baseSubjects.filter((s) => s === `done: ${c}`).length;
    if (done !== 1) out.push(`${c}: 'done: ${c}' appears ${done} times on ${ev.base}`);
    const merges = ev.baseSubjects.filter((s) => s === `Merge branch 'orch/${c}' into ${ev.base}`).length;
    if (merges > 1) out.push(`${c}: orch/${c} merged ${merges} times`);
  }
  return out;
}

/** The base tree has every chunk's change and every GOAL.md marked done. */
export function missingChanges(ev: RunEvidence): string[] {
  const out: string[] = [];
  for (const c of ev.chunks) {
    if (!ev.baseFiles.has(`src/${c}.txt`)) out.push(`${c}: src/${c}.txt is not on ${ev.base}`);
    if (ev.goalStatusOnBase[c] !== 'ACTIVE')
      out.push(`${c}: GOAL.md on ${ev.base} has status ${ev.goalStatusOnBase[c]}`);
  }
  return out;
}

/** No worktree directory, registered worktree or orch/* branch is left behind. */
export function orphans(ev: RunEvidence): string[] {
  return [
    ...ev.worktreeDirs.map((d) => `worktree directory left: ${d}`),
    ...ev.orchBranches.map((b) => `branch left: ${b}`),
    ...(ev.gitWorktreeCount > 1 ? [`git worktree list has ${ev.gitWorktreeCount} entries`] : []),
  ];
}

/**
 * Each unit's audit log is a path through the transition table: it starts with `create`, each row
 * starts where the previous one ended, and each (from, event, to) is allowed; only `force` rows may
 * be forced, and they must say so.
 */
export function invalidAuditPaths(ev: RunEvidence): string[] {
  const out: string[] = [];
  for (const c of ev.chunks) {
    const rows = ev.histories[c]?.history ?? [];
    rows.forEach((row, i) => {
      const where = `${c} row ${i} (${row.old_status} -[${row.event}]-> ${row.new_status})`;
      if (i === 0) {
        if (
          row.event !== 'create' ||
          row.old_status !== null ||
          !['READY', 'BLOCKED'].includes(row.new_status)
        )
          out.push(`${where}: the log does not start with a create`);
        return;
      }
      const prev = rows[i - 1];
      if (row.old_status !== prev?.new_status)
        out.push(`${where}: previous row ended in ${prev?.new_status}`);
      if (row.event === 'force') {
        if (!row.forced) out.push(`${where}: a force row not marked forced`);
        return;
      }
      if (row.forced) out.push(`${where}: marked forced but is not a force`);
      if (!Object.hasOwn(TRANSITIONS, row.event)) {
        out.push(`${where}: unknown event`);
        return;
      }
      const type = row.event as Exclude<UnitEvent['type'], 'force'>;
      if (row.old_status === null || !canApply(row.old_status, type)) out.push(`${where}: not allowed`);
      if (targetStatus({ type } as UnitEvent) !== row.new_status)
        out.push(`${where}: ${row.event} leads to ${targetStatus({ type } as UnitEvent)}`);
    });
  }
  return out;
}

/**
 * No attention item is lost: every `attend` in the status log has its raised item in the attention
 * log (same order, same reason), every raised item was answered or its unit later left
 * NEEDS_ATTENTION, every question was answered, and every item the operator saw was logged.
 */
export function lostAttention(ev: RunEvidence): string[] {
  const out: string[] = [];
  for (const c of ev.chunks) {
    const history = ev.histories[c]?.history ?? [];
    const attends = history.map((h, i) => ({ h, i })).filter(({ h }) => h.event === 'attend');
    const raised = (ev.histories[c]?.attention ?? []).filter((a) => a.raised !== null);
    if (attends.length !== raised.length)
      out.push(
        `${c}: ${attends.length} attend transitions but ${raised.length} raised items in the attention log`,
      );
    raised.forEach((item, k) => {
      const label = `${c}: ${item.kind} item raised at ${item.raised_at} (${item.raised?.reason.slice(0, 120)})`;
      const attend = attends[k];
      if (attend && attend.h.reason !== item.raised?.reason)
        out.push(`${label}: the matching attend row says ${JSON.stringify(attend.h.reason)}`);
      const left = attend
        ? history
            .slice(attend.i + 1)
            .some((h) => h.old_status === 'NEEDS_ATTENTION' && h.new_status !== 'NEEDS_ATTENTION')
        : false;
      if (item.answered_at === null && !left) out.push(`${label}: neither answered nor closed`);
      if (item.kind === 'QUESTION' && item.answered_at === null)
        out.push(`${label}: the question was never answered`);
    });
  }
  for (const seen of ev.observedAttention) {
    const logged = (ev.histories[seen.chunk]?.attention ?? []).some(
      (a) => a.kind === seen.kind && a.raised?.reason === seen.reason,
    );
    if (!logged)
      out.push(`${seen.chunk}: the ${seen.kind} item the operator saw is not in the attention log`);
  }
  return out;
}

/** Every phase run has ended: a run a killed daemon left open is closed by recovery. */
export function openPhaseRuns(ev: RunEvidence): string[] {
  return ev.chunks.flatMap((c) =>
    (ev.histories[c]?.phase_runs ?? [])
      .filter((r) => r.ended_at === null)
      .map((r) => `${c}: the ${r.phase} run started at ${r.started_at} never ended`),
  );
}

/**
 * With a verify command, every merge ve put on base's first-parent line is a tree that passed it:
 * a verify run of exactly that commit passed, or the operator landed that unit unverified.
 */
export function landedUnverified(ev: RunEvidence): string[] {
  if (ev.verifyCommand === null) return [];
  const passed = new Set(ev.verifyRuns.filter((r) => r.outcome === 'passed').map((r) => r.spec_commit));
  const overridden = new Set(ev.units.filter((u) => u.land_unverified).map((u) => `orch/${u.chunk}`));
  return ev.baseFirstParents
    .filter((c) => /^Merge branch 'orch\/[^']+' into /.test(c.subject))
    .filter((c) => !passed.has(c.sha) && !overridden.has(/'([^']+)'/.exec(c.subject)?.[1] ?? ''))
    .map((c) => `${c.sha.slice(0, 12)} ${c.subject}: landed on ${ev.base} without a passing verification`);
}

/** The invariants by name, in the order they are reported. */
export const INVARIANTS = {
  'every unit DONE': notDone,
  'every branch merged into base exactly once': notMergedOnce,
  "base contains every chunk's change": missingChanges,
  'no orphan worktree or branch': orphans,
  'the audit log is a valid path through the transition table': invalidAuditPaths,
  'no attention item lost': lostAttention,
  'every phase run closed': openPhaseRuns,
  'every commit ve put on base passed verify': landedUnverified,
} as const satisfies Record<string, (ev: RunEvidence) => string[]>;

export type InvariantName = keyof typeof INVARIANTS;

/** Asserts every invariant, one assertion each, naming the broken one and its problems. */
export function assertInvariants(ev: RunEvidence): void {
  for (const [name, check] of Object.entries(INVARIANTS)) {
    const problems = check(ev);
    assert.deepEqual(problems, [], `invariant broken: ${name}\n  ${problems.join('\n  ')}`);
  }
}
