/** `ve orch block|unblock|resolve|conflicts|analyze`: ordering between units and the conflict oracle. */
import type { Command } from 'commander';
import type { ConflictDto, ResolveRequest, WorkUnitDto } from '../../api/dto.js';
import { ErrorCode, OrchError } from '../../domain/errors.js';
import { choiceArg, chunkArg, chunkList } from '../args.js';
import { unitPath } from '../client.js';
import { type CommonOptions, commandContext, leafCommand } from '../command-kit.js';
import { renderAnalysis, renderConflicts } from '../format-orch.js';
import type { CliIo } from '../output.js';

const VERDICTS = ['parallelize', 'serialize'] as const;

export function registerDependencyCommands(orch: Command, io: CliIo): void {
  leafCommand(
    orch,
    'block <chunk>',
    'hold a unit back: until other units are DONE, or until you unblock it',
    [
      've orch block billing --on auth_login,db_schema',
      've orch block billing --reason "waiting for the API review"',
    ],
  )
    .option('--on <chunks>', 'comma-separated units that must be DONE first')
    .option('--reason <text>', 'why (shown in ps and the audit log)')
    .action(async (chunk: string, opts: CommonOptions & { on?: string; reason?: string }) => {
      const name = chunkArg(chunk);
      const blockedBy = opts.on === undefined ? undefined : chunkList(opts.on);
      if (blockedBy?.includes(name))
        throw new OrchError(ErrorCode.invalid_input, `'${name}' cannot block itself`);
      const ctx = commandContext(io, opts);
      const body: { blocked_by?: string[]; reason?: string } = {};
      if (blockedBy !== undefined) body.blocked_by = blockedBy;
      if (opts.reason !== undefined) body.reason = opts.reason;
      const unit = await ctx.client.post<WorkUnitDto>(unitPath(name, '/block'), body);
      ctx.emit(unit, () => [
        `${unit.chunk}: ${unit.status}${unit.blocked_by.length > 0 ? ` by ${unit.blocked_by.join(', ')}` : ''}`,
      ]);
    });

  leafCommand(orch, 'unblock <chunk>', 'release a blocked unit so it can be dispatched', [
    've orch unblock billing',
  ]).action(async (chunk: string, opts: CommonOptions) => {
    const name = chunkArg(chunk);
    const ctx = commandContext(io, opts);
    const unit = await ctx.client.post<WorkUnitDto>(unitPath(name, '/unblock'));
    ctx.emit(unit, () => [`${unit.chunk}: [${unit.phase}] ${unit.status}`]);
  });

  leafCommand(
    orch,
    'resolve <chunk> <verdict>',
    'decide a conflict between two units: parallelize (run both) or serialize (one after the other)',
    [
      've orch resolve billing --with auth_login serialize',
      've orch resolve billing --with auth_login parallelize',
    ],
  )
    .requiredOption('--with <other>', 'the other unit of the pair')
    .action(async (chunk: string, verdict: string, opts: CommonOptions & { with: string }) => {
      const name = chunkArg(chunk);
      const other = chunkArg(opts.with);
      if (other === name) throw new OrchError(ErrorCode.invalid_input, 'a unit cannot conflict with itself');
      const body: ResolveRequest = { other, verdict: choiceArg(verdict, VERDICTS, 'verdict') };
      const ctx = commandContext(io, opts);
      const res = await ctx.client.post<{
        chunk: string;
        other: string;
        verdict: string;
        blocked_by: string[];
      }>(unitPath(name, '/resolve'), body);
      ctx.emit(res, () => [
        `Resolved: ${res.chunk} vs ${res.other} -> ${res.verdict}`,
        `  Blocked by: ${res.blocked_by.length > 0 ? res.blocked_by.join(', ') : '-'}`,
      ]);
    });

  leafCommand(orch, 'conflicts [chunk]', 'conflict analyses between units (verdict, confidence, overlaps)', [
    've orch conflicts',
    've orch conflicts billing --unresolved',
  ])
    .option('--unresolved', 'only pairs waiting for your decision')
    .action(async (chunk: string | undefined, opts: CommonOptions & { unresolved?: boolean }) => {
      const name = chunk === undefined ? undefined : chunkArg(chunk);
      const ctx = commandContext(io, opts);
      const res = await ctx.client.get<{ conflicts: ConflictDto[]; count: number }>('/api/conflicts', {
        chunk: name,
        unresolved: opts.unresolved ? 'true' : undefined,
      });
      ctx.emit(res, () =>
        renderConflicts(io, res.conflicts, { chunk: name, unresolved: opts.unresolved === true }),
      );
    });

  leafCommand(orch, 'analyze <a> <b>', 'run the conflict oracle on two units now', [
    've orch analyze billing auth_login',
  ]).action(async (a: string, b: string, opts: CommonOptions) => {
    const first = chunkArg(a);
    const second = chunkArg(b);
    if (first === second) throw new OrchError(ErrorCode.invalid_input, 'analyze needs two different chunks');
    const ctx = commandContext(io, opts);
    const res = await ctx.client.post<ConflictDto>('/api/conflicts/analyze', { a: first, b: second });
    ctx.emit(res, () => renderAnalysis(res));
  });
}
