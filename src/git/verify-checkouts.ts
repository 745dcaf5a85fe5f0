/**
 * VerifyCheckouts on git: each slot is a clone of the project that shares its object store
 * (`clone --shared`), so it costs no copy of history, shows up in no `git worktree list`, and a
 * verify command that runs git there touches only the clone's own refs and index.
 */
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import type { VerifyCheckouts } from '../ports/train.js';
import { git, gitOk } from './git-cli.js';

export class GitVerifyCheckouts implements VerifyCheckouts {
  private objects: Promise<string> | null = null;

  constructor(
    private readonly root: string,
    private readonly dir: string,
  ) {}

  async prepare(slot: number, commit: string): Promise<{ path: string; readable: string[] }> {
    const path = join(this.dir, `slot-${slot}`);
    const objects = await this.objectStore();
    if (!existsSync(join(path, '.git', 'HEAD'))) {
      // new, or deleted (maybe by a verify command): start over
      await rm(path, { recursive: true, force: true });
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      await gitOk(['clone', '--shared', '--no-checkout', '--quiet', '--', this.root, path], {
        cwd: this.dir,
      });
    }
    await gitOk(['checkout', '--quiet', '--force', '--detach', commit, '--'], { cwd: path });
    await gitOk(['clean', '-ffdq'], { cwd: path });
    return { path, readable: [objects] };
  }

  private objectStore(): Promise<string> {
    this.objects ??= (async () => {
      const r = await git(['rev-parse', '--git-common-dir'], { cwd: this.root });
      const common = r.stdout.trim();
      return join(isAbsolute(common) ? common : resolve(this.root, common), 'objects');
    })();
    return this.objects;
  }
}
