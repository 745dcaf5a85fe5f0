/**
 * The composition root: the only place that constructs adapters and services and wires them
 * together. `main.ts` uses it for the real daemon; tests pass overrides (fake backend, manual clock).
 */
import { createRequire } from 'node:module';
import { ClaudeAgentBackend } from '../agents/claude/backend.js';
import { osSandboxUnavailable, SANDBOX_MASKED_NAMES } from '../agents/claude/os-sandbox.js';
import { PhasePrompts, type PromptOverrideReport } from '../agents/prompt-overrides.js';
import { FsChunkRepo } from '../chunks/fs-chunk-repo.js';
import { type ProjectPaths, projectPaths } from '../config/paths.js';
import { resolveVerifySettings, type VerifySettings } from '../config/verify-settings.js';
import { packageCacheEnv } from '../domain/package-caches.js';
import type { WorkUnit } from '../domain/work-unit.js';
import { createHostCommands, type HostCommands } from '../fleet/host-commands.js';
import { DEFAULT_MONITOR, HostMonitor, type HostMonitorOptions } from '../fleet/host-monitor.js';
import { GitLanding } from '../git/git-landing.js';
import { GitWorktrees } from '../git/git-worktrees.js';
import { GitVerifyCheckouts } from '../git/verify-checkouts.js';
import { effectiveSetupCommand, prepareDependencies, WorktreeDependencies } from '../git/worktree-deps.js';
import { projectIdFor, SshHostPool } from '../hosts/ssh-host-pool.js';
import { controlDirFor, SshTransport } from '../hosts/ssh-transport.js';
import { InProcessEventBus } from '../infra/event-bus.js';
import { PhaseLogFiles } from '../infra/phase-log-files.js';
import { ReviewRoundFiles } from '../infra/review-round-files.js';
import { systemClock } from '../infra/system-clock.js';
import { checkLiveConflicts, startLiveInterval } from '../oracle/live-reaction.js';
import { OracleService } from '../oracle/oracle-service.js';
import type { AgentBackend } from '../ports/agent-backend.js';
import type { ChunkRepo } from '../ports/chunks.js';
import type { Clock } from '../ports/clock.js';
import type { DependencySetup } from '../ports/dependencies.js';
import type { EventBus } from '../ports/events.js';
import type { HostConnections, HostStore } from '../ports/hosts.js';
import type { LivePhases } from '../ports/live-phases.js';
import type { Logger } from '../ports/logger.js';
import type { ConflictOracle } from '../ports/oracle.js';
import type { PhaseLogSink } from '../ports/phase-log.js';
import type { WorkUnitStore } from '../ports/store.js';
import type { Landing, Verifier, VerifyRunStore } from '../ports/train.js';
import type { Worktrees } from '../ports/worktrees.js';
import { MergeQueue } from '../runner/merge-queue.js';
import { AgentPhaseRunner } from '../runner/run-phase.js';
import { Scheduler } from '../scheduler/scheduler.js';
import { SqliteStore } from '../store/sqlite-store.js';
import { LandingTrain } from '../train/landing-train.js';
import type { TrainSettings } from '../train/train-deps.js';
import { ProcessVerifier } from '../verify/process-verifier.js';
import { repositoryVerify, verifyEnv } from './verify-wiring.js';

export interface Parts {
  paths: ProjectPaths;
  store: WorkUnitStore;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  chunks: ChunkRepo;
  worktrees: Worktrees;
  backend: AgentBackend;
  dependencies: DependencySetup;
  oracle: ConflictOracle | null;
  phaseLog: PhaseLogSink;
  scheduler: Scheduler;
  /** the landing train: verifies and lands finished units (DESIGN §16) */
  train: LandingTrain;
  verifyRuns: VerifyRunStore;
  /** the git side of landing; also reads files as committed (ve.yaml, prompts, plans) */
  landing: Landing;
  /** the verify command in force and where it comes from */
  verifySettings(): Promise<VerifySettings>;
  /** the host pool: the operator's commands, the records, the connections, the health monitor */
  hosts: HostCommands;
  hostStore: HostStore;
  connections: HostConnections;
  hostMonitor: HostMonitor;
  live: LivePhases;
  baseBranch: string;
  startedAt: number;
  /** the project's phase prompt overrides on base, and the refused ones */
  promptOverrides(): Promise<PromptOverrideReport>;
  /** stored config values that cannot be read (each keeps its default) */
  configWarnings(): string[];
  /** null when the OS sandbox can run under agents' shell commands, else why not */
  osSandboxUnavailable(): Promise<string | null>;
  /** starts the interval live-conflict watch; returns stop */
  startLiveWatch(): () => void;
  url(): string | null;
  setUrl(url: string): void;
}

export interface ComposeOptions {
  root: string;
  log: Logger;
  clock?: Clock;
  backend?: AgentBackend;
  worktrees?: Worktrees;
  dependencies?: DependencySetup;
  /** the branch units merge into; default: the host's current branch */
  baseBranch?: string;
  /** defaults to `.ve/orchestrator.db`; ':memory:' in API tests */
  dbPath?: string;
  landing?: Landing;
  verifier?: Verifier;
  /** the ssh client hosts are reached with; default `ssh` on PATH (tests: test/fixtures/fake-ssh) */
  ssh?: string;
  /** how often the host monitor looks at hosts */
  hostMonitor?: HostMonitorOptions;
}

/** Environment knobs for tests and the demo (documented in docs/configuration.md). */
function backendFromEnv(log: Logger, paths: ProjectPaths, prompts: PhasePrompts): AgentBackend {
  const path = process.env.VE_CLAUDE_PATH;
  return new ClaudeAgentBackend({
    log,
    templates: (phase) => prompts.template(phase),
    // the same package caches as the setup commands, writable inside the OS sandbox (issue 11 §4)
    env: packageCacheEnv(paths.cacheDir),
    sandboxWritable: [paths.cacheDir],
    ...(path ? { pathToClaudeCodeExecutable: path } : {}),
  });
}

/** The Claude Code local units run: VE_CLAUDE_PATH, else the binary the SDK ships for this platform. */
function localClaudePath(): string {
  if (process.env.VE_CLAUDE_PATH) return process.env.VE_CLAUDE_PATH;
  try {
    const require = createRequire(import.meta.url);
    return require.resolve(`@anthropic-ai/claude-agent-sdk-${process.platform}-${process.arch}/claude`);
  } catch {
    return 'claude'; // not installed for this platform: `hosts check` then reports what PATH has
  }
}

/** VE_HOST_CHECK_MS=<healthy>,<down>: how often hosts are looked at (tests shorten it). */
function monitorFromEnv(): HostMonitorOptions {
  const [healthy, down] = (process.env.VE_HOST_CHECK_MS ?? '').split(',').map(Number);
  return {
    healthyEveryMs: healthy && healthy > 0 ? healthy : DEFAULT_MONITOR.healthyEveryMs,
    downEveryMs: down && down > 0 ? down : DEFAULT_MONITOR.downEveryMs,
  };
}

export async function compose(opts: ComposeOptions): Promise<Parts> {
  const paths = projectPaths(opts.root);
  const clock = opts.clock ?? systemClock;
  const log = opts.log;
  const bus = new InProcessEventBus((error) => log.error('event listener failed', { error }));
  const store = new SqliteStore({
    path: opts.dbPath ?? paths.db,
    bus,
    clock,
    log: log.child({ component: 'store' }),
  });
  const chunks = new FsChunkRepo(paths.root);
  const worktrees =
    opts.worktrees ?? new GitWorktrees({ root: paths.root, paths, log: log.child({ component: 'git' }) });
  const baseBranch = opts.baseBranch ?? (await worktrees.defaultBase());
  const connections = new SshHostPool({
    transport: new SshTransport({
      controlDir: controlDirFor(paths.stateDir),
      ...(opts.ssh ? { ssh: opts.ssh } : {}),
    }),
    localRoot: paths.root,
    projectId: projectIdFor(paths.root),
    maskedNames: SANDBOX_MASKED_NAMES,
    localClaude: localClaudePath(),
  });
  const dependencies =
    opts.dependencies ?? new WorktreeDependencies(paths, log.child({ component: 'setup' }));
  const phaseLog = new PhaseLogFiles(paths);
  const oracle = new OracleService({
    store,
    chunks,
    worktrees,
    config: () => store.getConfig(),
    clock,
    log: log.child({ component: 'oracle' }),
    skipDocPhases: true,
  });
  const live = {
    store,
    probe: (units: readonly WorkUnit[]) => oracle.probeImplementing(units),
    log: log.child({ component: 'oracle' }),
  };
  const landing = opts.landing ?? new GitLanding({ root: paths.root, paths, log });
  // the team's prompts come from base as committed, like ve.yaml: no branch rewrites its instructions
  const prompts = new PhasePrompts({
    files: { baseTip: () => landing.baseTip(baseBranch), read: (c, p) => landing.committedFile(c, p) },
    base: baseBranch,
  });
  const backend = opts.backend ?? backendFromEnv(log.child({ component: 'agent' }), paths, prompts);
  const readRepo = repositoryVerify(landing, baseBranch, log);
  const verifySettings = async (): Promise<VerifySettings> =>
    resolveVerifySettings(await store.getConfig(), await readRepo());
  const trainSettings = async (): Promise<TrainSettings> => {
    const [config, v] = await Promise.all([store.getConfig(), verifySettings()]);
    return {
      command: v.command,
      source: v.source,
      ...(v.error ? { error: v.error } : {}),
      timeoutSeconds: v.timeout_seconds,
      parallelism: v.parallelism,
      flakyReruns: config.verify_flaky_reruns,
      maxRetries: config.verify_max_retries,
      mergeConflictMaxRetries: config.merge_conflict_max_retries,
      sandbox: config.agent_sandbox,
      // the operator's own command only, for now; detection is `effectiveSetupCommand` (git/worktree-deps.ts)
    };
  };
  const verifier =
    opts.verifier ??
    new ProcessVerifier({
      checkouts: new GitVerifyCheckouts(paths.root, paths.verifyDir),
      log: log.child({ component: 'verify' }),
      env: () => verifyEnv(paths),
      writable: [paths.cacheDir],
      // the verify checkout gets its dependencies the way an agent's worktree does
      prepare: async (checkout, signal) => {
        await prepareDependencies(checkout, {
          config: await store.getConfig(),
          paths,
          log: log.child({ component: 'verify' }),
          stateFile: `${checkout}.setup.json`,
          signal,
        });
      },
    });
  const train = new LandingTrain({
    store,
    runs: store.verifyRuns,
    landing,
    worktrees,
    verifier,
    settings: trainSettings,
    clock,
    bus,
    log: log.child({ component: 'train' }),
    phaseLog,
    logFile: (chunk, runId) => paths.verifyLog(chunk, runId),
    baseBranch,
    projectId: paths.root,
  });
  const runner = new AgentPhaseRunner({
    store,
    backend,
    worktrees,
    chunks,
    clock,
    bus,
    phaseLog,
    reviewRounds: new ReviewRoundFiles(paths),
    log: log.child({ component: 'runner' }),
    hostRoot: paths.root,
    baseBranch,
    mergeQueue: new MergeQueue(store, log.child({ component: 'merge' })),
    verifySettings,
    dependencies,
    hosts: {
      store: store.hosts,
      connections,
      setupCommand: async (worktree, config) => (await effectiveSetupCommand(config, worktree)).command,
    },
  });
  const scheduler = new Scheduler({
    store,
    runner,
    oracle,
    clock,
    bus,
    log: log.child({ component: 'scheduler' }),
    afterPhase: async () => {
      await checkLiveConflicts(live);
    },
    holdAgents: async (config) => (await backend.holdReason?.(config.agent_sandbox)) ?? null,
    hosts: store.hosts,
  });
  const hosts = createHostCommands({
    hosts: store.hosts,
    connections,
    store,
    live: scheduler,
    worktrees,
    log: log.child({ component: 'hosts' }),
    now: () => clock.now(),
  });
  const hostMonitor = new HostMonitor(
    { hosts: store.hosts, connections, clock, bus, store, log: log.child({ component: 'hosts' }) },
    opts.hostMonitor ?? monitorFromEnv(),
  );
  let url: string | null = null;
  return {
    paths,
    store,
    bus,
    clock,
    log,
    chunks,
    worktrees,
    backend,
    dependencies,
    oracle,
    phaseLog,
    scheduler,
    train,
    verifyRuns: store.verifyRuns,
    landing,
    verifySettings,
    hosts,
    hostStore: store.hosts,
    connections,
    hostMonitor,
    live: scheduler,
    baseBranch,
    startedAt: clock.now(),
    startLiveWatch: () => startLiveInterval({ ...live, clock }),
    promptOverrides: () => prompts.report(),
    osSandboxUnavailable,
    configWarnings: () => store.configWarnings(),
    url: () => url,
    setUrl: (u) => {
      url = u;
    },
  };
}
