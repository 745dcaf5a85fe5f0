/** The real `ve` CLI for benches, when it is built: `node dist/src/cli/main.js …`. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

export const CLI_ENTRY = fileURLToPath(new URL('../../src/cli/main.js', import.meta.url));

export const cliAvailable = (): boolean => existsSync(CLI_ENTRY);

const run = promisify(execFile);

/** Runs `ve <args>` to completion; rejects on a non-zero exit. */
export async function ve(
  args: string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [CLI_ENTRY, ...args], {
    cwd: opts.cwd,
    env: { ...process.env, ...(opts.env ?? {}) },
    maxBuffer: 256 * 1024 * 1024,
  });
}
