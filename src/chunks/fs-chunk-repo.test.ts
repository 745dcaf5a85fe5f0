import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FsChunkRepo } from './fs-chunk-repo.js';

function project() {
  const root = mkdtempSync(join(tmpdir(), 've-chunks-'));
  const chunk = (name: string) => {
    const dir = join(root, 'docs', 'chunks', name);
    mkdirSync(dir, { recursive: true });
    return dir;
  };
  return { root, chunk, repo: new FsChunkRepo(root) };
}

describe('FsChunkRepo', () => {
  it('lists nothing when docs/chunks is missing or is a file', async () => {
    const { root, repo } = project();
    assert.deepEqual(await repo.list(), []);
    mkdirSync(join(root, 'docs'));
    writeFileSync(join(root, 'docs', 'chunks'), 'not a folder');
    assert.deepEqual(await repo.list(), []);
    assert.equal(await repo.exists('a'), false);
  });

  it('says why a GOAL.md that is there cannot be read, instead of calling the chunk missing', async () => {
    const { chunk, repo } = project();
    writeFileSync(join(chunk('good'), 'GOAL.md'), '---\nstatus: FUTURE\n---\n# Goal\n');
    symlinkSync('GOAL.md', join(chunk('looped'), 'GOAL.md'));
    await assert.rejects(repo.exists('looped'), /ELOOP/);
    await assert.rejects(repo.read('looped'), /ELOOP/);
    // listed, so the listing shows its error next to the readable ones rather than hiding it
    assert.deepEqual(await repo.list(), ['good', 'looped']);
    assert.equal(await repo.exists('good'), true);
  });

  it('reads a plan with or without frontmatter, whole when its frontmatter is not YAML', async () => {
    const { chunk, repo } = project();
    const dir = chunk('p');
    writeFileSync(join(dir, 'GOAL.md'), '---\nstatus: FUTURE\n---\n# Goal\n');
    writeFileSync(join(dir, 'PLAN.md'), '# Plan\n');
    assert.equal((await repo.read('p')).plan, '# Plan\n');
    writeFileSync(join(dir, 'PLAN.md'), '---\nowner: me\n---\n# Plan\n');
    assert.equal((await repo.read('p')).plan, '# Plan\n');
    writeFileSync(join(dir, 'PLAN.md'), '---\n: [\n---\n# Plan\n');
    assert.equal((await repo.read('p')).plan, '---\n: [\n---\n# Plan\n');
  });
});
