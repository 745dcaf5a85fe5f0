/**
 * The OS sandbox under an agent's shell commands (Claude Code's bubblewrap sandbox on Linux, seatbelt
 * on macOS): the text-level policy cannot see what `bash x.sh` or `node -e` will write, the kernel can.
 * Here: whether it can run on this machine, the settings that confine writes to the unit's worktree
 * (plus what git needs to commit there), and the git environment that keeps its masks out of commits.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { Options } from '@anthropic-ai/claude-agent-sdk';

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

/** The git directories a commit from `worktree` writes to, read from its `.git` file. */
export function gitWriteDirs(worktree: string): string[] {
  let text: string;
  try {
    text = readFileSync(join(worktree, '.git'), 'utf8');
  } catch {
    return []; // not a linked worktree: nothing outside it to open up
  }
  const m = /^gitdir: (.+)$/m.exec(text);
  if (!m) return [];
  const adminDir = resolve(worktree, (m[1] as string).trim()); // <common>/worktrees/<id>
  const common = dirname(dirname(adminDir));
  return [
    adminDir, // the worktree's index, HEAD and reflog
    join(common, 'objects'),
    // ref updates lock and rename inside the folder, so the folder, not the one ref
    join(common, 'refs', 'heads', 'orch'),
    join(common, 'logs', 'refs', 'heads', 'orch'),
  ];
}

/**
 * The SDK's `sandbox` option: shell commands may write the worktree, what git needs to commit there,
 * and `extraWritable` (the project's package caches, `.ve/cache`), nothing else.
 */
export function sandboxOption(
  worktree: string,
  required: boolean,
  extraWritable: readonly string[] = [],
): NonNullable<Options['sandbox']> {
  return {
    enabled: true,
    failIfUnavailable: required,
    // every command still goes through our canUseTool gate, and none may opt out of the sandbox
    autoAllowBashIfSandboxed: false,
    allowUnsandboxedCommands: false,
    filesystem: { allowWrite: [...gitWriteDirs(worktree), ...extraWritable] },
  };
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
  } catch {
    // no global ignore file: only the masks
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
