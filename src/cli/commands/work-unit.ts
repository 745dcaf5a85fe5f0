/** `ve orch work-unit show|status|delete|history`: one unit in detail, and the operator's overrides. */
import type { Command } from 'commander';
import type { ConfigDto, HistoryDto, WorkUnitDto } from '../../api/dto.js';
import { chunkArg, phaseArg, statusArg } from '../args.js';
import { unitPath } from '../client.js';
import { type CommonOptions, commandContext, groupCommand, leafCommand } from '../command-kit.js';
import { renderHistory, renderUnitDetails } from '../format-units.js';
import type { CliIo } from '../output.js';

export function registerWorkUnit(orch: Command, io: CliIo): void {
  const wu = groupCommand(orch, 'work-unit', 'inspect or override one work unit', [
    've orch work-unit show auth_login',
    've orch work-unit status auth_login DONE',
  ]);

  leafCommand(wu, 'show <chunk>', 'every field of a unit: attention, question, worktree, cost and tokens', [
    've orch work-unit show auth_login',
    've orch work-unit show auth_login --json',
  ]).action(async (chunk: string, opts: CommonOptions) => {
    const name = chunkArg(chunk);
    const ctx = commandContext(io, opts);
    const [unit, config] = await Promise.all([
      ctx.client.get<WorkUnitDto>(unitPath(name)),
      ctx.client.get<ConfigDto>('/api/config'),
    ]);
    ctx.emit(unit, () => renderUnitDetails(io, unit, config));
  });

  leafCommand(
    wu,
    'status <chunk> [new_status]',
    "show a unit's status, or force a new one (audited as forced)",
    [
      've orch work-unit status auth_login',
      've orch work-unit status auth_login DONE --reason "merged by hand"',
      've orch work-unit status auth_login READY --phase IMPLEMENT',
    ],
  )
    .option('--phase <phase>', 'also move the unit to this phase')
    .option('--reason <text>', 'why (kept in the audit log)')
    .action(
      async (
        chunk: string,
        newStatus: string | undefined,
        opts: CommonOptions & { phase?: string; reason?: string },
      ) => {
        const name = chunkArg(chunk);
        const status = newStatus === undefined ? undefined : statusArg(newStatus);
        const phase = opts.phase === undefined ? undefined : phaseArg(opts.phase);
        const ctx = commandContext(io, opts);
        const before = await ctx.client.get<WorkUnitDto>(unitPath(name));
        if (status === undefined && phase === undefined) {
          ctx.emit(before, () => [`${before.chunk}: [${before.phase}] ${before.status}`]);
          return;
        }
        const body: Record<string, unknown> = { status: status ?? before.status };
        if (phase !== undefined) body.phase = phase;
        if (opts.reason !== undefined) body.reason = opts.reason;
        const after = await ctx.client.patch<WorkUnitDto>(unitPath(name, '/status'), body);
        ctx.emit(after, () => [
          `${after.chunk}: [${before.phase}] ${before.status} -> [${after.phase}] ${after.status} (forced)`,
        ]);
      },
    );

  leafCommand(wu, 'delete <chunk>', 'delete a unit (a running phase is stopped first)', [
    've orch work-unit delete auth_login',
    've orch work-unit delete auth_login --force   # even with unmerged commits on orch/auth_login',
  ])
    .option('--force', 'delete even if its branch has unmerged commits')
    .action(async (chunk: string, opts: CommonOptions & { force?: boolean }) => {
      const name = chunkArg(chunk);
      const ctx = commandContext(io, opts);
      const res = await ctx.client.delete<{ deleted: boolean; chunk: string }>(unitPath(name), {
        force: opts.force ? 'true' : undefined,
      });
      ctx.emit(res, () => [`Deleted work unit: ${res.chunk}`]);
    });

  leafCommand(
    wu,
    'history <chunk>',
    'status changes, questions and answers, and phase runs with their cost',
    ['ve orch work-unit history auth_login'],
  ).action(async (chunk: string, opts: CommonOptions) => {
    const name = chunkArg(chunk);
    const ctx = commandContext(io, opts);
    const history = await ctx.client.get<HistoryDto>(unitPath(name, '/history'));
    ctx.emit(history, () => renderHistory(io, history));
  });
}
