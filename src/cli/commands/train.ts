/** `ve orch train` and `ve orch land`: the landing train, and the operator's override on it. */
import type { Command } from 'commander';
import type { TrainSnapshot, WorkUnitDto } from '../../api/dto.js';
import { ErrorCode, OrchError } from '../../domain/errors.js';
import { chunkArg } from '../args.js';
import { unitPath } from '../client.js';
import { type CommonOptions, commandContext, leafCommand, viewCommand } from '../command-kit.js';
import { renderTrain } from '../format-train.js';
import type { CliIo } from '../output.js';

export function registerTrainCommands(orch: Command, io: CliIo): void {
  viewCommand<TrainSnapshot>(
    orch,
    io,
    {
      name: 'train',
      description:
        'show the landing train: units waiting to land, the tree each is verified on, and how it went',
      examples: ['ve orch train', 've orch train --json | jq ".entries[] | {chunk, state}"'],
      path: '/api/train',
    },
    (train) => renderTrain(io, train),
  );

  leafCommand(
    orch,
    'land <chunk>',
    'land a unit whose verification failed WITHOUT verifying it (an explicit, audited override)',
    ['ve orch land auth_login --unverified'],
  )
    .option('--unverified', 'required: you accept that this unit lands although its verification failed')
    .option('--by <name>', 'who decides, for the audit trail', process.env.USER ?? 'operator')
    .action(async (chunk: string, opts: CommonOptions & { unverified?: boolean; by: string }) => {
      const name = chunkArg(chunk);
      if (!opts.unverified) {
        throw new OrchError(
          ErrorCode.invalid_input,
          `landing '${name}' skips its verification: say so with --unverified (or retry it to verify again)`,
        );
      }
      const ctx = commandContext(io, opts);
      const unit = await ctx.client.post<WorkUnitDto>(unitPath(name, '/land'), {
        unverified: true,
        by: `${opts.by} (cli)`,
      });
      ctx.emit(unit, () => [`${unit.chunk}: back in the landing train; it lands WITHOUT verification`]);
    });
}
