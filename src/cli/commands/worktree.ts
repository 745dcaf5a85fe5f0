/** `ve orch worktree list|remove|prune`: the units' git worktrees under .ve/chunks/<c>/worktree. */
import type { Command } from 'commander';
import type { WorktreeListDto } from '../../api/dto.js';
import { chunkArg } from '../args.js';
import {
  type CommonOptions,
  commandContext,
  groupCommand,
  leafCommand,
  viewCommand,
} from '../command-kit.js';
import { renderWorktrees } from '../format-orch.js';
import type { CliIo } from '../output.js';

export function registerWorktree(orch: Command, io: CliIo): void {
  const wt = groupCommand(orch, 'worktree', "list and clean up units' worktrees", [
    've orch worktree list',
    've orch worktree prune',
  ]);

  viewCommand<WorktreeListDto>(
    wt,
    io,
    {
      name: 'list',
      description: 'worktrees with their branch and unmerged commit count',
      examples: ['ve orch worktree list', 've orch worktree list --json'],
      path: '/api/worktrees',
    },
    (res) => renderWorktrees(io, res),
  );

  leafCommand(
    wt,
    'remove <chunk>',
    "remove a unit's worktree (and its branch unless --keep-branch); no merge",
    ['ve orch worktree remove auth_login', 've orch worktree remove auth_login --force --keep-branch'],
  )
    .option('--force', 'remove even if the branch has unmerged commits')
    .option('--keep-branch', 'keep branch orch/<chunk>')
    .action(async (chunk: string, opts: CommonOptions & { force?: boolean; keepBranch?: boolean }) => {
      const name = chunkArg(chunk);
      const ctx = commandContext(io, opts);
      const res = await ctx.client.delete<{ chunk: string; removed: boolean }>(
        `/api/worktrees/${encodeURIComponent(name)}`,
        { force: opts.force ? 'true' : undefined, keep_branch: opts.keepBranch ? 'true' : undefined },
      );
      ctx.emit(res, () => [
        `Removed worktree for ${res.chunk} (branch ${opts.keepBranch ? 'kept' : 'removed'})`,
      ]);
    });

  leafCommand(wt, 'prune', 'remove worktrees of units that are DONE or gone', [
    've orch worktree prune',
    've orch worktree prune --force',
  ])
    .option('--force', 'also remove worktrees whose branches have unmerged commits')
    .action(async (opts: CommonOptions & { force?: boolean }) => {
      const ctx = commandContext(io, opts);
      const res = await ctx.client.post<{ removed: string[]; kept: { chunk: string; reason: string }[] }>(
        '/api/worktrees/prune',
        { force: opts.force === true },
      );
      ctx.emit(res, () => {
        const lines = [
          'Pruned:',
          ...(res.removed.length > 0 ? res.removed.map((c) => `  ${c}`) : ['  (none)']),
        ];
        if (res.kept.length > 0) lines.push('Kept:', ...res.kept.map((k) => `  ${k.chunk}: ${k.reason}`));
        return lines;
      });
    });
}
