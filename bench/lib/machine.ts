/** The machine a bench ran on, as docs/performance.md records it: cores, memory, versions, load. */
import { execFile } from 'node:child_process';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const loadNow = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(', ');

async function out(cmd: string, args: string[]): Promise<string> {
  try {
    return (await run(cmd, args)).stdout.trim();
  } catch (e) {
    return `(${cmd} failed: ${e instanceof Error ? e.message : String(e)})`;
  }
}

export async function machineHeader(): Promise<string> {
  const [nproc, free, git, head] = await Promise.all([
    out('nproc', []),
    out('free', ['-h']),
    out('git', ['--version']),
    out('git', ['rev-parse', '--short', 'HEAD']),
  ]);
  return [
    `date: ${new Date().toISOString()}`,
    `commit: ${head}`,
    `nproc: ${nproc} (node sees ${availableParallelism()}; ${cpus()[0]?.model ?? 'unknown cpu'})`,
    `node: ${process.version}; ${git}`,
    `load average (1, 5, 15 min) at start: ${loadNow()}`,
    'free -h:',
    ...free.split('\n').map((l) => `  ${l}`),
  ].join('\n');
}
