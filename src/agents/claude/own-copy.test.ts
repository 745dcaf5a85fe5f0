/**
 * A write by an agent to a hard-linked file in its worktree (a shared node_modules) first gets the file
 * its own copy: through the tool gate for the file tools and for shell write targets.
 */
import assert from 'node:assert/strict';
import {
  chmodSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { HookInput } from '@anthropic-ai/claude-agent-sdk';
import { silentLogger } from '../../infra/json-logger.js';
import { createToolGate } from './can-use-tool.js';
import { ownCopies } from './own-copy.js';

let dir: string;
let worktree: string;
let template: string;
let linked: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 've-own-copy-'));
  worktree = join(dir, 'host', '.ve', 'chunks', 'feat', 'worktree');
  template = join(dir, 'host', '.ve', 'deps', 'index.js');
  mkdirSync(join(worktree, 'node_modules', 'dep'), { recursive: true });
  mkdirSync(join(dir, 'host', '.ve', 'deps'), { recursive: true });
  writeFileSync(template, 'module.exports = 42;\n');
  chmodSync(template, 0o444);
  linked = join(worktree, 'node_modules', 'dep', 'index.js');
  linkSync(template, linked);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const assertOwnCopy = () => {
  assert.equal(statSync(linked).nlink, 1, 'the worktree file has its own copy');
  assert.equal(statSync(template).nlink, 1);
  assert.equal(readFileSync(linked, 'utf8'), 'module.exports = 42;\n', 'with the same content');
  assert.notEqual(statSync(linked).mode & 0o200, 0, 'and it is writable');
  writeFileSync(linked, 'module.exports = 0;\n');
  assert.equal(readFileSync(template, 'utf8'), 'module.exports = 42;\n', 'the shared file is untouched');
};

describe('ownCopies', () => {
  it('gives a hard-linked file inside the worktree its own writable copy', async () => {
    await ownCopies([linked, join(worktree, 'new-file.txt')], worktree, silentLogger);
    assertOwnCopy();
  });

  it('leaves files outside the worktree and unshared files alone', async () => {
    const outside = join(dir, 'outside.js');
    linkSync(template, outside);
    writeFileSync(join(worktree, 'plain.txt'), 'x');
    await ownCopies([outside, join(worktree, 'plain.txt')], worktree, silentLogger);
    assert.equal(statSync(template).nlink, 3);
  });
});

describe('the tool gate', () => {
  const gate = () =>
    createToolGate({
      worktree,
      hostRoot: join(dir, 'host'),
      observer: { signal: new AbortController().signal, onQuestion: async () => ({ answers: {} }) },
      emit: () => {},
      log: silentLogger,
    });
  const preToolUse = (tool_name: string, tool_input: unknown) =>
    gate().preToolUse(
      {
        hook_event_name: 'PreToolUse',
        tool_name,
        tool_input,
        session_id: 's',
        transcript_path: '',
        cwd: worktree,
      } as HookInput,
      'toolu_1',
      { signal: new AbortController().signal },
    );

  it('makes the copy before an Edit of a file in node_modules', async () => {
    const r = await preToolUse('Edit', {
      file_path: 'node_modules/dep/index.js',
      old_string: '42',
      new_string: '0',
    });
    assert.deepEqual(r, { continue: true });
    assertOwnCopy();
  });

  it('makes the copy before a shell command writes into it', async () => {
    const r = await preToolUse('Bash', { command: 'echo "// debug" >> node_modules/dep/index.js' });
    assert.deepEqual(r, { continue: true });
    assertOwnCopy();
  });
});
