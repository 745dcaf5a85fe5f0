/** Which inherited variables came from an npm script launcher. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { npmScriptVariables, startedByNpmScript } from './launcher-env.js';

/** What `npm test` in /work/other put into its child's environment (trimmed from a real one). */
const UNDER_NPM = {
  PATH: '/usr/bin',
  HOME: '/root',
  INIT_CWD: '/work/other',
  NODE: '/usr/bin/node',
  npm_command: 'test',
  npm_execpath: '/usr/lib/node_modules/npm/bin/npm-cli.js',
  npm_node_execpath: '/usr/bin/node',
  npm_lifecycle_event: 'test',
  npm_lifecycle_script: 'node scripts/run-tests.mjs',
  npm_config_local_prefix: '/work/other',
  npm_config_omit_lockfile_registry_resolved: 'true',
  npm_config_cache: '/root/.npm',
  npm_config_userconfig: '/root/.npmrc',
  npm_package_name: 'other',
  npm_package_json: '/work/other/package.json',
  NPM_CONFIG_REGISTRY: 'http://registry.internal',
  pnpm_config_store_dir: '/s',
};

describe('npmScriptVariables', () => {
  it('names what npm set for the script, and keeps the operator’s own settings', () => {
    assert.equal(startedByNpmScript(UNDER_NPM), true);
    const dropped = new Set(npmScriptVariables(UNDER_NPM));
    const kept = Object.keys(UNDER_NPM).filter((k) => !dropped.has(k));
    assert.deepEqual(kept.sort(), ['HOME', 'NPM_CONFIG_REGISTRY', 'PATH', 'pnpm_config_store_dir']);
  });

  it('names nothing when npm did not start the process, even if npm_config_* variables are set', () => {
    const shell = { PATH: '/usr/bin', NODE: '/opt/node', npm_config_registry: 'http://r', INIT_CWD: '/x' };
    assert.equal(startedByNpmScript(shell), false);
    assert.deepEqual(npmScriptVariables(shell), []);
  });
});
