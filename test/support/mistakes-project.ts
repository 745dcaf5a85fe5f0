/**
 * The project the misbehaving model works on (test/support/misbehaving-brain.ts): an npm project
 * whose `npm test` (`node test.js`) checks that every `src/<name>.js` exports `chunkName()` returning
 * `<name>`, with one dependency installed offline from the project's package cache (ve detects
 * `npm ci` from the lockfile); each chunk, with a written plan (so its unit starts at IMPLEMENT), adds
 * one such module. Plus the real daemon, driven
 * through the real CLI, with the real Claude Code binary talking to the scripted model.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  envForScriptedModel,
  type ScriptedModelServer,
  startScriptedModelServer,
} from '../../src/demo/scripted-model-server.js';
import { writeChunk } from './chunk-docs.js';
import { runVe } from './cli.js';
import { DEPENDENCY, MisbehavingBrain, type MisbehavingOptions } from './misbehaving-brain.js';
import { fillNpmCache, makeTarball, writeOfflineNpmProject } from './offline-npm.js';
import { socketApi } from './socket-api.js';
import { makeTempRepo, type TempRepo } from './temp-repo.js';

export const TEST_JS = `import { readdirSync } from 'node:fs';
let failed = 0;
for (const file of readdirSync('src').filter((f) => f.endsWith('.js')).sort()) {
  const name = file.slice(0, -3);
  const got = (await import(\`./src/\${file}\`)).chunkName?.();
  if (got !== name) {
    console.error(\`src/\${file}: chunkName() should return '\${name}', got \${JSON.stringify(got)}\`);
    failed++;
  }
}
if (failed > 0) process.exit(1);
console.log('all modules pass');
`;

export interface MistakesProject {
  repo: TempRepo;
  root: string;
  server: ScriptedModelServer;
  api: ReturnType<typeof socketApi>;
  /** `ve <args> --project-dir <root>`, failing the test unless it exits 0; returns stdout */
  ve(...args: string[]): Promise<string>;
  /** stops the daemon and the model server, removes the repository */
  cleanup(): Promise<void>;
}

export async function makeMistakesProject(
  chunks: readonly string[],
  brain: MisbehavingOptions,
): Promise<MistakesProject> {
  const repo = makeTempRepo({ prefix: 've-mistakes-' });
  // an npm project with a dependency that only the project's package cache holds (no network)
  const tarballs = mkdtempSync(join(tmpdir(), 've-mistakes-tarballs-'));
  const dependency = makeTarball(tarballs, DEPENDENCY, '1.0.0', {
    // what the code that needs it calls
    'index.js': 'exports.answer = () => 42;\n',
  });
  writeOfflineNpmProject(repo.root, [dependency], { type: 'module', scripts: { test: 'node test.js' } });
  repo.writeFile('test.js', TEST_JS);
  repo.writeFile('src/index.js', "export const chunkName = () => 'index';\n");
  for (const name of chunks) {
    writeChunk(
      repo.root,
      name,
      {
        depends_on: [],
        code_paths: [`src/${name}.js`],
        goal: `Add src/${name}.js exporting chunkName(), which returns '${name}'.`,
        criteria: ['`node test.js` passes'],
      },
      {
        approach: `One module, src/${name}.js, that \`node test.js\` checks.`,
        steps: [`Write the module.\n   Location: src/${name}.js#chunkName`],
      },
    );
  }
  repo.commitAll('an npm project that tests itself with node test.js, and its chunks');
  fillNpmCache(join(repo.root, '.ve', 'cache', 'npm'), [dependency]);
  rmSync(tarballs, { recursive: true, force: true });
  const model = new MisbehavingBrain(brain);
  const server = await startScriptedModelServer((req) => model.reply(req));
  const home = mkdtempSync(join(tmpdir(), 've-home-'));
  const env = {
    ...envForScriptedModel(server.url, home),
    CLAUDE_CODE_MAX_RETRIES: '0',
  };
  const root = repo.root;
  return {
    repo,
    root,
    server,
    api: socketApi(root),
    async ve(...args) {
      const res = await runVe([...args, '--project-dir', root], { cwd: root, env, timeoutMs: 60_000 });
      assert.equal(res.code, 0, `ve ${args.join(' ')} failed: ${res.stderr}`);
      return res.stdout;
    },
    async cleanup() {
      await runVe(['orch', 'stop', '--project-dir', root], { cwd: root, env });
      await server.close();
      repo.cleanup();
      rmSync(home, { recursive: true, force: true });
    },
  };
}
