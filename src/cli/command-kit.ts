/**
 * What every command shares: the `--project-dir` and `--json` options, help text with examples,
 * and the per-invocation context (project root, `.ve/` paths, daemon client, output).
 */
import type { Command } from 'commander';
import { type ProjectPaths, projectPaths } from '../config/paths.js';
import { DaemonClient } from './client.js';
import { type CliIo, printJson, printLines } from './output.js';
import { resolveProjectRoot } from './project.js';

export interface CommonOptions {
  projectDir?: string;
  json?: boolean;
}

export interface CommandContext {
  io: CliIo;
  root: string;
  paths: ProjectPaths;
  client: DaemonClient;
  json: boolean;
  /** prints `value` as JSON under --json, else the lines `human()` returns */
  emit(value: unknown, human: () => readonly string[]): void;
}

/**
 * Adds a leaf command with the common options and an "Examples:" help section. `examples` are
 * shell lines shown after the option list.
 */
export function leafCommand(
  parent: Command,
  spec: string,
  description: string,
  examples: readonly string[],
): Command {
  const cmd = parent.command(spec).description(description);
  cmd.option('--project-dir <dir>', 'project root (default: the git repository containing the cwd)');
  cmd.option('--json', 'print the result as JSON and nothing else on stdout');
  cmd.addHelpText('after', `\nExamples:\n${examples.map((e) => `  $ ${e}`).join('\n')}\n`);
  return cmd;
}

/** A parent command (`ve orch`, `ve chunk`, …) whose help lists examples too. */
export function groupCommand(
  parent: Command,
  name: string,
  description: string,
  examples: readonly string[],
) {
  const cmd = parent.command(name).description(description);
  cmd.addHelpText('after', `\nExamples:\n${examples.map((e) => `  $ ${e}`).join('\n')}\n`);
  return cmd;
}

export function commandContext(io: CliIo, opts: CommonOptions): CommandContext {
  const root = resolveProjectRoot(opts.projectDir, io.cwd);
  const paths = projectPaths(root);
  const json = opts.json === true;
  return {
    io,
    root,
    paths,
    client: new DaemonClient(paths.socket),
    json,
    emit(value, human) {
      if (json) printJson(io, value);
      else printLines(io, human());
    },
  };
}

/**
 * A command that only shows what the daemon answers for `path`: JSON under --json, else the lines
 * `render` makes of it (`ve orch attention`, `ve orch train`, `ve orch worktree list`, …).
 */
export function viewCommand<T>(
  parent: Command,
  io: CliIo,
  spec: { name: string; description: string; examples: readonly string[]; path: string },
  render: (value: T) => readonly string[],
): Command {
  return leafCommand(parent, spec.name, spec.description, spec.examples).action(
    async (opts: CommonOptions) => {
      const ctx = commandContext(io, opts);
      const value = await ctx.client.get<T>(spec.path);
      ctx.emit(value, () => render(value));
    },
  );
}
