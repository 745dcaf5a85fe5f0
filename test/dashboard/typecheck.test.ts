/**
 * The dashboard is plain ES modules with `// @ts-check` and JSDoc types read from src/api/dto.ts:
 * this runs the compiler over them, so a wire-type change that breaks the browser code fails here.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from '../support/agent-fixtures.js';

const root = repoRoot();
const dir = join(root, 'src', 'dashboard');

describe('dashboard type check', () => {
  it('every module opts in to checking', () => {
    const modules = readdirSync(dir).filter((f) => f.endsWith('.js'));
    assert.ok(modules.length >= 10);
    for (const f of modules) assert.match(readFileSync(join(dir, f), 'utf8'), /^\/\/ @ts-check\n/, f);
  });

  it('templates hold no HTML entities: htm shows them as written', () => {
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.js'))) {
      const code = readFileSync(join(dir, f), 'utf8').replace(/^\s*(\/\/|\*).*$/gm, '');
      assert.deepEqual(
        code.match(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi) ?? [],
        [],
        `${f}: put the character in a \${'…'} instead`,
      );
    }
  });

  it('the modules type-check against the API wire types', () => {
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const r = spawnSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], { encoding: 'utf8' });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  });
});
