/**
 * A unit's diff for people: committed work (`base...orch/<c>`) plus what is still uncommitted in its
 * worktree (tracked edits and new files), bounded so a runaway diff cannot flood the API or a terminal.
 */
import type { GitRepo } from './repo.js';

export const DIFF_LIMIT_BYTES = 2 * 1024 * 1024;
const MAX_UNTRACKED_FILES = 200;

export interface DiffSource {
  base: string;
  /** branch tip, null when the branch is gone */
  tip: string | null;
  /** worktree path, null when there is none */
  worktree: string | null;
}

const DIFF_FLAGS = ['--no-color', '--no-ext-diff', '--no-textconv'];

export async function boundedDiff(repo: GitRepo, src: DiffSource, limit = DIFF_LIMIT_BYTES): Promise<string> {
  const out = new Bounded(limit);
  const bufferOpts = { maxBuffer: limit + 1, truncate: true };
  if (src.tip !== null) {
    const r = await repo.ok(['diff', ...DIFF_FLAGS, `${src.base}...${src.tip}`, '--'], bufferOpts);
    out.add(r);
  }
  if (src.worktree !== null && !out.full) {
    const cwd = src.worktree;
    const tracked = await repo.ok(['diff', ...DIFF_FLAGS, 'HEAD', '--'], { cwd, ...bufferOpts });
    const untrackedList = await repo.ok(['ls-files', '--others', '--exclude-standard', '-z'], { cwd });
    const untracked = untrackedList.split('\0').filter((f) => f !== '');
    if (tracked !== '' || untracked.length > 0) out.add('# uncommitted changes in the worktree\n');
    out.add(tracked);
    for (const f of untracked.slice(0, MAX_UNTRACKED_FILES)) {
      if (out.full) break;
      // --no-index exits 1 when the files differ, which they always do here
      const r = await repo.run(['diff', ...DIFF_FLAGS, '--no-index', '--', '/dev/null', f], {
        cwd,
        ...bufferOpts,
      });
      out.add(r.stdout);
    }
    if (untracked.length > MAX_UNTRACKED_FILES) {
      out.add(`# … and ${untracked.length - MAX_UNTRACKED_FILES} more untracked file(s)\n`);
    }
  }
  return out.text();
}

/** Accumulates text up to a byte limit and notes the truncation. */
class Bounded {
  private parts: string[] = [];
  private bytes = 0;
  private dropped = false;

  constructor(private readonly limit: number) {}

  get full(): boolean {
    return this.dropped;
  }

  add(s: string): void {
    if (s === '' || this.dropped) {
      if (s !== '') this.dropped = true;
      return;
    }
    const size = Buffer.byteLength(s);
    if (this.bytes + size <= this.limit) {
      this.parts.push(s);
      this.bytes += size;
      return;
    }
    const room = this.limit - this.bytes;
    this.parts.push(Buffer.from(s).subarray(0, room).toString('utf8'));
    this.bytes = this.limit;
    this.dropped = true;
  }

  text(): string {
    const body = this.parts.join('');
    if (!this.dropped) return body;
    const MiB = 1024 * 1024;
    const shown = this.limit >= MiB ? `${+(this.limit / MiB).toFixed(1)} MiB` : `${this.limit} bytes`;
    return `${body}\n# diff truncated at ${shown}\n`;
  }
}
