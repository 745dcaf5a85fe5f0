/**
 * For the multi-host end-to-end test: a project of N planned chunks owned by the pool's daemon user,
 * the `ve` CLI run as that user, and a model gate that holds a chosen host's agent mid-phase (after
 * its first tool ran) until the test has done something to that host.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createChunk, initProject } from '../../src/chunks/templates.js';
import { assistantTurns, requestIdentity } from '../../src/demo/scripted-brain.js';
import type { MessagesRequest } from '../../src/demo/scripted-model-server.js';
import { VE_MAIN } from './cli.js';
import type { HostPool } from './netns-hosts.js';

/** Creates `<daemon home>/<dir>` with `names` as FUTURE chunks whose PLAN.md is written. */
export async function fleetProject(
  pool: HostPool,
  names: readonly string[],
  dir = 'project',
): Promise<string> {
  const root = join(pool.daemon.home, dir);
  mkdirSync(join(root, 'src'), { recursive: true });
  const git = (...args: string[]) => execFileSync('git', args, { cwd: root, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('config', 'user.name', 've operator');
  git('config', 'user.email', 'operator@ve-test.invalid');
  writeFileSync(join(root, 'README.md'), '# fleet project\n');
  writeFileSync(join(root, 'src', 'index.js'), "export const name = 'fleet';\n");
  await initProject(root);
  for (const name of names) {
    const dir = await createChunk(root, name, { future: true, dependsOn: [] });
    const goal = join(dir, 'GOAL.md');
    writeFileSync(
      goal,
      readFileSync(goal, 'utf8').replace(
        /(## Minor Goal\n\n)<!--[\s\S]*?-->/,
        `$1Add a module src/${name}.js that exports a function returning its own name.`,
      ),
    );
    writeFileSync(
      join(dir, 'PLAN.md'),
      `# Plan\n\n## Approach\n\nWrite src/${name}.js exporting one function.\n\n## Steps\n\n1. Write the module.\n`,
    );
  }
  git('add', '-A');
  git('commit', '-qm', `${names.length} planned chunks`);
  execFileSync('chown', ['-R', `${pool.daemon.uid}:${pool.daemon.gid}`, root]);
  return root;
}

/** `ve <args> --project-dir <root>` as the daemon user; rejects with the output unless it exits 0. */
export function veAsDaemon(pool: HostPool, root: string, env: Record<string, string>) {
  return async (...args: string[]): Promise<string> => {
    const r = await pool.daemon.exec(process.execPath, [VE_MAIN, ...args, '--project-dir', root], {
      cwd: root,
      env: { NO_COLOR: '1', ...env },
      timeoutMs: 120_000,
    });
    if (r.code !== 0) throw new Error(`ve ${args.join(' ')} exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  };
}

/** git in the project as the daemon user (root may not read a repository it does not own) */
export function gitAsDaemon(pool: HostPool, root: string) {
  return async (...args: string[]): Promise<string> => {
    const r = await pool.daemon.exec('git', args, { cwd: root });
    if (r.code !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
    return r.stdout.trim();
  };
}

function deferred<T = void>() {
  let resolve: (v: T) => void = () => {};
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/**
 * Holds the first IMPLEMENT request that comes from `host` after the agent's first tool (its Write)
 * ran: `reached` resolves with the chunk, and the request is answered only after `release()`.
 */
export class MidPhaseGate {
  private readonly reachedAt = deferred<string>();
  private readonly released = deferred();
  private armed = false;
  private fired = false;

  constructor(
    private readonly pool: HostPool,
    readonly host: string,
  ) {}

  /** from now on the gate catches the next matching request */
  arm(): void {
    this.armed = true;
  }

  get reached(): Promise<string> {
    return this.reachedAt.promise;
  }

  release(): void {
    this.released.resolve();
  }

  /** call on every model request before answering it */
  async pass(req: MessagesRequest): Promise<void> {
    if (!this.armed || this.fired) return;
    const id = requestIdentity(req);
    if (id?.phase !== 'IMPLEMENT' || assistantTurns(req) !== 1) return;
    const home = this.pool.hosts.find((h) => h.name === this.host)?.home;
    if (!home || !id.worktree.startsWith(`${home}/`)) return;
    this.fired = true;
    this.reachedAt.resolve(id.chunk);
    await this.released.promise;
  }
}
