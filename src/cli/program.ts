/**
 * Builds the `ve` command tree. `createProgram(io)` parses nothing and exits nothing, so tests can
 * inspect and run it in-process; `runCli(argv, io)` parses and returns the exit code.
 */
import { Command } from 'commander';
import { packageVersion } from '../config/version.js';
import { groupCommand } from './command-kit.js';
import { registerAttentionCommands } from './commands/attention.js';
import { registerChunk } from './commands/chunk.js';
import { registerConfig } from './commands/config.js';
import { registerDependencyCommands } from './commands/dependencies.js';
import { registerHostCommands } from './commands/hosts.js';
import { registerInit } from './commands/init.js';
import { registerDaemonCommands } from './commands/orch-daemon.js';
import { registerTail } from './commands/tail.js';
import { registerTrainCommands } from './commands/train.js';
import { registerUnitCommands } from './commands/units.js';
import { registerWorkUnit } from './commands/work-unit.js';
import { registerWorktree } from './commands/worktree.js';
import { type CliIo, reportError } from './output.js';

export function createProgram(io: CliIo): Command {
  const program = new Command('ve')
    .description('Run many AI coding agents in parallel on one git repository')
    .version(packageVersion(), '-V, --version')
    .showSuggestionAfterError()
    .configureOutput(outputConfig(io))
    .exitOverride();
  program.addHelpText(
    'after',
    '\nExamples:\n  $ ve init\n  $ ve chunk create auth_login --future\n  $ ve orch start\n  $ ve orch inject auth_login\n  $ ve orch attention\n',
  );
  registerInit(program, io);
  registerChunk(program, io);
  const orch = groupCommand(program, 'orch', 'control the orchestrator daemon and its work units', [
    've orch start',
    've orch ps',
    've orch attention',
  ]);
  registerDaemonCommands(orch, io);
  registerUnitCommands(orch, io);
  registerWorkUnit(orch, io);
  registerAttentionCommands(orch, io);
  registerDependencyCommands(orch, io);
  registerConfig(orch, io);
  registerTail(orch, io);
  registerTrainCommands(orch, io);
  registerWorktree(orch, io);
  registerHostCommands(orch, io);
  // every command inherits output routing and exitOverride, so errors come back to runCli
  for (const cmd of allCommands(program)) {
    cmd.configureOutput(outputConfig(io)).exitOverride();
  }
  return program;
}

/**
 * Commander's own messages go through io; its usage errors read like ours: one `ve: ...` line, with a
 * "(Did you mean --json?)" suggestion folded into it.
 */
function outputConfig(io: CliIo) {
  return {
    writeOut: (s: string) => io.out(s),
    writeErr: (s: string) => io.err(s),
    outputError: (s: string, write: (s: string) => void) =>
      write(
        `ve: ${s
          .replace(/^error: /, '')
          .trim()
          .replace(/\s*\n\s*/g, ' ')}\n`,
      ),
  };
}

/** The command and all its descendants, depth first. */
export function allCommands(root: Command): Command[] {
  return [root, ...root.commands.flatMap((c) => allCommands(c))];
}

/** Parses `argv` (user arguments only, no node/script prefix) and returns the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const program = createProgram(io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (e) {
    return reportError(io, e);
  }
}
