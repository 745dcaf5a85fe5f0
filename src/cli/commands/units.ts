/** `ve orch ps|queue|inject|prioritize`: listing work units and putting chunks into the pipeline. */
import type { Command } from 'commander';
import type {
  ConfigDto,
  HostListDto,
  InjectRequest,
  InjectResponse,
  TrainSnapshot,
  UnitListDto,
  UnitPageDto,
  WorkUnitDto,
} from '../../api/dto.js';
import { ErrorCode, OrchError } from '../../domain/errors.js';
import { chunkArg, chunkArgs, intArg, phaseArg, statusArg } from '../args.js';
import { unitPath } from '../client.js';
import { type CommonOptions, commandContext, leafCommand } from '../command-kit.js';
import {
  collapseWarnings,
  type PsQuery,
  renderInjected,
  renderNextPage,
  renderQueue,
  renderUnitTable,
} from '../format-units.js';
import { type CliIo, printWarning } from '../output.js';

/** the API's accepted range (api/routes/units.ts) */
const PRIORITY_RANGE = { min: -1_000_000, max: 1_000_000 };
/** the API's accepted page size (api/routes/units.ts) */
const LIMIT_RANGE = { min: 1, max: 10_000 };

type PsOptions = CommonOptions & { status?: string; active?: boolean; limit?: string; after?: string };

/** Validates ps's flags locally, before any request. */
function psQuery(opts: PsOptions): PsQuery {
  const q: PsQuery = {};
  if (opts.status !== undefined) q.status = statusArg(opts.status);
  if (opts.active) {
    if (q.status) throw new OrchError(ErrorCode.invalid_input, 'use either --status or --active, not both');
    q.active = true;
  }
  if (opts.limit !== undefined) q.limit = intArg(opts.limit, '--limit', LIMIT_RANGE);
  if (opts.after !== undefined) q.after = chunkArg(opts.after);
  return q;
}

export function registerUnitCommands(orch: Command, io: CliIo): void {
  leafCommand(orch, 'ps', 'list work units: phase, status, what blocks them, cost, and why they need you', [
    've orch ps',
    've orch ps --status NEEDS_ATTENTION',
    've orch ps --active',
    've orch ps --limit 100',
    've orch ps --limit 100 --after auth_login',
  ])
    .option(
      '--status <status>',
      'only units with this status (READY, RUNNING, BLOCKED, NEEDS_ATTENTION, VERIFYING, DONE)',
    )
    .option('--active', 'only units not DONE yet')
    .option('--limit <n>', 'at most this many units (1-10000); the last line shows the next page')
    .option('--after <chunk>', 'only units after this one in created order (the next page)')
    .action(async (opts: PsOptions) => {
      const q = psQuery(opts);
      const ctx = commandContext(io, opts);
      const [res, config] = await Promise.all([
        ctx.client.get<UnitPageDto>('/api/work-units', { ...q }),
        ctx.client.get<ConfigDto>('/api/config'),
      ]);
      const positions = new Map<string, number>();
      if (res.work_units.some((u) => u.status === 'VERIFYING')) {
        const train = await ctx.client.get<TrainSnapshot>('/api/train');
        for (const e of train.entries) positions.set(e.chunk, e.position);
      }
      // the pool, to say which units wait for their host
      const hosts = res.work_units.some((u) => u.host !== null && u.host !== 'local')
        ? (await ctx.client.get<HostListDto>('/api/hosts')).hosts
        : [];
      const withPositions = {
        ...res,
        work_units: res.work_units.map((u) =>
          positions.has(u.chunk) ? { ...u, train_position: positions.get(u.chunk) } : u,
        ),
      };
      ctx.emit(withPositions, () => [
        ...renderUnitTable(io, res.work_units, { trainPositions: positions, limits: config, hosts }),
        ...renderNextPage(res, q),
      ]);
    });

  leafCommand(orch, 'queue', 'show READY units in the order they will be dispatched', [
    've orch queue',
  ]).action(async (opts: CommonOptions) => {
    const ctx = commandContext(io, opts);
    const res = await ctx.client.get<UnitListDto>('/api/work-units/queue');
    ctx.emit(res, () => renderQueue(io, res.work_units));
  });

  leafCommand(
    orch,
    'inject <chunk...>',
    'turn chunks into work units (sorted by depends_on; all or nothing)',
    [
      've orch inject auth_login auth_logout',
      've orch inject docs/chunks/billing --phase IMPLEMENT --priority 5 --retain',
    ],
  )
    .option('--phase <phase>', 'start at this phase instead of the one the chunk documents imply')
    .option('--priority <n>', 'dispatch priority, higher first (integer, default 0)')
    .option('--retain', 'keep the worktree after the merge')
    .action(
      async (
        chunks: string[],
        opts: CommonOptions & { phase?: string; priority?: string; retain?: boolean },
      ) => {
        const body: InjectRequest = { chunks: chunkArgs(chunks) };
        if (opts.phase !== undefined) body.phase = phaseArg(opts.phase);
        if (opts.priority !== undefined) body.priority = intArg(opts.priority, '--priority', PRIORITY_RANGE);
        if (opts.retain) body.retain = true;
        const ctx = commandContext(io, opts);
        const res = await ctx.client.post<InjectResponse>('/api/work-units/inject', body);
        if (!ctx.json) for (const w of collapseWarnings(res.warnings)) printWarning(io, w);
        ctx.emit(res, () => renderInjected(res));
      },
    );

  leafCommand(orch, 'prioritize <chunk> <priority>', "set a unit's dispatch priority (higher runs first)", [
    've orch prioritize auth_login 10',
    've orch prioritize auth_login -- -1',
  ]).action(async (chunk: string, priority: string, opts: CommonOptions) => {
    const name = chunkArg(chunk);
    const value = intArg(priority, 'priority', PRIORITY_RANGE);
    const ctx = commandContext(io, opts);
    const unit = await ctx.client.patch<WorkUnitDto>(unitPath(name, '/priority'), { priority: value });
    ctx.emit(unit, () => [`${unit.chunk}: priority set to ${unit.priority}`]);
  });
}
