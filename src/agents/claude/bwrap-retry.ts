/**
 * The `bwrap` Claude Code finds first on an agent's PATH (`libexec/bwrap` runs this): it runs the
 * real bubblewrap with the same arguments, and when the sandbox could not be set up because a name
 * in the git directory vanished under it (bwrap-args.ts says why that happens), sets it up again, so
 * the agent's command runs once, confined exactly as Claude Code asked. The command is never run
 * twice: a try counts as failed only when bubblewrap stopped before the command announced its start.
 *
 * Environment (set by os-sandbox.ts `sandboxSessionEnv`): VE_REAL_BWRAP, the bubblewrap to run;
 * VE_SANDBOX_GIT_DIR, the repository's git directory.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, unlinkSync } from 'node:fs';
import { constants } from 'node:os';
import { isMissing } from '../../shared/fs-errors.js';
import {
  isTransientSetupFailure,
  planSandbox,
  rebindVanished,
  reboundNames,
  referencedFds,
  type SandboxPlan,
  sandboxArgs,
} from './bwrap-args.js';

/**
 * Tries per command. A try fails only when another process deletes a name in the few milliseconds
 * bubblewrap takes to set up; even a tight create/delete loop beside it (the stress test) loses
 * about every other try, so this many make a failure as good as impossible. A failure that is not
 * of that kind is never tried again.
 */
const MAX_TRIES = 20;
const FORWARDED_SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];

interface Try {
  started: boolean;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** what bubblewrap printed before the command started (all of it when it never did) */
  setupStderr: string;
}

/**
 * The descriptors Claude Code handed on (the sandbox's sync and info pipes, the one the command
 * re-runs Claude Code through): libexec/bwrap lists them, since node marks all close-on-exec.
 */
function inheritedFds(): number[] {
  return (process.env.VE_BWRAP_FDS ?? '')
    .split(/\s+/)
    .filter((n) => /^\d+$/.test(n))
    .map(Number);
}

/** stdio for bubblewrap: 0–2 as ours (stderr piped when asked), and each descriptor `fds` names, as is. */
function stdioFor(fds: readonly number[], stderr: 'inherit' | 'pipe' = 'inherit') {
  const stdio: (number | 'inherit' | 'pipe' | 'ignore')[] = ['inherit', 'inherit', stderr];
  for (let fd = 3; fd <= Math.max(2, ...fds); fd++) stdio.push(fds.includes(fd) ? fd : 'ignore');
  return stdio;
}

function runOnce(real: string, args: string[], fds: readonly number[], token: string): Promise<Try> {
  return new Promise((resolve) => {
    const child = spawn(real, args, { stdio: stdioFor(fds, 'pipe') });
    const forward = (sig: NodeJS.Signals) => child.kill(sig);
    for (const sig of FORWARDED_SIGNALS) process.on(sig, forward);
    const marker = `${token}\n`;
    let held = '';
    let started = false;
    child.stderr?.on('data', (chunk: Buffer) => {
      if (started) {
        process.stderr.write(chunk);
        return;
      }
      held += chunk.toString('latin1');
      const at = held.indexOf(marker);
      if (at < 0) return;
      started = true;
      const before = held.slice(0, at);
      const after = held.slice(at + marker.length);
      held = before;
      // bubblewrap's own warnings, then whatever the command already wrote, byte for byte
      process.stderr.write(Buffer.from(before + after, 'latin1'));
    });
    child.on('close', (code, signal) => {
      for (const sig of FORWARDED_SIGNALS) process.off(sig, forward);
      resolve({ started, code, signal, setupStderr: held });
    });
    child.on('error', (error) => {
      for (const sig of FORWARDED_SIGNALS) process.off(sig, forward);
      resolve({ started: false, code: 127, signal: null, setupStderr: `bwrap: ${error.message}\n` });
    });
  });
}

/**
 * bubblewrap made an empty file on the host for each name rebound onto /dev/null, as Claude Code does
 * for an absent name, and Claude Code removes only its own: remove ours, or the next sandbox would
 * find `config.lock` there and the operator's git could not change a setting. A file that is not
 * empty is someone's real lock and stays.
 */
function removePlaceholders(names: readonly string[]): void {
  for (const name of names) {
    try {
      const st = lstatSync(name);
      if (st.isFile() && st.size === 0) unlinkSync(name);
    } catch (e) {
      // gone already (another cleanup, or bubblewrap never got that far)
      if (!isMissing(e)) throw e;
    }
  }
}

/** bubblewrap's exit code, or 128 + the signal that ended it, as a shell reports it */
function exitLike(t: Pick<Try, 'code' | 'signal'>): never {
  process.exit(t.signal ? 128 + (constants.signals[t.signal] ?? 0) : (t.code ?? 1));
}

async function runPlanned(real: string, plan: SandboxPlan, gitDirs: string[]): Promise<never> {
  const fds = [...new Set([...inheritedFds(), ...plan.fds])].sort((a, b) => a - b);
  for (let attempt = 1; ; attempt++) {
    const token = `ve-sandbox-started-${randomBytes(12).toString('hex')}`;
    const options = rebindVanished(plan.options, gitDirs, existsSync);
    const t = await runOnce(real, sandboxArgs(plan, options, token), fds, token);
    removePlaceholders(reboundNames(plan.options, options));
    if (t.started) exitLike(t);
    const again = plan.repeatable && attempt < MAX_TRIES && isTransientSetupFailure(t.setupStderr, gitDirs);
    if (!again) {
      process.stderr.write(t.setupStderr);
      exitLike(t);
    }
  }
}

function main(): void {
  const argv = process.argv.slice(2);
  const real = process.env.VE_REAL_BWRAP;
  if (!real) {
    process.stderr.write('bwrap (ve): VE_REAL_BWRAP is not set; run through ve, or call bubblewrap itself\n');
    process.exit(127);
  }
  const plan = planSandbox(argv);
  if (plan === null) {
    // --version, a probe, or a command line this stand-in does not know: bubblewrap as it is
    const r = spawnSync(real, argv, {
      stdio: stdioFor([...new Set([...inheritedFds(), ...referencedFds(argv)])]),
    });
    exitLike({ code: r.status, signal: r.signal });
  }
  const gitDirs = (process.env.VE_SANDBOX_GIT_DIR ?? '').split(':').filter((d) => d.startsWith('/'));
  void runPlanned(real, plan, gitDirs);
}

main();
