/** Pure text rendering of the host pool: `hosts list`, `hosts check`, `hosts remove`, status lines. */
import type { HostCheckDto, HostDto, HostSummaryDto, RemoveHostDto, WorkUnitDto } from '../api/dto.js';
import { type CliIo, type Colour, paint, renderTable } from './output.js';

type Painter = Pick<CliIo, 'color'>;

const HEALTH_COLOUR: Record<HostDto['health'], Colour> = {
  ok: 'green',
  unknown: 'dim',
  unreachable: 'red',
  unfit: 'yellow',
};

const slots = (h: HostSummaryDto) => `${h.slots_used}/${h.slots_total}`;

/** `ve orch hosts list`: NAME SSH STATE HEALTH SLOTS UNITS, and why a host is not healthy */
export function renderHostTable(io: Painter, hosts: readonly HostDto[]): string[] {
  return renderTable(
    io,
    [
      { header: 'NAME', value: (h) => h.name },
      { header: 'SSH', value: (h) => h.ssh ?? '(this machine)' },
      { header: 'STATE', value: (h) => h.state, colour: (h) => (h.state === 'active' ? null : 'yellow') },
      { header: 'HEALTH', value: (h) => h.health, colour: (h) => HEALTH_COLOUR[h.health] },
      { header: 'SLOTS', value: slots },
      { header: 'UNITS', value: (h) => String(h.units.length) },
      { header: 'DETAIL', value: (h) => h.health_detail ?? '-', max: 60 },
    ],
    hosts,
  );
}

/** `ve orch hosts check`: each host's tools and versions, then what it lacks */
export function renderHostChecks(io: Painter, checks: readonly HostCheckDto[]): string[] {
  const lines: string[] = [];
  for (const c of checks) {
    lines.push(`${paint(io, 'bold', c.name)}: ${paint(io, HEALTH_COLOUR[c.health], c.health)} (${c.ms} ms)`);
    if (c.tools) {
      for (const tool of ['git', 'claude', 'bwrap', 'socat'] as const)
        lines.push(`  ${tool.padEnd(7)}${c.tools[tool] ?? paint(io, 'red', 'missing')}`);
    }
    if (c.missing.required.length > 0)
      lines.push(`  ${paint(io, 'red', `cannot run agents: install ${c.missing.required.join(' and ')}`)}`);
    if (c.missing.optional.length > 0)
      lines.push(
        `  ${paint(io, 'yellow', `no OS sandbox: install ${c.missing.optional.join(' and ')} (agents wait unless agent_sandbox is off)`)}`,
      );
    if (c.health === 'unreachable') lines.push(`  ${paint(io, 'red', c.detail ?? 'unreachable')}`);
  }
  return lines.length > 0 ? lines : ['No hosts to check'];
}

/** `ve orch hosts remove`: what happened to the host, and what each moved unit lost */
export function renderRemoved(io: Painter, r: RemoveHostDto): string[] {
  const lines = [
    r.forgotten
      ? `Host ${r.name} removed.`
      : `Host ${r.name} removed; its record stays until its old copies are stopped and deleted: ${r.pending ?? '?'}`,
  ];
  for (const u of r.reassigned) {
    lines.push(
      `  ${paint(io, 'bold', u.chunk)} (${u.phase}, ${u.status}) restarts on another host from ${u.from_commit?.slice(0, 12) ?? 'its base'}${u.fetched_now ? ' (fetched just now)' : ''}`,
      `    lost: ${u.lost === 'nothing' ? 'nothing' : paint(io, 'yellow', u.lost)}`,
    );
  }
  return lines;
}

/** `ve orch status`: one line per host, `local` first */
export function hostStatusLines(io: Painter, hosts: readonly HostSummaryDto[]): string[] {
  if (hosts.length === 0) return [];
  const width = Math.max(...hosts.map((h) => h.name.length));
  return [
    'Hosts:',
    ...hosts.map((h) => {
      const state = h.state === 'active' ? '' : ` ${paint(io, 'yellow', h.state)}`;
      const detail = h.health_detail ? ` (${h.health_detail})` : '';
      return `  ${h.name.padEnd(width)}  ${slots(h)} slots  ${paint(io, HEALTH_COLOUR[h.health], h.health)}${state}${detail}`;
    }),
  ];
}

/**
 * A unit's host as `ps` and `work-unit show` print it: its name, and what keeps it waiting when the
 * host cannot take it (`-`: not placed yet).
 */
export function unitHost(u: Pick<WorkUnitDto, 'host' | 'status'>, hosts: readonly HostSummaryDto[]): string {
  if (u.host === null) return '-';
  const h = hosts.find((x) => x.name === u.host);
  if (!h) return `${u.host} (removed)`;
  if (h.health !== 'ok' && u.status === 'READY') return `${u.host} (waiting: ${h.health})`;
  return u.host;
}
