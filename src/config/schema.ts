/** Orchestrator configuration: one zod schema gives the defaults, the validation and the wire shape. */
import { z } from 'zod';

export const ConfigSchema = z.object({
  /** concurrent agent phases (the original's invariant: 2) */
  max_agents: z.number().int().min(1).max(64).default(2),
  /** agent backend name */
  backend: z.string().min(1).default('claude'),
  /** model override for the agent (null = Claude Code's default) */
  model: z.string().min(1).nullable().default(null),
  max_turns: z.number().int().min(1).max(10_000).default(100),
  /** per-phase budget in USD (null = none): Claude Code stops a phase run that spends it */
  max_budget_usd: z.number().positive().nullable().default(null),
  /** a unit's total spend in USD over all its phases and retries (null = none) */
  unit_budget_usd: z.number().positive().nullable().default(null),
  /** a unit's total tokens, in + out, over all its phases and retries (null = none) */
  unit_budget_tokens: z.number().int().positive().nullable().default(null),
  /** the project's spend in USD over the last `project_budget_window_hours` (null = none) */
  project_budget_usd: z.number().positive().nullable().default(null),
  /** the rolling window of `project_budget_usd`, in hours */
  project_budget_window_hours: z
    .number()
    .positive()
    .max(24 * 366)
    .default(24),
  /** a phase with no agent event for this long is interrupted and reported STALLED */
  stall_timeout_seconds: z.number().int().min(5).max(86_400).default(900),
  api_retry_initial_ms: z.number().int().min(1).max(3_600_000).default(2000),
  api_retry_max_ms: z.number().int().min(1).max(86_400_000).default(120_000),
  api_retry_max_attempts: z.number().int().min(0).max(100).default(8),
  /** a finished PLAN waits for the operator's approval (a PLAN item) before IMPLEMENT starts */
  plan_approval: z.boolean().default(false),
  /**
   * a finished unit whose diff deletes, skips or focuses tests, or changes the test script, waits for
   * the operator (a TESTS item) instead of landing (docs/verification.md "Test guard")
   */
  test_guard: z.boolean().default(true),
  /** REVIEW FEEDBACK round trips before the operator is asked */
  review_max_iterations: z.number().int().min(1).max(20).default(3),
  /** finalize merge conflicts sent back to REBASE before the operator is asked */
  merge_conflict_max_retries: z.number().int().min(0).max(10).default(2),
  /**
   * reminders that resume a phase's session when it ended without what it must leave behind (its exit
   * conditions), or a reviewer without its decision, before the operator is asked
   */
  max_nudges: z.number().int().min(0).max(10).default(2),
  /** times a phase that reached max_turns is resumed with a fresh turn budget before the operator is asked */
  max_turn_extensions: z.number().int().min(0).max(20).default(2),
  /**
   * the command that prepares a worktree's dependencies (docs/dependencies.md). null: the one detected
   * from the worktree's lockfiles (`npm ci`, `uv sync --locked`…); false: no setup at all
   */
  setup_command: z
    .union([z.string().min(1).max(4096), z.literal(false)])
    .nullable()
    .default(null),
  /**
   * how worktrees of an npm project share one node_modules per lockfile: 'auto' clones it where the
   * file system can (copy-on-write) and hard-links it elsewhere, 'copy' copies it, 'off' runs `npm ci`
   * in each worktree
   */
  node_modules_sharing: z.enum(['auto', 'copy', 'off']).default('auto'),
  /** live merge-tree probes between implementing units, besides the probe after every phase end */
  live_probe_interval_seconds: z.number().int().min(0).max(86_400).default(120),
  /** what a LIVE conflict does: raise a CONFLICT item, or serialize automatically */
  live_conflict_action: z.enum(['attention', 'serialize']).default('attention'),
  /** oracle scores at or above this decide SERIALIZE; at or below 1 - this decide INDEPENDENT */
  oracle_decide_threshold: z.number().min(0.5).max(1).default(0.8),
  /** command run (with the item as JSON on stdin) when an attention item is raised */
  notify_command: z.string().min(1).max(4096).nullable().default(null),
  /** loopback URL POSTed the item as JSON when an attention item is raised */
  notify_webhook: z
    .string()
    .url()
    .refine(
      (u) => /^https?:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?(\/|$)/.test(u),
      'must be a loopback URL',
    )
    .nullable()
    .default(null),
  worktree_warning_threshold: z.number().int().min(1).max(10_000).default(10),
  /**
   * the OS sandbox (bubblewrap + socat on Linux) under agents' shell commands: 'auto' where it can
   * run, 'on' required (a phase fails without it), 'off' only the tool-level policy
   */
  agent_sandbox: z.enum(['auto', 'on', 'off']).default('auto'),
  /**
   * the command that must pass on the exact tree before it lands on base (DESIGN §16). null: the
   * repository's `ve.yaml` decides (no verification when it names none); false: never verify
   */
  verify_command: z
    .union([z.string().min(1).max(4096), z.literal(false)])
    .nullable()
    .default(null),
  /** a verification still running after this long is killed and counts as a failure */
  verify_timeout_seconds: z.number().int().min(1).max(86_400).default(1800),
  /** speculative trees of the landing train verified at once */
  verify_parallelism: z.number().int().min(1).max(32).default(2),
  /** failed verifications sent back to the unit's agent before a VERIFY item asks the operator */
  verify_max_retries: z.number().int().min(0).max(10).default(2),
  /** re-runs of a failing verification on the same tree before the unit is blamed (a pass: flaky) */
  verify_flaky_reruns: z.number().int().min(0).max(5).default(1),
});

export type OrchestratorConfig = z.infer<typeof ConfigSchema>;
export type ConfigKey = keyof OrchestratorConfig;

type ConfigShape = typeof ConfigSchema.shape;
/**
 * A partial update: every key optional, unknown keys rejected, and no defaults filled in. (zod 4
 * applies a key's default inside `.partial()`, which turned a one-key PATCH into a reset of all others.)
 */
export const ConfigPatchSchema = z
  .object(
    Object.fromEntries(Object.entries(ConfigSchema.shape).map(([k, v]) => [k, v.unwrap().optional()])) as {
      [K in keyof ConfigShape]: z.ZodOptional<ReturnType<ConfigShape[K]['unwrap']>>;
    },
  )
  .strict();
export type ConfigPatch = z.infer<typeof ConfigPatchSchema>;

export const DEFAULT_CONFIG: OrchestratorConfig = ConfigSchema.parse({});
