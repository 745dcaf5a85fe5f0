/** `ve orch train`: the landing train as a table, pure. */
import type { TrainSnapshot } from '../api/dto.js';
import { verificationLine } from './format-orch.js';
import { formatDuration } from './format-units.js';
import { type CliIo, type Colour, paint, renderTable } from './output.js';

type Painter = Pick<CliIo, 'color'>;
type Entry = TrainSnapshot['entries'][number];

const STATE_COLOUR: Record<Entry['state'], Colour> = {
  waiting: 'dim',
  verifying: 'blue',
  rerunning: 'magenta',
  passed: 'green',
  failed: 'red',
  conflict: 'yellow',
  landing: 'green',
};

const short = (sha: string | null) => (sha ? sha.slice(0, 10) : '-');

export function renderTrain(io: Painter, t: TrainSnapshot): string[] {
  const health =
    t.base_health === 'passed' ? ' (passes)' : t.base_health === 'failed' ? paint(io, 'red', ' (FAILS)') : '';
  const head = [
    `Landings: ${verificationLine(io, { ...t.verify, error: t.verify.error })}`,
    `Base: ${t.base} at ${short(t.base_tip)}${health}; ${t.verify.parallelism} verification(s) at once, ${t.running} running`,
  ];
  if (t.entries.length === 0) return [...head, 'The landing train is empty'];
  const runInfo = (e: Entry) => {
    if (!e.run) return '-';
    const took =
      e.run.duration_ms === null ? 'running' : formatDuration(Math.round(e.run.duration_ms / 1000));
    return `#${e.run.id} ${e.run.outcome ?? 'running'} ${e.run.outcome ? took : ''}`.trim();
  };
  const rows = renderTable<Entry>(
    io,
    [
      { header: 'POS', value: (e) => String(e.position) },
      { header: 'CHUNK', value: (e) => e.chunk },
      { header: 'STATE', value: (e) => e.state, colour: (e) => STATE_COLOUR[e.state] },
      {
        header: 'VERIFIED-ON',
        value: (e) => `${short(e.base_tip)}${e.ahead.length > 0 ? ` + ${e.ahead.join(' + ')}` : ''}`,
        max: 50,
      },
      { header: 'TREE', value: (e) => short(e.spec) },
      {
        header: 'RUN',
        value: (e) =>
          e.land_unverified
            ? 'lands unverified (override)'
            : e.conflict_files
              ? `conflict: ${e.conflict_files.join(', ')}`
              : runInfo(e),
        max: 50,
      },
    ],
    t.entries,
  );
  return [...head, ...rows];
}
