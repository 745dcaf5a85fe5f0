/**
 * The README's one test command is what CI runs, and it brings what a fresh Debian machine lacks:
 * `npm test` checks scripts/debian-packages.txt first, installing as root and naming the packages
 * otherwise.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { repoRoot } from './support/agent-fixtures.js';

const root = repoRoot();
const read = (rel: string) => readFileSync(join(root, rel), 'utf8');

/** The README's test command: the first shell line of the quick block that runs `npm test`. */
function readmeTestCommand(): string {
  const block = /```sh\n([\s\S]*?)```/.exec(read('README.md'))?.[1] ?? '';
  const line = block.split('\n').find((l) => /\bnpm test\b/.test(l));
  assert.ok(line, 'the README names a test command');
  return line.replace(/#.*/, '').trim();
}

function deps(list: string, ...args: string[]) {
  const file = join(mkdtempSync(join(tmpdir(), 've-deps-')), 'packages.txt');
  writeFileSync(file, list);
  return spawnSync(process.execPath, [join(root, 'scripts', 'system-deps.mjs'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, VE_DEBIAN_PACKAGES: file },
  });
}

describe('the test command', () => {
  it('CI runs exactly the README test command, and npm test checks the Debian packages first', () => {
    const command = readmeTestCommand();
    const ci = read('.ci/run')
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith('#') && !/^(set|cd) /.test(l));
    assert.deepEqual(ci, [command]);
    const scripts = JSON.parse(read('package.json')).scripts as Record<string, string>;
    assert.match(scripts.pretest ?? '', /^node scripts\/system-deps\.mjs && /);
  });

  it('lists the packages the suite needs, one line each: the package, then the command it installs', () => {
    const lines = read('scripts/debian-packages.txt')
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith('#'));
    for (const l of lines) assert.match(l, /^[a-z0-9.+-]+ [^\s]+$/, l);
    const packages = lines.map((l) => l.split(' ')[0]);
    for (const p of ['chromium', 'bubblewrap', 'socat']) assert.ok(packages.includes(p), p);
  });

  it('passes quietly when every command is there, and names the exact install line when one is not', () => {
    const ok = deps('node-itself node\n', '--check');
    assert.deepEqual([ok.status, ok.stderr], [0, '']);
    const missing = deps('# a comment\nnode-itself node\nno-such-package no-such-command-ve\n', '--check');
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /missing: no-such-package\n/);
    assert.match(missing.stderr, /sudo apt-get install -y no-such-package\n/);
  });
});
