/** `ve orch hosts …`: the machines agents run on (docs/hosts.md). */
import type { Command } from 'commander';
import type {
  AddHostDto,
  AddHostRequestDto,
  HostChecksDto,
  HostDto,
  HostListDto,
  RemoveHostDto,
} from '../../api/dto.js';
import { assertHostName } from '../../domain/host.js';
import { parseSshTarget } from '../../domain/ssh-target.js';
import { intArg } from '../args.js';
import { type CommonOptions, commandContext, groupCommand, leafCommand } from '../command-kit.js';
import { renderHostChecks, renderHostTable, renderRemoved } from '../format-hosts.js';
import type { CliIo } from '../output.js';

type AddOptions = CommonOptions & { ssh: string; slots?: string; workdir?: string; claude?: string };

const hostPath = (name: string, rest = '') => {
  assertHostName(name);
  return `/api/hosts/${name}${rest}`;
};

export function registerHostCommands(orch: Command, io: CliIo): void {
  const hosts = groupCommand(
    orch,
    'hosts',
    'the machines agents run on: add, check, set slots, drain, remove',
    [
      've orch hosts add gpu1 --ssh ve@gpu1.example.com --slots 4',
      've orch hosts list',
      've orch hosts check',
      've orch hosts set gpu1 --slots 6',
      've orch hosts remove gpu1 --reassign',
    ],
  );

  leafCommand(
    hosts,
    'add <name>',
    'add a host reached with the system ssh (your ~/.ssh/config, agent and known_hosts apply), then check it',
    [
      've orch hosts add gpu1 --ssh ve@gpu1.example.com',
      've orch hosts add gpu2 --ssh ve@10.0.0.7:2222 --slots 4 --workdir /srv/ve',
      've orch hosts add lab --ssh lab --claude /opt/claude/bin/claude',
    ],
  )
    .requiredOption('--ssh <target>', 'user@host[:port], or a Host alias from ~/.ssh/config')
    .option('--slots <n>', 'agents it may run at once (0-256; default 2)')
    .option('--workdir <dir>', "where ve keeps this project's mirror and worktrees there (default .ve-hosts)")
    .option(
      '--claude <path>',
      'Claude Code on the host: a path, or a name on its login PATH (default claude)',
    )
    .action(async (name: string, opts: AddOptions) => {
      assertHostName(name);
      parseSshTarget(opts.ssh);
      const body: AddHostRequestDto = {
        name,
        ssh: opts.ssh,
        ...(opts.slots !== undefined ? { slots: intArg(opts.slots, '--slots', { min: 0, max: 256 }) } : {}),
        ...(opts.workdir !== undefined ? { workdir: opts.workdir } : {}),
        ...(opts.claude !== undefined ? { claude: opts.claude } : {}),
      };
      const ctx = commandContext(io, opts);
      const res = await ctx.client.post<AddHostDto>('/api/hosts', body);
      ctx.emit(res, () => [
        `Host ${res.host.name} added (${res.host.slots_total} slots).`,
        ...renderHostChecks(io, [res.check]),
        ...(res.check.health === 'ok'
          ? []
          : [`It takes no unit until a check finds it healthy (ve orch hosts check ${res.host.name}).`]),
      ]);
    });

  leafCommand(hosts, 'list', 'every host: state, health, agent slots used and in force, units placed there', [
    've orch hosts list',
    've orch hosts list --json | jq ".hosts[] | {name, health}"',
  ]).action(async (opts: CommonOptions) => {
    const ctx = commandContext(io, opts);
    const res = await ctx.client.get<HostListDto>('/api/hosts');
    ctx.emit(res, () => renderHostTable(io, res.hosts));
  });

  leafCommand(
    hosts,
    'check [name]',
    'check every host (or one) now: git, Claude Code, bubblewrap and socat with their versions, and what is missing',
    ['ve orch hosts check', 've orch hosts check gpu1'],
  ).action(async (name: string | undefined, opts: CommonOptions) => {
    // an empty name is refused, not read as "all"
    const path = name === undefined ? '/api/hosts/check' : hostPath(name, '/check');
    const ctx = commandContext(io, opts);
    const res = await ctx.client.post<HostChecksDto>(path);
    ctx.emit(res, () => renderHostChecks(io, res.checks));
  });

  leafCommand(hosts, 'drain <name>', 'take no new unit on a host; the units already there finish there', [
    've orch hosts drain gpu1',
    've orch hosts drain local',
  ]).action(async (name: string, opts: CommonOptions) => {
    const ctx = commandContext(io, opts);
    const host = await ctx.client.post<HostDto>(hostPath(name, '/drain'));
    ctx.emit(host, () => [
      `Host ${host.name} is draining: ${host.units.length} unit(s) finish there, no new one starts.`,
    ]);
  });

  leafCommand(hosts, 'activate <name>', 'let a drained host take new units again', [
    've orch hosts activate gpu1',
  ]).action(async (name: string, opts: CommonOptions) => {
    const ctx = commandContext(io, opts);
    const host = await ctx.client.post<HostDto>(hostPath(name, '/activate'));
    ctx.emit(host, () => [`Host ${host.name} takes new units again.`]);
  });

  leafCommand(hosts, 'set <name>', "change a host's agent slots; a raise takes waiting units at once", [
    've orch hosts set gpu1 --slots 6',
    've orch hosts set gpu1 --slots 0   # no new phase there; running ones finish',
  ])
    .requiredOption('--slots <n>', 'agents it may run at once (0-256)')
    .action(async (name: string, opts: CommonOptions & { slots: string }) => {
      const slots = intArg(opts.slots, '--slots', { min: 0, max: 256 });
      const ctx = commandContext(io, opts);
      const host = await ctx.client.patch<HostDto>(hostPath(name), { slots });
      ctx.emit(host, () => [
        `Host ${host.name} runs up to ${host.slots_total} agent(s) (${host.slots_used} running now).`,
      ]);
    });

  leafCommand(
    hosts,
    'remove <name>',
    'take a host out of the pool; with --reassign its units restart elsewhere from their last fetched state',
    [
      've orch hosts remove gpu1',
      've orch hosts remove gpu1 --reassign',
      've orch hosts remove gpu1 --forget   # it will never answer again: drop its record now',
    ],
  )
    .option('--reassign', 'move its units to other hosts (each is told what was lost)')
    .option('--forget', 'drop the record at once instead of cleaning its old copies when it answers again')
    .action(async (name: string, opts: CommonOptions & { reassign?: boolean; forget?: boolean }) => {
      const ctx = commandContext(io, opts);
      const res = await ctx.client.delete<RemoveHostDto>(hostPath(name), {
        reassign: opts.reassign === true,
        forget: opts.forget === true,
      });
      ctx.emit(res, () => renderRemoved(io, res));
    });
}
