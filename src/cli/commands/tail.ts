/** `ve orch tail <chunk> [-f]`: a unit's agent logs, read from .ve/chunks/<c>/log/ (no daemon needed). */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { ErrorCode, OrchError } from '../../domain/errors.js';
import type { LogStream } from '../../domain/work-unit.js';
import { chunkArg } from '../args.js';
import { type CommonOptions, commandContext, leafCommand } from '../command-kit.js';
import { formatEvent, parseLogLine, phaseHeader } from '../format-log.js';
import { type LogLine, PhaseLogFollower } from '../log-follower.js';
import { type CliIo, printLines } from '../output.js';

const FOLLOW_POLL_MS = 150;

export function registerTail(orch: Command, io: CliIo): void {
  leafCommand(orch, 'tail <chunk>', "print a unit's agent log, phase by phase; -f keeps following", [
    've orch tail auth_login',
    've orch tail auth_login -f',
    've orch tail auth_login --json | jq -r "select(.type==\\"tool_call\\") | .name"',
  ])
    .option('-f, --follow', 'keep printing new events (and new phases) until Ctrl-C')
    .action(async (chunk: string, opts: CommonOptions & { follow?: boolean }) => {
      const name = chunkArg(chunk);
      const ctx = commandContext(io, opts);
      const follower = new PhaseLogFollower((phase) => ctx.paths.phaseLog(name, phase));
      const printer = new LogPrinter(io, ctx.json);
      if ((await follower.existingPhases()).length === 0) {
        const known =
          existsSync(ctx.paths.chunkStateDir(name)) ||
          existsSync(join(ctx.paths.chunksDocDir, name, 'GOAL.md'));
        if (!opts.follow || !known) {
          throw new OrchError(
            ErrorCode.not_found,
            `No logs yet for chunk '${name}'. The work unit may not have started.`,
          );
        }
        io.err(`Waiting for the first log of '${name}' (Ctrl-C to stop)...\n`);
      }
      printer.print(await follower.readNew());
      if (!opts.follow) return;
      await followUntilInterrupted(follower, printer);
    });
}

/** Polls for appended lines until SIGINT/SIGTERM; returns normally so the exit code is 0. */
async function followUntilInterrupted(follower: PhaseLogFollower, printer: LogPrinter): Promise<void> {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    while (!stop.signal.aborted) {
      try {
        await sleep(FOLLOW_POLL_MS, undefined, { signal: stop.signal });
      } catch (e) {
        if (stop.signal.aborted) break;
        throw e;
      }
      printer.print(await follower.readNew());
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Prints log lines with a header whenever the phase changes (a phase may run again later). */
class LogPrinter {
  private lastPhase: LogStream | null = null;

  constructor(
    private readonly io: CliIo,
    private readonly json: boolean,
  ) {}

  print(lines: readonly LogLine[]): void {
    const out: string[] = [];
    for (const { phase, line } of lines) {
      const event = parseLogLine(line);
      if (this.json) {
        out.push(JSON.stringify(event ? { phase, ...event } : { phase, type: 'unparsed', line }));
        continue;
      }
      if (phase !== this.lastPhase) {
        if (this.lastPhase !== null) out.push('');
        out.push(phaseHeader(this.io, phase, event?.at));
        this.lastPhase = phase;
      }
      out.push(event ? formatEvent(this.io, event) : `         ${line}`);
    }
    printLines(this.io, out);
  }
}
