/**
 * Which command prepares a checkout's dependencies (issue 11 §4): detected from the lockfiles at its
 * top level unless `setup_command` names one or is off. PURE: the caller reads the files.
 * Every detected command keeps the lockfile as it is (`npm ci`, `--frozen-lockfile`, `--locked`…):
 * a worktree must never end up with a rewritten lockfile that ve would then commit.
 */

/** What detection looks at, read by the caller from the checkout. */
export interface ProjectFiles {
  /** names of the entries at the checkout's top level */
  names: readonly string[];
  /** package.json's `packageManager` field (`"pnpm@9.1.0"`), null when absent */
  packageManager: string | null;
  /** yarn.lock is a Yarn classic (v1) lockfile: its header says `yarn lockfile v1` */
  yarnClassicLock: boolean;
}

export type SetupTool = 'npm' | 'pnpm' | 'yarn' | 'bun' | 'uv' | 'poetry' | 'pip' | 'go' | 'cargo';

/** One detected command: at most one per ecosystem (node, python, go, rust). */
export interface SetupStep {
  tool: SetupTool;
  command: string;
  /** the file that decided it */
  lockfile: string;
  /**
   * the folder the command fills in the checkout (null: it installs outside, e.g. Go's module cache).
   * It must be ignored by git, or ve's own `git add -A` would commit it; and when it is missing the
   * setup has to run again.
   */
  installs: string | null;
}

export type SetupSource = 'configured' | 'detected' | 'off' | 'none';

/** The setup a checkout gets, and why (what `ve orch status` shows). */
export type EffectiveSetup =
  /** the operator's `setup_command`, run as written */
  | { source: 'configured'; command: string; why: string; steps: readonly SetupStep[] }
  /** detected from lockfiles; `command` is the steps joined with `&&` */
  | { source: 'detected'; command: string; why: string; steps: readonly SetupStep[] }
  /** `setup_command` is off, or nothing was detected */
  | { source: 'off' | 'none'; command: null; why: string; steps: readonly SetupStep[] };

export interface SetupConfig {
  /** a command of the operator's; null: the detected one; false: no setup at all */
  setup_command: string | false | null;
}

/** Node lockfiles in the order used when package.json names no package manager. */
const NODE_LOCKFILES: readonly [string, 'npm' | 'pnpm' | 'yarn' | 'bun'][] = [
  ['pnpm-lock.yaml', 'pnpm'],
  ['yarn.lock', 'yarn'],
  ['bun.lock', 'bun'],
  ['bun.lockb', 'bun'],
  ['npm-shrinkwrap.json', 'npm'],
  ['package-lock.json', 'npm'],
];

/** The commands the lockfiles at the top of a checkout call for, one per ecosystem. */
export function detectSetupSteps(files: ProjectFiles): SetupStep[] {
  const has = new Set(files.names);
  const steps: SetupStep[] = [];
  const node = nodeStep(files, has);
  if (node) steps.push(node);
  // Python: a lockfile of a project manager wins over a bare requirements file
  if (has.has('uv.lock')) {
    steps.push({ tool: 'uv', command: 'uv sync --locked', lockfile: 'uv.lock', installs: '.venv' });
  } else if (has.has('poetry.lock')) {
    // poetry keeps its virtualenvs in its cache folder (POETRY_CACHE_DIR), not in the checkout
    steps.push({ tool: 'poetry', command: 'poetry install', lockfile: 'poetry.lock', installs: null });
  } else if (has.has('requirements.txt')) {
    // into a virtualenv of the worktree, never into the Python the daemon runs with
    steps.push({
      tool: 'pip',
      command: 'python3 -m venv .venv && .venv/bin/pip install -r requirements.txt',
      lockfile: 'requirements.txt',
      installs: '.venv',
    });
  }
  if (has.has('go.sum') && has.has('go.mod')) {
    steps.push({ tool: 'go', command: 'go mod download', lockfile: 'go.sum', installs: null });
  }
  if (has.has('Cargo.lock')) {
    steps.push({ tool: 'cargo', command: 'cargo fetch --locked', lockfile: 'Cargo.lock', installs: null });
  }
  return steps;
}

function nodeStep(files: ProjectFiles, has: ReadonlySet<string>): SetupStep | null {
  if (!has.has('package.json')) return null;
  const declared = parsePackageManager(files.packageManager);
  const present = NODE_LOCKFILES.filter(([name]) => has.has(name));
  // the declared manager's own lockfile wins over leftovers of another one
  const chosen = present.find(([, tool]) => tool === declared?.tool) ?? present[0];
  if (!chosen) return null;
  const [lockfile, tool] = chosen;
  switch (tool) {
    case 'npm':
      return { tool, command: 'npm ci', lockfile, installs: 'node_modules' };
    case 'pnpm':
      return { tool, command: 'pnpm install --frozen-lockfile', lockfile, installs: 'node_modules' };
    case 'bun':
      return { tool, command: 'bun install --frozen-lockfile', lockfile, installs: 'node_modules' };
    case 'yarn':
      return isYarnClassic(files, declared)
        ? // Yarn 1 has no --immutable; --frozen-lockfile is its spelling of the same promise
          { tool, command: 'yarn install --frozen-lockfile', lockfile, installs: 'node_modules' }
        : // Berry's default linker is Plug'n'Play: no node_modules, the packages stay in its cache
          { tool, command: 'yarn install --immutable', lockfile, installs: null };
  }
}

/** `packageManager: "yarn@1.22.19+sha512.…"` → yarn, 1; null when absent or not understood. */
function parsePackageManager(field: string | null): { tool: string; major: number | null } | null {
  const m = /^(@?[a-z0-9-]+)@(\d+)?/.exec(field?.trim() ?? '');
  if (!m) return null;
  return { tool: m[1] as string, major: m[2] === undefined ? null : Number(m[2]) };
}

function isYarnClassic(
  files: ProjectFiles,
  declared: { tool: string; major: number | null } | null,
): boolean {
  if (declared?.tool === 'yarn' && declared.major !== null) return declared.major < 2;
  // classic heads its lockfile with `# yarn lockfile v1`; Berry's starts with `__metadata:`
  return files.yarnClassicLock;
}

/**
 * The effective setup: the operator's `setup_command` (false: none), else the detected steps, minus
 * those whose install folder git would not ignore (`unignored`).
 */
export function decideSetup(
  config: SetupConfig,
  detected: readonly SetupStep[],
  unignored: ReadonlySet<string> = new Set(),
): EffectiveSetup {
  if (config.setup_command === false) {
    return { source: 'off', command: null, why: 'setup_command is off', steps: [] };
  }
  if (config.setup_command !== null) {
    return { source: 'configured', command: config.setup_command, why: 'setup_command', steps: [] };
  }
  const steps = detected.filter((s) => s.installs === null || !unignored.has(s.installs));
  const declined = detected.filter((s) => !steps.includes(s));
  const skipped = declined.map(
    (s) => `${s.command} skipped: ${s.installs} is not ignored by git, and ve would commit it`,
  );
  if (steps.length === 0) {
    const why = skipped.length > 0 ? skipped.join('; ') : 'no lockfile at the top of the checkout';
    return { source: 'none', command: null, why, steps: [] };
  }
  const from = `detected from ${joinNames(steps.map((s) => s.lockfile))}`;
  return {
    source: 'detected',
    command: steps.map((s) => s.command).join(' && '),
    why: [from, ...skipped].join('; '),
    steps,
  };
}

function joinNames(names: readonly string[]): string {
  if (names.length <= 1) return names.join('');
  return `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/**
 * Files whose content decides what a setup installs: a change to any of them (a new dependency, a
 * rebase onto a base with other lockfiles) makes the setup of a worktree run again.
 */
export const SETUP_INPUT_FILES: readonly string[] = [
  'package.json',
  ...NODE_LOCKFILES.map(([name]) => name),
  'pnpm-workspace.yaml',
  '.npmrc',
  '.yarnrc.yml',
  'uv.lock',
  'poetry.lock',
  'pyproject.toml',
  'requirements.txt',
  'go.mod',
  'go.sum',
  'Cargo.toml',
  'Cargo.lock',
];
