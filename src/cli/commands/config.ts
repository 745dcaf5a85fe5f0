/** `ve orch config`: show the daemon's configuration, or change keys (applied to the running daemon). */
import type { Command } from 'commander';
import type { ConfigDto } from '../../api/dto.js';
import { type CommonOptions, commandContext, leafCommand } from '../command-kit.js';
import { configOptionSpecs, configPatchFromOptions } from '../config-options.js';
import { renderConfig } from '../format-orch.js';
import type { CliIo } from '../output.js';

/** option names the common options already use; a config key with one of these names gets no flag */
const RESERVED = new Set(['json', 'project_dir']);

export function registerConfig(orch: Command, io: CliIo): void {
  const specs = configOptionSpecs().filter((s) => !RESERVED.has(s.key));
  const cmd = leafCommand(orch, 'config', 'show the configuration, or change it with --<key> <value>', [
    've orch config',
    've orch config --max-agents 4 --stall-timeout-seconds 600',
    've orch config --model none   # back to the default model',
  ]);
  for (const spec of specs) cmd.option(spec.flag, spec.description);
  cmd.action(async (opts: CommonOptions & Record<string, unknown>) => {
    const patch = configPatchFromOptions(specs, opts);
    const changed = Object.keys(patch);
    const ctx = commandContext(io, opts);
    const config =
      changed.length === 0
        ? await ctx.client.get<ConfigDto>('/api/config')
        : await ctx.client.patch<ConfigDto>('/api/config', patch);
    ctx.emit(config, () => renderConfig(config, changed));
  });
}
