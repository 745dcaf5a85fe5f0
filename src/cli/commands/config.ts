/**
 * `ve orch config`: show the daemon's configuration, or change keys (applied to the running daemon).
 * The `--<key>` flags come from ConfigSchema, which pulls in zod: they are added only when `config`
 * itself is about to run, so every other command starts without loading it.
 */
import type { Command } from 'commander';
import type { ConfigDto } from '../../api/dto.js';
import { type CommonOptions, commandContext, leafCommand } from '../command-kit.js';
import type { ConfigOptionSpec } from '../config-options.js';
import { renderConfig } from '../format-orch.js';
import type { CliIo } from '../output.js';

/** option names the common options already use; a config key with one of these names gets no flag */
const RESERVED = new Set(['json', 'project_dir']);

export function registerConfig(orch: Command, io: CliIo): void {
  const cmd = leafCommand(orch, 'config', 'show the configuration, or change it with --<key> <value>', [
    've orch config',
    've orch config --max-agents 4 --stall-timeout-seconds 600',
    've orch config --model none   # back to the default model',
  ]);
  let specs: ConfigOptionSpec[] | null = null;
  const addConfigFlags = async () => {
    if (specs) return;
    const { configOptionSpecs } = await import('../config-options.js');
    specs = configOptionSpecs().filter((s) => !RESERVED.has(s.key));
    for (const spec of specs) cmd.option(spec.flag, spec.description);
  };
  orch.hook('preSubcommand', async (_orch, sub) => {
    if (sub === cmd) await addConfigFlags();
  });
  cmd.action(async (opts: CommonOptions & Record<string, unknown>) => {
    await addConfigFlags();
    const { configPatchFromOptions } = await import('../config-options.js');
    const patch = configPatchFromOptions(specs ?? [], opts);
    const changed = Object.keys(patch);
    const ctx = commandContext(io, opts);
    const config =
      changed.length === 0
        ? await ctx.client.get<ConfigDto>('/api/config')
        : await ctx.client.patch<ConfigDto>('/api/config', patch);
    ctx.emit(config, () => renderConfig(config, changed));
  });
}
