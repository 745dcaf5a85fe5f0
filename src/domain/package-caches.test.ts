/** The package-cache variables and how they are laid over an inherited environment. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { packageCacheEnv, withVariables } from './package-caches.js';

describe('packageCacheEnv', () => {
  it('points every package manager at its own folder under the cache', () => {
    const env = packageCacheEnv('/p/.ve/cache/');
    for (const name of [
      'npm_config_cache',
      'pnpm_config_store_dir',
      'YARN_GLOBAL_FOLDER',
      'XDG_CACHE_HOME',
      'PIP_CACHE_DIR',
      'UV_CACHE_DIR',
      'POETRY_CACHE_DIR',
      'GOMODCACHE',
      'GOCACHE',
      'CARGO_HOME',
    ])
      assert.match(env[name] ?? '', /^\/p\/\.ve\/cache\/[a-z-]+(\/[a-z]+)?$/, name);
    const folders = Object.values(env);
    assert.equal(new Set(folders).size, folders.length, 'no two tools share a folder');
  });

  it('sets no variable another tool complains about or misreads', () => {
    const names = Object.keys(packageCacheEnv('/c'));
    // npm warns about unknown npm_config_* keys; YARN_CACHE_FOLDER would move a Berry project's own cache
    assert.deepEqual(
      names.filter((n) => /^npm_config_/i.test(n)),
      ['npm_config_cache'],
    );
    assert.ok(!names.includes('YARN_CACHE_FOLDER'));
  });
});

describe('withVariables', () => {
  it('adds the variables and drops inherited spellings of them in another case', () => {
    const env = withVariables(
      { PATH: '/bin', NPM_CONFIG_CACHE: '/home/me/.npm', npm_config_registry: 'http://r' },
      { npm_config_cache: '/p/.ve/cache/npm' },
    );
    assert.deepEqual(env, {
      PATH: '/bin',
      npm_config_registry: 'http://r',
      npm_config_cache: '/p/.ve/cache/npm',
    });
  });
});
