/** `ve orch start|stop|status|url`: the daemon's lifecycle, and what the CLI can see of it. */
import type { Command } from 'commander';
import type { StatusDto } from '../../api/dto.js';
import { ErrorCode, isOrchError, OrchError } from '../../domain/errors.js';
import { intArg } from '../args.js';
import { NOT_RUNNING_MESSAGE } from '../client.js';
import { type CommandContext, type CommonOptions, commandContext, leafCommand } from '../command-kit.js';
import { startDaemon, stopDaemon } from '../daemon-control.js';
import { dashboardUrl, runningDaemonPid } from '../daemon-process.js';
import { renderStatus, stoppedStatus } from '../format-orch.js';
import { type CliIo, printWarning } from '../output.js';

export function registerDaemonCommands(orch: Command, io: CliIo): void {
  leafCommand(orch, 'start', 'start the orchestrator daemon for this project and print the dashboard URL', [
    've orch start',
    've orch start --port 8765',
  ])
    .option('--port <n>', 'TCP port of the dashboard on 127.0.0.1 (0 = any free port)')
    .action(async (opts: CommonOptions & { port?: string }) => {
      const port = opts.port === undefined ? undefined : intArg(opts.port, '--port', { min: 0, max: 65535 });
      const ctx = commandContext(io, opts);
      const res = await startDaemon(ctx.paths, port === undefined ? {} : { port });
      // a refused prompt override is said now, not first when its phase runs
      const problems = (await fetchStatus(ctx)).prompts?.problems ?? [];
      for (const p of problems) printWarning(io, `prompt override refused: ${p.message}`);
      ctx.emit({ started: true, pid: res.pid, url: res.url, prompt_problems: problems }, () => [
        `Orchestrator started (pid ${res.pid})`,
        `Dashboard: ${res.url ?? '(port file missing; try: ve orch url)'}`,
      ]);
    });

  leafCommand(orch, 'stop', 'stop the daemon gracefully (running phases are interrupted and resumable)', [
    've orch stop',
  ]).action(async (opts: CommonOptions) => {
    const ctx = commandContext(io, opts);
    const res = await stopDaemon(ctx.paths);
    ctx.emit({ stopped: res.wasRunning, pid: res.pid, killed: res.killed }, () => {
      if (!res.wasRunning) return ['Orchestrator is not running'];
      return [
        res.killed
          ? `Orchestrator stopped (pid ${res.pid} did not exit in time and was killed)`
          : 'Orchestrator stopped',
      ];
    });
  });

  leafCommand(orch, 'status', 'show whether the daemon runs, its uptime, unit counts, agents and cost', [
    've orch status',
    've orch status --json',
  ]).action(async (opts: CommonOptions) => {
    const ctx = commandContext(io, opts);
    const status = await fetchStatus(ctx);
    const url = status.running ? dashboardUrl(ctx.paths) : null;
    ctx.emit(status, () => {
      if (!status.running && status.pid !== null) {
        return [`Status: not responding (pid ${status.pid} is alive but its socket does not answer)`];
      }
      return renderStatus(io, status, url, Date.now());
    });
  });

  leafCommand(orch, 'url', 'print the dashboard URL (with its access token)', [
    've orch url',
    'xdg-open "$(ve orch url)"',
  ]).action((opts: CommonOptions) => {
    const ctx = commandContext(io, opts);
    if (runningDaemonPid(ctx.paths) === null) throw new OrchError(ErrorCode.not_running, NOT_RUNNING_MESSAGE);
    const url = dashboardUrl(ctx.paths);
    if (url === null) {
      throw new OrchError(
        ErrorCode.not_running,
        `could not read ${ctx.paths.port} or ${ctx.paths.token}; the daemon may still be starting`,
      );
    }
    ctx.emit({ url }, () => [url]);
  });
}

/** The daemon's status, or a "stopped" status when it does not answer. */
async function fetchStatus(ctx: CommandContext): Promise<StatusDto> {
  try {
    return await ctx.client.get<StatusDto>('/api/status');
  } catch (e) {
    if (!isOrchError(e, ErrorCode.not_running)) throw e;
    return stoppedStatus(ctx.root, runningDaemonPid(ctx.paths));
  }
}
