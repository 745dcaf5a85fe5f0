/**
 * The OS sandbox under an agent's shell commands (Claude Code's bubblewrap sandbox on Linux, seatbelt
 * on macOS): the text-level policy cannot see what `bash x.sh` or `node -e` will write, the kernel can.
 * Here: whether it can run on this machine, the settings that confine writes to the unit's worktree
 * (plus what git needs to commit there), and the git environment that keeps its masks out of commits.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, posix, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Options } from '@anthropic-ai/claude-agent-sdk';
import { ErrorCode, OrchError } from '../../domain/errors.js';
import { isMissing } from '../../shared/fs-errors.js';

export type OsSandboxMode = 'auto' | 'on' | 'off';

/**
 * Files Claude Code's sandbox masks with /dev/null in the working directory so that a command cannot
 * plant shell or editor configuration. Inside the sandbox they look like untracked character devices,
 * and `git add -A` refuses them; sessions get them in their excludes file.
 */
export const SANDBOX_MASKED_NAMES = [
  '.bash_profile',
  '.bashrc',
  '.claude/',
  '.gitconfig',
  '.gitmodules',
  '.idea',
  '.mcp.json',
  '.profile',
  '.ripgreprc',
  '.vscode',
  '.zprofile',
  '.zshrc',
];

let probe: Promise<string | null> | null = null;

/** null when the sandbox can run here, else why not (probed once per process). */
export function osSandboxUnavailable(): Promise<string | null> {
  probe ??= probeSandbox();
  return probe;
}

async function probeSandbox(): Promise<string | null> {
  if (process.platform === 'darwin') return null;
  if (process.platform !== 'linux') return `no OS sandbox on ${process.platform}`;
  const run = (cmd: string, args: string[]) =>
    new Promise<boolean>((ok) => execFile(cmd, args, { timeout: 10_000 }, (err) => ok(!err)));
  if (!(await run('socat', ['-V']))) return 'socat is not installed (apt install bubblewrap socat)';
  if (!(await run('bwrap', ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', 'true'])))
    return 'bubblewrap is missing or cannot create a namespace here (apt install bubblewrap socat)';
  return null;
}

/**
 * Why no agent may start under `mode` on this machine, or null (PURE). `auto` and `on` promise the OS
 * sandbox under shell commands; where it cannot run, agents wait until the operator installs it or
 * chooses `off` (the tool policy alone, which cannot judge inline interpreter code: docs/security.md).
 */
export function sandboxHoldReason(mode: OsSandboxMode, missing: string | null): string | null {
  if (mode === 'off' || missing === null) return null;
  return (
    `agent_sandbox is ${mode} but the OS sandbox cannot run here (${missing}). ` +
    'Install bubblewrap and socat, or set agent_sandbox to off to run agents under the tool policy alone.'
  );
}

/** A linked worktree's own git directory and the repository's, read from its `.git` file; null otherwise. */
export function linkedGitDirs(worktree: string): { adminDir: string; common: string } | null {
  let text: string;
  try {
    text = readFileSync(join(worktree, '.git'), 'utf8');
  } catch (e) {
    // no .git, or a .git folder (a main checkout): not a linked worktree
    if (isMissing(e) || (e as NodeJS.ErrnoException).code === 'EISDIR') return null;
    throw e;
  }
  const m = /^gitdir: (.+)$/m.exec(text);
  if (!m) return null;
  const adminDir = resolve(worktree, (m[1] as string).trim()); // <common>/worktrees/<id>
  return { adminDir, common: dirname(dirname(adminDir)) };
}

/** The git directories a commit from `worktree` writes to: nothing outside a main checkout. */
export function gitWriteDirs(worktree: string): string[] {
  const dirs = linkedGitDirs(worktree);
  return dirs === null ? [] : gitWriteDirsOf(dirs.adminDir, dirs.common);
}

/**
 * What a commit in a linked worktree writes, given its git dir and the repository's common dir (POSIX
 * paths: on this machine, or on the host an agent runs on).
 */
export function gitWriteDirsOf(adminDir: string, common: string): string[] {
  return [
    adminDir, // the worktree's index, HEAD and reflog
    posix.join(common, 'objects'),
    // ref updates lock and rename inside the folder, so the folder, not the one ref
    posix.join(common, 'refs', 'heads', 'orch'),
    posix.join(common, 'logs', 'refs', 'heads', 'orch'),
  ];
}

/**
 * The SDK's `sandbox` option: shell commands may write the worktree, what git needs to commit there
 * (`gitDirs`, default: read from the worktree's `.git` on this machine; an agent on another host
 * gets that host's), and `extraWritable` (the project's package caches, `.ve/cache`), nothing else.
 */
export function sandboxOption(
  worktree: string,
  required: boolean,
  extraWritable: readonly string[] = [],
  gitDirs: string[] = gitWriteDirs(worktree),
): NonNullable<Options['sandbox']> {
  return {
    enabled: true,
    failIfUnavailable: required,
    // every command still goes through our canUseTool gate, and none may opt out of the sandbox
    autoAllowBashIfSandboxed: false,
    allowUnsandboxedCommands: false,
    filesystem: { allowWrite: [...gitDirs, ...extraWritable] },
  };
}

/** The package's libexec/, where ve's `bwrap` stand-in is (compiled to dist/src/agents/claude/). */
export const LIBEXEC_DIR = fileURLToPath(new URL('../../../../libexec', import.meta.url));

/**
 * Environment for a session whose shell commands run in the OS sandbox: ve's bubblewrap stand-in first
 * on PATH, which sets a sandbox up again when a name in the git directory vanished under Claude Code
 * (bwrap-args.ts says why that happens), with the real bubblewrap and the repository's git directory
 * to know. Empty where there is no bubblewrap: Claude Code's own check reports that.
 */
export function sandboxSessionEnv(worktree: string, path: string | undefined): Record<string, string> {
  const real = findExecutable('bwrap', path ?? '', LIBEXEC_DIR);
  if (real === null) return {};
  const dirs = linkedGitDirs(worktree);
  return {
    PATH: [LIBEXEC_DIR, path].filter(Boolean).join(delimiter),
    VE_REAL_BWRAP: real,
    VE_NODE: process.execPath,
    ...(dirs ? { VE_SANDBOX_GIT_DIR: dirs.common } : {}),
  };
}

/** The first `name` on `path` that may be executed, skipping the directory `except`. */
function findExecutable(name: string, path: string, except: string): string | null {
  for (const dir of path.split(delimiter)) {
    if (dir === '' || resolve(dir) === resolve(except)) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not there, or not executable there (a probe): the next directory
    }
  }
  return null;
}

/**
 * Writes `<stateDir>/agent-excludes`: the masked names plus the operator's default global ignore file,
 * which the core.excludesFile override would otherwise hide from sandboxed git.
 */
export function writeAgentExcludes(stateDir: string, env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CONFIG_HOME && isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : null;
  const globalIgnore = join(xdg ?? join(env.HOME ?? homedir(), '.config'), 'git', 'ignore');
  let own = '';
  try {
    own = readFileSync(globalIgnore, 'utf8');
  } catch (e) {
    // no global ignore file: only the masks. One that cannot be read fails the phase: dropped, its
    // rules (.env, keys) would stop keeping files out of the agent's `git add -A`.
    if (!isMissing(e)) {
      throw new OrchError(
        ErrorCode.invalid_input,
        `cannot read your global git ignore file ${globalIgnore} (${e instanceof Error ? e.message : e}); sandboxed agents' git uses it, so fix or remove it`,
        { file: globalIgnore },
        { cause: e },
      );
    }
  }
  const file = join(stateDir, 'agent-excludes');
  const header = '# written by ve: names the OS sandbox masks, then your global git ignore\n';
  writeFileSync(file, `${header}${SANDBOX_MASKED_NAMES.join('\n')}\n${own}`, { mode: 0o600 });
  return file;
}

/**
 * Git settings for every agent session, as GIT_CONFIG_* variables appended after any the daemon
 * inherited: no gc or maintenance forked by an agent's commit, and (sandboxed) the excludes file.
 */
export function agentGitConfig(env: Record<string, string | undefined>, excludesFile: string | null): void {
  const pairs: [string, string][] = [
    ['gc.auto', '0'],
    ['maintenance.auto', 'false'],
  ];
  if (excludesFile) pairs.push(['core.excludesFile', excludesFile]);
  const start = Number.parseInt(env.GIT_CONFIG_COUNT ?? '0', 10) || 0;
  pairs.forEach(([key, value], i) => {
    env[`GIT_CONFIG_KEY_${start + i}`] = key;
    env[`GIT_CONFIG_VALUE_${start + i}`] = value;
  });
  env.GIT_CONFIG_COUNT = String(start + pairs.length);
}
