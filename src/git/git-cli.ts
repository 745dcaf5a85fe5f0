/**
 * The one way ve runs `git`: execFile (never a shell), a scrubbed environment so a parent's GIT_DIR
 * and friends cannot redirect us, the C locale so messages parse, and typed `git_failed` errors.
 */
import { execFile } from 'node:child_process';
import { ErrorCode, OrchError } from '../domain/errors.js';

export interface GitResult {
  stdout: string;
  stderr: string;
  /** git's exit status */
  code: number;
  /** stdout hit `maxBuffer` and was cut there (only when `truncate` was asked for) */
  truncated: boolean;
}

export interface GitOptions {
  cwd: string;
  /** added on top of the scrubbed process environment */
  env?: Record<string, string>;
  /** written to git's stdin (stdin is closed either way) */
  input?: string;
  /** bytes of stdout/stderr kept; default 64 MiB */
  maxBuffer?: number;
  /** return what fits in `maxBuffer` instead of failing when output is larger */
  truncate?: boolean;
  timeoutMs?: number;
}

const DEFAULT_MAX_BUFFER = 64 * 1024 * 1024;

/**
 * Variables that make git look at another repository, index or object store (this is the list
 * `git rev-parse --local-env-vars` prints, plus the config injectors). Inherited from a parent git
 * process — a hook, `git rebase --exec` — they would silently point our commands elsewhere.
 */
const REDIRECTING_VARS = new Set([
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_CONFIG',
  'GIT_CONFIG_PARAMETERS',
  'GIT_CONFIG_COUNT',
  'GIT_OBJECT_DIRECTORY',
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_IMPLICIT_WORK_TREE',
  'GIT_GRAFT_FILE',
  'GIT_INDEX_FILE',
  'GIT_NO_REPLACE_OBJECTS',
  'GIT_REPLACE_REF_BASE',
  'GIT_PREFIX',
  'GIT_SHALLOW_FILE',
  'GIT_COMMON_DIR',
  'GIT_NAMESPACE',
  'GIT_QUARANTINE_PATH',
]);

/** `source` minus anything that could redirect git to another repository. Pure; tested directly. */
export function scrubEnv(source: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(source)) {
    if (REDIRECTING_VARS.has(k) || /^GIT_CONFIG_(KEY|VALUE)_\d+$/.test(k)) continue;
    env[k] = v;
  }
  return env;
}

/**
 * process.env scrubbed, computed at the first call and kept. Copying and filtering process.env on
 * every git spawn cost 3% of the daemon's CPU (docs/performance.md). Safe because nothing in ve
 * changes its own environment after start-up; a test that changes process.env must do it before
 * its first git call (isolateGitConfig runs at the top of a test file).
 */
let scrubbedBase: Readonly<NodeJS.ProcessEnv> | null = null;

/** The inherited environment minus anything that could redirect git to another repository. */
export function scrubbedEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  scrubbedBase ??= Object.freeze(scrubEnv(process.env));
  return { ...scrubbedBase, ...extra };
}

/**
 * What every git call runs with when it adds nothing: built once, with the scrubbed base. Not frozen:
 * execFile only reads it, except that Node may add NODE_V8_COVERAGE to it, which must not throw.
 */
let plainGitEnv: NodeJS.ProcessEnv | null = null;

function gitEnv(extra: Record<string, string> | undefined): NodeJS.ProcessEnv {
  plainGitEnv ??= gitEnvOver({});
  // passed as is: no copy at all for the common call
  return extra === undefined ? plainGitEnv : gitEnvOver(extra);
}

function gitEnvOver(extra: Record<string, string>): NodeJS.ProcessEnv {
  return scrubbedEnv({
    // messages such as "CONFLICT" and "would be overwritten" are parsed, so no translations
    LC_ALL: 'C',
    LANGUAGE: 'C',
    // never wait for a password prompt or an editor; daemon has no terminal
    GIT_TERMINAL_PROMPT: '0',
    GIT_EDITOR: 'true',
    // read-only commands such as `status` must not rewrite the operator's index
    GIT_OPTIONAL_LOCKS: '0',
    ...extra,
  });
}

/** Runs git and reports its exit status; throws only when git could not run at all. */
export function git(args: readonly string[], opts: GitOptions): Promise<GitResult> {
  const maxBuffer = opts.maxBuffer ?? DEFAULT_MAX_BUFFER;
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      // hooks never run for the orchestrator's own git: an agent's script could have planted one in
      // the shared .git/hooks, and the daemon must not execute it with the operator's rights
      ['-c', 'core.hooksPath=/dev/null', ...args],
      {
        cwd: opts.cwd,
        env: gitEnv(opts.env),
        maxBuffer,
        encoding: 'utf8',
        timeout: opts.timeoutMs ?? 0,
        killSignal: 'SIGKILL',
        windowsHide: true,
      },
      (err, stdout, stderr) => {
        if (!err) return resolve({ stdout, stderr, code: 0, truncated: false });
        const e = err as NodeJS.ErrnoException & { code?: unknown; killed?: boolean; signal?: string | null };
        if (e.code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER' && opts.truncate) {
          return resolve({ stdout, stderr, code: 0, truncated: true });
        }
        if (typeof e.code === 'number') return resolve({ stdout, stderr, code: e.code, truncated: false });
        const why = e.killed || e.signal ? `killed by ${e.signal ?? 'signal'}` : String(e.code ?? e.message);
        reject(
          new OrchError(
            ErrorCode.git_failed,
            `git ${args.join(' ')} could not run: ${why}`,
            { args: [...args], cwd: opts.cwd, exitCode: null, stderr: tail(stderr) },
            { cause: err },
          ),
        );
      },
    );
    child.stdin?.on('error', () => {
      // git may exit before reading its stdin (EPIPE); its exit status tells the story
    });
    child.stdin?.end(opts.input ?? '');
  });
}

/** Runs git and returns stdout; a non-zero exit becomes OrchError `git_failed`. */
export async function gitOk(args: readonly string[], opts: GitOptions): Promise<string> {
  const r = await git(args, opts);
  if (r.code !== 0) throw gitFailed(args, opts.cwd, r);
  return r.stdout;
}

export function gitFailed(args: readonly string[], cwd: string, r: GitResult): OrchError {
  const msg = firstLine(r.stderr) || firstLine(r.stdout) || `exit ${r.code}`;
  return new OrchError(ErrorCode.git_failed, `git ${args.join(' ')} failed: ${msg}`, {
    args: [...args],
    cwd,
    exitCode: r.code,
    stderr: tail(r.stderr),
  });
}

function firstLine(s: string): string {
  return (
    s
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l.length > 0) ?? ''
  );
}

/** The last `max` characters of a process's output, for error messages. */
export function tail(s: string, max = 4000): string {
  return s.length <= max ? s : `…${s.slice(s.length - max)}`;
}
