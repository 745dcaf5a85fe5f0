/**
 * The project the misbehaving model works on (test/support/misbehaving-brain.ts): `node test.js`
 * checks that every `src/<name>.js` exports `chunkName()` returning `<name>`, and each chunk, with a
 * written plan (so its unit starts at IMPLEMENT), adds one such module. Plus the real daemon, driven
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
import { MisbehavingBrain, type MisbehavingOptions } from './misbehaving-brain.js';
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
  repo.writeFile('.gitignore', '.ve/\n');
  repo.writeFile('package.json', '{ "type": "module", "scripts": { "test": "node test.js" } }\n');
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
  repo.commitAll('a project that tests itself with node test.js, and its chunks');
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
