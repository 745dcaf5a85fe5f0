/**
 * Temporary git repositories for process-level tests: an initial commit, helpers to write chunk
 * documents, and a cleanup that kills any daemon the test left behind before deleting the tree.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ChunkSpec {
  status?: string;
  /** omitted = no depends_on key; null = `depends_on: null` */
  depends_on?: string[] | null;
  /** the Minor Goal paragraph */
  goal?: string;
  /** the Approach section of PLAN.md (empty = an unwritten plan) */
  approach?: string;
  /** extra frontmatter lines, verbatim */
  extraFrontmatter?: string;
}

export interface TempRepo {
  root: string;
  git(...args: string[]): string;
  /** writes docs/chunks/<name>/GOAL.md and PLAN.md */
  writeChunk(name: string, spec?: ChunkSpec): string;
  writeFile(rel: string, text: string): void;
  readFile(rel: string): string;
  commitAll(message: string): void;
  cleanup(): void;
}

export function makeTempRepo(opts: { commit?: boolean; prefix?: string } = {}): TempRepo {
  const root = realpathSync(mkdtempSync(join(tmpdir(), opts.prefix ?? 've-test-')));
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 've test');
  git('config', 'user.email', 've-test@example.invalid');
  git('config', 'commit.gpgsign', 'false');
  const repo: TempRepo = {
    root,
    git,
    writeChunk(name, spec = {}) {
      const dir = join(root, 'docs', 'chunks', name);
      mkdirSync(dir, { recursive: true });
      const fm = [`status: ${spec.status ?? 'FUTURE'}`];
      if (spec.depends_on !== undefined) {
        fm.push(
          spec.depends_on === null ? 'depends_on: null' : `depends_on: [${spec.depends_on.join(', ')}]`,
        );
      }
      if (spec.extraFrontmatter) fm.push(spec.extraFrontmatter);
      writeFileSync(
        join(dir, 'GOAL.md'),
        `---\n${fm.join('\n')}\n---\n# Goal\n\n## Minor Goal\n\n${spec.goal ?? `Do ${name}.`}\n\n## Success Criteria\n\n- it works\n`,
      );
      writeFileSync(join(dir, 'PLAN.md'), `# Plan\n\n## Approach\n\n${spec.approach ?? ''}\n\n## Steps\n`);
      return dir;
    },
    writeFile(rel, text) {
      const p = join(root, rel);
      mkdirSync(join(p, '..'), { recursive: true });
      writeFileSync(p, text);
    },
    readFile: (rel) => readFileSync(join(root, rel), 'utf8'),
    commitAll(message) {
      git('add', '-A');
      git('commit', '-q', '--allow-empty', '-m', message);
    },
    cleanup() {
      killLeftoverDaemon(root);
      rmSync(root, { recursive: true, force: true });
    },
  };
  if (opts.commit !== false) {
    repo.writeFile('README.md', '# test repo\n');
    repo.commitAll('initial commit');
  }
  return repo;
}

/** SIGKILLs this repository's daemon named by .ve/orchestrator.pid, if any (a failed test must not leak it). */
export function killLeftoverDaemon(root: string): void {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(join(root, '.ve', 'orchestrator.pid'), 'utf8'), 10);
  } catch {
    // no pid file: nothing was started, or it was stopped cleanly
    return;
  }
  if (!Number.isSafeInteger(pid) || pid <= 0) return;
  let cmdline = '';
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    // the process is gone
    return;
  }
  // only a daemon of this very repository: a recycled pid belongs to someone else
  if (!cmdline.includes(root)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
