import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { suggestVerifyCommand } from './verify-detect.js';
import { resolveVerifySettings } from './verify-settings.js';

const config = { verify_command: null, verify_timeout_seconds: 1800, verify_parallelism: 2 } as const;

describe('resolveVerifySettings', () => {
  it('takes the daemon config first, then ve.yaml, and says where from', () => {
    const repo = { verify_command: 'make test', verify_timeout_seconds: 60 };
    assert.deepEqual(resolveVerifySettings({ ...config, verify_command: 'npm test' }, repo), {
      command: 'npm test',
      source: 'config',
      timeout_seconds: 1800,
      parallelism: 2,
    });
    assert.deepEqual(resolveVerifySettings(config, repo), {
      command: 'make test',
      source: 'repository',
      timeout_seconds: 60,
      parallelism: 2,
    });
    assert.equal(resolveVerifySettings(config, null).source, 'none');
    assert.equal(resolveVerifySettings(config, {}).command, null);
  });

  it('lets the operator turn a committed command off, and holds on an unreadable ve.yaml', () => {
    const off = resolveVerifySettings({ ...config, verify_command: false }, { verify_command: 'make test' });
    assert.deepEqual([off.command, off.source], [null, 'off']);
    const bad = resolveVerifySettings(config, { error: 've.yaml: could not parse' });
    assert.deepEqual([bad.command, bad.source, bad.error], [null, 'invalid', 've.yaml: could not parse']);
  });
});

describe('suggestVerifyCommand', () => {
  const files = (o: Record<string, string>) => new Map(Object.entries(o));
  it('finds the test command a project already has', () => {
    const pkg = JSON.stringify({ scripts: { test: 'node --test' } });
    assert.equal(suggestVerifyCommand(files({ 'package.json': pkg }))?.command, 'npm test');
    assert.equal(
      suggestVerifyCommand(files({ 'package.json': pkg, 'pnpm-lock.yaml': '' }))?.command,
      'pnpm test',
    );
    assert.equal(
      suggestVerifyCommand(files({ Makefile: 'all:\n\tcc x.c\ntest: all\n\t./t\n' }))?.command,
      'make test',
    );
    assert.equal(suggestVerifyCommand(files({ 'Cargo.toml': '' }))?.command, 'cargo test');
    assert.equal(suggestVerifyCommand(files({ 'go.mod': 'module x' }))?.command, 'go test ./...');
    const py = files({ 'pyproject.toml': '[tool.pytest.ini_options]\n', 'uv.lock': '' });
    assert.equal(suggestVerifyCommand(py)?.command, 'uv run pytest');
  });

  it('suggests nothing for npm’s placeholder, a Makefile without tests, or an unreadable package.json', () => {
    const placeholder = JSON.stringify({ scripts: { test: 'echo "Error: no test specified" && exit 1' } });
    assert.equal(suggestVerifyCommand(files({ 'package.json': placeholder })), null);
    assert.equal(suggestVerifyCommand(files({ Makefile: 'build:\n\tcc x.c\n' })), null);
    assert.equal(suggestVerifyCommand(files({ 'package.json': '{not json' })), null);
  });
});
