/** Builds the API's service surface from the orchestrator's parts (the API never constructs them). */
import type { StatusDto } from '../api/dto.js';
import type { ApiServices, UnitListQuery, UnitPage } from '../api/services.js';
import { answerItem } from '../attention/answer.js';
import { listAttention } from '../attention/inbox.js';
import { landUnverified } from '../attention/item-actions.js';
import { approveItem, readPlan } from '../attention/plan-approval.js';
import { resolveConflict } from '../attention/resolve.js';
import type { OrchestratorConfig } from '../config/schema.js';
import { packageVersion } from '../config/version.js';
import { goalSummary } from '../domain/chunk-doc.js';
import { toChunkName } from '../domain/chunk-name.js';
import { ErrorCode, NotFoundError, OrchError } from '../domain/errors.js';
import { readyQueue } from '../domain/ready-order.js';
import { effectiveSetupCommand } from '../git/worktree-deps.js';
import type { WorkUnitStore } from '../ports/store.js';
import { injectBatch } from '../units/inject.js';
import * as operator from '../units/operator.js';
import { budgetStatus, usageLimitStatus } from './budget-status.js';
import type { Parts } from './compose.js';

export function createApiServices(p: Parts): ApiServices {
  const ops: operator.OperatorDeps = {
    store: p.store,
    live: p.live,
    worktrees: p.worktrees,
    baseBranch: () => p.baseBranch,
    now: () => p.clock.now(),
  };
  const getUnit = async (chunk: string) => {
    const unit = await p.store.get(toChunkName(chunk));
    if (!unit) throw new NotFoundError('work unit', chunk);
    return unit;
  };
  const setupStatus = memoSetupStatus(p);
  const attention = async () =>
    listAttention(
      { chunks: p.chunks, clock: p.clock, log: p.log, limits: await p.store.getConfig() },
      await p.store.list({ active: true }),
    );
  return {
    log: p.log,
    status: async () => {
      const config = await p.store.getConfig();
      const [{ counts, cost_usd }, verification, train, prompts, budget, usage_limit, hosts] =
        await Promise.all([
          p.store.totals(),
          p.verifySettings(),
          p.train.view(),
          p.promptOverrides(),
          budgetStatus(p.store, config),
          usageLimitStatus(p.store, p.clock.now()),
          p.hosts.list(),
        ]);
      const mode = config.agent_sandbox;
      const missing = mode === 'off' ? 'agent_sandbox is off' : await p.osSandboxUnavailable();
      const held = (await p.backend.holdReason?.(mode)) ?? null;
      return {
        running: true,
        pid: process.pid,
        version: packageVersion(),
        project_root: p.paths.root,
        base_branch: p.baseBranch,
        started_at: new Date(p.startedAt).toISOString(),
        uptime_seconds: Math.round((p.clock.now() - p.startedAt) / 1000),
        counts,
        agents: { running: p.live.activeCount(), max: config.max_agents },
        total_cost_usd: Math.round(cost_usd * 1e6) / 1e6,
        url: p.url(),
        // auto and on never run unconfined: the scheduler holds agents instead, and says why
        agent_sandbox: { mode, active: missing === null, reason: missing, held },
        setup: await setupStatus(config),
        verification,
        train: { entries: train.entries.length, running: train.running },
        prompts: { overrides: prompts.overrides, problems: prompts.problems },
        config_warnings: p.configWarnings(),
        budget,
        usage_limit,
        hosts: hosts.map((h) => ({
          name: h.name,
          state: h.state,
          health: h.health,
          health_detail: h.health_detail,
          slots_used: h.slots_used,
          slots_total: h.slots_total,
        })),
      };
    },
    hosts: () => p.hosts.list(),
    addHost: (req) => p.hosts.add(req),
    checkHosts: (name) => p.hosts.check(name),
    drainHost: (name) => p.hosts.drain(name),
    activateHost: (name) => p.hosts.activate(name),
    setHostSlots: (name, slots) => p.hosts.setSlots(name, slots),
    removeHost: (name, o) => p.hosts.remove(name, o),
    train: () => p.train.view(),
    verifyRuns: (filter) => p.verifyRuns.verifyRuns(filter),
    landUnverified: async (chunk, by) => landUnverified(p.store, await getUnit(chunk), by, p.clock.now()),
    listUnits: (query) => unitPage(p.store, query),
    queue: async () => readyQueue(await p.store.list({ active: true })),
    getUnit,
    inject: (req) => injectBatch({ store: p.store, chunks: p.chunks, clock: p.clock }, req),
    deleteUnit: (chunk, force, keepBranch) => operator.deleteUnit(ops, chunk, force, keepBranch ?? false),
    history: async (chunk) => {
      await getUnit(chunk).catch(async (e) => {
        // history stays readable after a delete
        if ((await p.store.history(chunk)).length === 0) throw e;
      });
      const [history, attentionLog, phaseRuns] = await Promise.all([
        p.store.history(chunk),
        p.store.attentionLog(chunk),
        p.store.phaseRuns(chunk),
      ]);
      return { chunk, history, attention: attentionLog, phase_runs: phaseRuns };
    },
    setPriority: (chunk, priority, expected) => operator.setPriority(ops, chunk, priority, expected),
    forceStatus: (chunk, change) => operator.forceStatus(ops, chunk, change),
    answer: (chunk, req) => answerItem({ store: p.store, live: p.live }, chunk, req),
    plan: (chunk) =>
      readPlan(
        {
          store: p.store,
          branchTips: () => p.worktrees.branchTips(),
          baseTip: () => p.landing.baseTip(p.baseBranch),
          baseBranch: p.baseBranch,
          committedFile: (commit, path) => p.landing.committedFile(commit, path),
        },
        chunk,
      ),
    approve: (chunk, by) => approveItem({ store: p.store }, chunk, by),
    retry: (chunk) => operator.retry(ops, chunk),
    retryAll: (phase) => operator.retryAll(ops, phase),
    kill: (chunk, to) => operator.kill(ops, chunk, to),
    interrupt: (chunk, guidance) => operator.interrupt(ops, chunk, guidance),
    block: (chunk, on, reason) => operator.block(ops, chunk, on, reason),
    unblock: (chunk) => operator.unblock(ops, chunk),
    resolve: (chunk, other, verdict) => resolveConflict(p.store, chunk, other, verdict),
    attention,
    getConfig: () => p.store.getConfig(),
    patchConfig: (patch) => p.store.patchConfig(patch),
    conflicts: (filter) => p.store.listConflicts(filter),
    analyze: async (a, b) => {
      if (!p.oracle) throw new OrchError(ErrorCode.internal, 'the conflict oracle is not available');
      for (const c of [a, b]) if (!(await p.chunks.exists(c))) throw new NotFoundError('chunk', c);
      return p.oracle.analyze(a, b);
    },
    worktrees: () => p.worktrees.list(p.baseBranch),
    removeWorktree: async (chunk, o) => {
      const unit = await p.store.get(chunk);
      if (unit && p.live.running().includes(chunk))
        throw new OrchError(ErrorCode.conflict, `'${chunk}' has a phase running; kill it first`);
      if (
        !(await p.worktrees.exists(chunk)) &&
        (await p.worktrees.unmergedCommits(chunk, p.baseBranch)) === 0 &&
        !(await p.worktrees.list(p.baseBranch)).some((w) => w.chunk === chunk)
      ) {
        throw new NotFoundError('worktree', chunk);
      }
      await p.worktrees.remove(chunk, {
        force: o.force,
        keepBranch: o.keepBranch,
        baseBranch: unit?.base_branch ?? p.baseBranch,
      });
      if (unit?.worktree) await p.store.update(chunk, { worktree: null }, { source: 'api' });
    },
    pruneWorktrees: async (force) => {
      const removed: string[] = [];
      const kept: { chunk: string; reason: string }[] = [];
      const units = new Map((await p.store.list()).map((u) => [u.chunk as string, u]));
      for (const w of await p.worktrees.list(p.baseBranch)) {
        const unit = units.get(w.chunk);
        if (unit && unit.status !== 'DONE') {
          kept.push({ chunk: w.chunk, reason: `unit is ${unit.status}` });
          continue;
        }
        try {
          await p.worktrees.remove(w.chunk, {
            force,
            keepBranch: false,
            baseBranch: unit?.base_branch ?? p.baseBranch,
          });
          removed.push(w.chunk);
        } catch (e) {
          kept.push({ chunk: w.chunk, reason: e instanceof Error ? e.message : String(e) });
        }
      }
      return { removed, kept };
    },
    phaseLog: (chunk) => p.phaseLog.read(chunk),
    diff: async (chunk) => {
      const unit = await getUnit(chunk);
      return p.worktrees.diff(chunk, unit.base_branch ?? p.baseBranch);
    },
    chunks: async () => {
      const injected = new Set((await p.store.list()).map((u) => u.chunk as string));
      const names = await p.chunks.list();
      return Promise.all(
        names.map(async (name) => {
          try {
            const doc = await p.chunks.read(name);
            return {
              name,
              status: doc.status,
              depends_on: doc.depends_on,
              summary: goalSummary(doc.goal),
              injected: injected.has(name),
              error: null,
            };
          } catch (e) {
            return {
              name,
              status: null,
              depends_on: null,
              summary: '',
              injected: injected.has(name),
              error: e instanceof Error ? e.message : String(e),
            };
          }
        }),
      );
    },
    chunk: async (name) => {
      const doc = await p.chunks.read(name);
      return { name, goal: doc.goal, plan: doc.plan, frontmatter: doc.frontmatter };
    },
    subscribe: (listener) => p.bus.subscribe(listener),
  };
}

/** One page of units; it asks the store for one unit more than the limit to learn whether a next page exists. */
async function unitPage(store: WorkUnitStore, query: UnitListQuery = {}): Promise<UnitPage> {
  const { limit, after, order, ...filter } = query;
  const [units, total] = await Promise.all([
    store.list({ ...filter, after, order, limit: limit === undefined ? undefined : limit + 1 }),
    store.count(filter),
  ]);
  const more = limit !== undefined && units.length > limit;
  const work_units = more ? units.slice(0, limit) : units;
  return { work_units, total, next_after: more ? (work_units.at(-1)?.chunk ?? null) : null };
}

/**
 * The effective setup of the project's checkout for `status`, computed at most every few seconds:
 * status is refreshed on every unit change, and detection reads files and asks git.
 */
function memoSetupStatus(p: Parts): (config: OrchestratorConfig) => Promise<NonNullable<StatusDto['setup']>> {
  const TTL_MS = 5000;
  let last: { key: string; at: number; value: Promise<NonNullable<StatusDto['setup']>> } | null = null;
  return (config) => {
    const key = JSON.stringify(config.setup_command);
    const now = p.clock.now();
    if (last && last.key === key && now - last.at < TTL_MS) return last.value;
    const value = effectiveSetupCommand(config, p.paths.root).then(
      ({ command, source, why }) => ({ command, source, why }),
      (error: unknown) => {
        p.log.error('setup detection failed', { root: p.paths.root, error });
        const why = `detection failed: ${error instanceof Error ? error.message : String(error)}`;
        return { command: null, source: 'none' as const, why };
      },
    );
    last = { key, at: now, value };
    return value;
  };
}
