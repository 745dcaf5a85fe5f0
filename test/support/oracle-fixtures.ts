/**
 * Realistic chunk pairs for the oracle's table-driven tests: goals and plans as agents write them for
 * an orchestrator code base, template headings and hint comments left in place.
 */
import type { GoalSpec, PlanSpec } from './chunk-docs.js';

export const FIXTURE_CHUNKS: Record<string, { goal: GoalSpec; plan: PlanSpec | null }> = {
  rate_limit: {
    goal: {
      status: 'IMPLEMENTING',
      code_paths: ['src/api/rate-limit.ts', 'src/api/server.ts'],
      goal: 'Add per-client rate limiting to the HTTP API so a runaway dashboard tab cannot starve the daemon. Requests over budget get 429 with a Retry-After header.',
      criteria: [
        'A client sending 100 requests per second gets 429 after its burst',
        'The limit is a config key',
      ],
    },
    plan: {
      approach: 'A token bucket middleware in front of the Hono app, keyed by the bearer token.',
      steps: [
        'Write the bucket.\n   Location: src/api/rate-limit.ts#tokenBucket',
        'Mount it before the routes.\n   Location: src/api/server.ts#createApp',
        'Add `api_requests_per_minute`.\n   Location: src/config/schema.ts#ConfigSchema',
      ],
    },
  },
  cost_column: {
    goal: {
      code_paths: ['src/dashboard/'],
      goal: "Show each unit's cost in the dashboard grid and a running total in the header, so the operator sees spend at a glance.",
    },
    plan: {
      approach: 'Render the existing cost_usd field; sum it client-side.',
      steps: [
        'Location: src/dashboard/unit-grid.js#UnitGrid',
        'Location: src/dashboard/header.js#TotalCost',
        'Expose the field.\n   Location: src/api/dto.ts#toUnitDto',
      ],
    },
  },
  ready_queue_aging: {
    goal: {
      goal: 'Age READY units so low-priority work is not starved forever by a stream of urgent chunks.',
    },
    plan: {
      approach: 'Add an age bonus to the ready ordering.',
      steps: [
        'Location: src/scheduler/ready-queue.ts#orderReady',
        'Location: src/domain/ready-order.ts#compareReady',
      ],
    },
  },
  dispatch_backoff: {
    goal: {
      goal: 'Skip units whose next_retry_at is in the future without scanning the whole queue each pass.',
    },
    plan: {
      approach: 'Keep a min-heap of retry times beside the queue.',
      steps: [
        'Location: src/scheduler/ready-queue.ts#dueForRetry',
        'Location: src/runner/backoff.ts#nextRetryAt',
      ],
    },
  },
  transition_audit: {
    goal: {
      goal: 'Record the actor of every status change in the audit log, so the history answers who did it.',
    },
    plan: {
      approach: 'Thread the actor through the transition and store it in status_log.',
      steps: [
        'Location: `src/store/sqlite-store.ts#SqliteStore::transition`',
        'Location: src/store/rows.ts#toAuditRow',
      ],
    },
  },
  optimistic_retry: {
    goal: { goal: 'Retry a stale write once with a fresh read before surfacing a conflict to the caller.' },
    plan: {
      approach: 'Wrap the store with a retrying decorator.',
      steps: [
        'Wrap every write.\n   Location: src/store/sqlite-store.ts#SqliteStore',
        'Location: src/units/unit-service.ts#retryOnStale',
      ],
    },
  },
  config_reload: {
    goal: { goal: 'Apply config changes to the running daemon without a restart.' },
    plan: {
      approach: 'Publish config_changed and let each service re-read.',
      steps: ['Location: src/config/schema.ts#ConfigSchema', 'Location: src/daemon/main.ts#startDaemon'],
    },
  },
  webhook_notify: {
    goal: {
      goal: 'Send a POST to the configured loopback webhook when an attention item is raised, with retries, so the operator learns about it without watching the dashboard. The orchestrator currently leaves notification alone.',
      criteria: ['A local HTTP listener receives the item as JSON within a second'],
      outOfScope: 'Email and chat integrations.',
    },
    plan: null,
  },
  worktree_prune: {
    goal: {
      goal: 'Prune worktrees whose branch already landed, from the CLI, listing what would go before deleting. The orchestrator currently leaves them alone after a retained merge.',
      criteria: ['`ve worktree prune --dry-run` lists and deletes nothing'],
      outOfScope: 'Branches with unmerged commits.',
    },
    plan: null,
  },
  prompt_rename: {
    goal: { goal: 'Split prompt assembly out of the runner into its own builder module.' },
    plan: {
      approach: 'Move the file, then update the one caller.',
      steps: [
        'Rename.\n   Location: `src/runner/prompt.ts` -> `src/runner/prompt-builder.ts`',
        'Location: src/runner/run-phase.ts#runPhase',
      ],
    },
  },
  prompt_sections: {
    goal: { goal: 'Name the chunk in every phase prompt header.' },
    plan: { approach: 'One new section.', steps: ['Location: src/runner/prompt.ts#renderSections'] },
  },
  prompt_cache: {
    goal: { goal: 'Cache rendered prompt templates across phases.' },
    plan: {
      approach: 'Memoize by template path.',
      steps: ['Location: ./src/runner/prompt-builder.ts#buildPrompt'],
    },
  },
  api_auth: {
    goal: {
      code_paths: ['src/api/server.ts', 'src/api/auth.ts', 'src/api/errors.ts'],
      goal: 'Require the bearer token on the TCP listener and check Host and Origin headers.',
    },
    plan: null,
  },
  api_errors: {
    goal: {
      code_paths: ['src/api/errors.ts', './src/api/server.ts', 'src/api/auth.ts'],
      goal: 'Map every failure to a typed error body with a stable code.',
    },
    plan: null,
  },
  api_metrics: {
    goal: { code_paths: ['src/api/server.ts'], goal: 'Serve Prometheus counters at /metrics.' },
    plan: null,
  },
  api_docs: {
    goal: { code_paths: ['src/api/'], goal: 'Generate OpenAPI from the route table.' },
    plan: null,
  },
  stall_detect: {
    goal: {
      goal: 'Interrupt a phase when `stall_timeout_seconds` passes without an agent event, via `AgentBackend.interrupt`.',
    },
    plan: null,
  },
  stall_notify: {
    goal: {
      goal: 'Raise a STALLED attention item with the last event time once stall_timeout_seconds elapses; reuse AgentBackend.interrupt.',
    },
    plan: null,
  },
  done_store: {
    goal: {
      status: 'ACTIVE',
      goal: 'Guarded transitions in the store.',
      code_references: [
        'src/store/sqlite-store.ts#SqliteStore::transition',
        'src/domain/transitions.ts#applyEvent',
      ],
    },
    plan: null,
  },
  done_store_get: {
    goal: {
      status: 'ACTIVE',
      goal: 'Unit reads.',
      code_references: ['src/store/sqlite-store.ts#SqliteStore::get', 'src/store/rows.ts#fromUnitRow'],
    },
    plan: null,
  },
  done_domain: {
    goal: { status: 'ACTIVE', goal: 'Transition table.', code_references: ['src/domain/transitions.ts'] },
    plan: null,
  },
  empty: { goal: { goal: '' }, plan: null },
};
