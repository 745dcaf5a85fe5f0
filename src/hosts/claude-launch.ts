/**
 * How Claude Code is started on a host, without a secret on any command line (docs/hosts.md,
 * "Secrets"). The ssh command line carries only a fixed launcher script, the unit's run folder, a
 * spawn id and an end marker. Everything else — the environment (API keys included), the working
 * folder, the executable and its arguments — travels as a header on the session's stdin, ahead of
 * the SDK's own stream. The launcher reads the header up to the marker into a shell variable,
 * records its pid, evaluates the header (exports, cd, `set --`) and execs Claude Code, which then
 * owns the rest of stdin. No file ever holds the header. Pure: the header, the env policy, the
 * launcher text.
 */
import { ErrorCode, OrchError } from '../domain/errors.js';
import { shellQuote } from './ssh-command.js';

/**
 * Variables passed from the SDK's environment to Claude Code on a host. The daemon's environment
 * describes the daemon's machine (PATH, HOME, TMPDIR, locale, ssh agent…), so it is not copied
 * wholesale; the host's login supplies those. Forwarded: what configures Claude Code and its API
 * access, and git settings the backend adds.
 */
const FORWARD_PREFIXES = ['ANTHROPIC_', 'CLAUDE_', 'CLAUDECODE', 'MCP_', 'OTEL_', 'DISABLE_', 'BUN_', 'GIT_'];
const FORWARD_NAMES = new Set([
  'DEBUG',
  'MAX_THINKING_TOKENS',
  'BASH_DEFAULT_TIMEOUT_MS',
  'BASH_MAX_TIMEOUT_MS',
]);
/** forwarded by prefix but naming places on the daemon's machine */
const NEVER = new Set([
  'CLAUDE_CONFIG_DIR',
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_INDEX_FILE',
  'GIT_COMMON_DIR',
  'GIT_OBJECT_DIRECTORY',
  'GIT_ALTERNATE_OBJECT_DIRECTORIES',
  'GIT_SSH',
  'GIT_SSH_COMMAND',
  'GIT_ASKPASS',
]);
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The part of `env` that goes to the host (see FORWARD_PREFIXES). */
export function remoteEnv(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined || !NAME.test(k) || NEVER.has(k)) continue;
    if (FORWARD_NAMES.has(k) || FORWARD_PREFIXES.some((p) => k.startsWith(p))) out[k] = v;
  }
  return out;
}

export interface LaunchSpec {
  /** Claude Code on the host */
  executable: string;
  args: readonly string[];
  /** working folder on the host */
  cwd: string;
  env: Record<string, string>;
}

/**
 * The header: shell code the launcher evaluates, then the end marker line. Every value is
 * single-quoted; names are checked. Throws if a value contains the marker (it is random per spawn,
 * so only a caller that knows it could).
 */
export function launchHeader(spec: LaunchSpec, endMarker: string): string {
  const lines: string[] = [];
  for (const [k, v] of Object.entries(spec.env)) {
    if (!NAME.test(k))
      throw new OrchError(ErrorCode.invalid_input, `invalid environment variable name ${JSON.stringify(k)}`);
    lines.push(`export ${k}=${shellQuote(v)}`);
  }
  lines.push(`cd -- ${shellQuote(spec.cwd)}`);
  lines.push(`ve_claude=${shellQuote(spec.executable)}`);
  lines.push(`set -- ${spec.args.map(shellQuote).join(' ')}`);
  const header = `${lines.join('\n')}\n`;
  if (header.includes(endMarker))
    throw new OrchError(ErrorCode.invalid_input, 'launch header contains its end marker');
  return `${header}${endMarker}\n`;
}

/** What the launcher writes to stderr once its pid is recorded, before it execs Claude Code. */
export const STARTED_MARKER = 've-launch: started';

/**
 * The launcher ($1 run folder, $2 spawn id, $3 end marker, $4 the unit's lease file, $5 the lease the
 * daemon holds, $6 STOP_PROCESSES). It refuses (exit 98) when the host's lease is another: a
 * placement that lost the unit starts nothing. A unit runs one phase at a time, so whatever an
 * earlier launch of the unit left on this host (a session cut by a lost connection leaves its tools
 * running) is stopped before this one starts. `read` takes one byte at a time from a pipe, so it
 * never consumes what follows the marker: that is the SDK's stream, left for Claude Code. The pid
 * file (`<pid> <start time> <process group>`, 0600) lets an explicit kill — or a later cleanup —
 * find the process and its tools; exec keeps the pid.
 */
export const LAUNCHER = `
set -eu
umask 077
run=$1 id=$2 end=$3
if [ "$(cat -- "$4" 2>/dev/null)" != "$5" ]; then echo "ve-launch: stale lease: the host holds another placement of this unit" >&2; exit 98; fi
mkdir -p -- "$run"
sh -c "$6" sh "$run" TERM ''
ve_header='' ve_seen=''
while IFS= read -r ve_line; do
  if [ "$ve_line" = "$end" ]; then ve_seen=1; break; fi
  ve_header="$ve_header$ve_line
"
done
[ -n "$ve_seen" ] || { echo 've-launch: no launch header on stdin' >&2; exit 97; }
st=$(cat "/proc/$$/stat")
st=\${st##*) }
set -- $st
printf '%s %s %s\\n' "$$" "\${20}" "$3" > "$run/$id.pid"
unset st ve_line ve_seen
eval "$ve_header"
unset ve_header
# inherited by every process of this launch, detached tools included (STOP_PROCESSES finds them by it)
export VE_RUN="$id"
echo '${STARTED_MARKER}' >&2
exec "$ve_claude" "$@"
`;

/** The executable the SDK asked for is Claude Code itself, not a JS runtime with a script. */
export function assertNativeClaude(command: string): void {
  const base = command.split(/[\\/]/).at(-1) ?? '';
  if (/^(node|bun|deno)(\.exe)?$/.test(base))
    throw new OrchError(
      ErrorCode.invalid_input,
      `Claude Code over ssh runs the host's native binary; the SDK asked for ${base} with a script (set pathToClaudeCodeExecutable to a native claude)`,
    );
}
