/**
 * Issue 10's semantic-conflict pair, for the real Claude Code binary: a project whose `node test.js`
 * passes, one chunk that renames `hello` to `greet` (and its callers), and one that adds a new caller
 * of `hello`. Each passes alone; git merges both cleanly; together they fail. The scripted model plays
 * both agents and, sent back with a failing verification, fixes the callers it finds.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createChunk, initProject } from '../../src/chunks/templates.js';
import {
  assistantTurns,
  latestPrompt,
  requestIdentity,
  ScriptedBrain,
} from '../../src/demo/scripted-brain.js';
import { isMainLoop, type MessagesRequest, type ModelReply } from '../../src/demo/scripted-model-server.js';

export const PAIR = ['rename_hello', 'add_caller'] as const;

const TEST_JS = `import { existsSync } from 'node:fs';
const { banner } = await import('./src/app.js');
if (banner() !== 'Hello, world!') throw new Error('banner: ' + banner());
if (existsSync('./src/caller.js')) {
  const { welcome } = await import('./src/caller.js');
  if (welcome() !== 'Hello, ops!') throw new Error('welcome: ' + welcome());
}
console.log('all checks pass');
`;

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] }).toString();

export async function createSemanticConflictRepo(): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 've-semantic-'));
  git(root, 'init', '-q', '-b', 'main');
  git(root, 'config', 'user.name', 've test');
  git(root, 'config', 'user.email', 'test@ve.local');
  mkdirSync(join(root, 'src'));
  writeFileSync(join(root, 'package.json'), '{ "type": "module", "scripts": { "test": "node test.js" } }\n');
  writeFileSync(
    join(root, 'src', 'greet.js'),
    ['export function hello(name) {', '  return `Hello, ' + '$' + '{name}!`;', '}', ''].join('\n'),
  );
  writeFileSync(
    join(root, 'src', 'app.js'),
    "import { hello } from './greet.js';\nexport const banner = () => hello('world');\n",
  );
  writeFileSync(join(root, 'test.js'), TEST_JS);
  await initProject(root);
  const goals: Record<(typeof PAIR)[number], string> = {
    rename_hello: 'Rename the function `hello` in src/greet.js to `greet`, and update its callers.',
    add_caller: 'Add src/caller.js exporting `welcome()`, which greets the ops team with `hello`.',
  };
  for (const name of PAIR) {
    const dir = await createChunk(root, name, { future: true, dependsOn: [] });
    const goal = join(dir, 'GOAL.md');
    writeFileSync(
      goal,
      readFileSync(goal, 'utf8').replace(/(## Minor Goal\n\n)<!--[\s\S]*?-->/, `$1${goals[name]}`),
    );
    // a written plan: the units start at IMPLEMENT
    writeFileSync(join(dir, 'PLAN.md'), `# Plan\n\n## Approach\n\n${goals[name]}\n\n## Steps\n\n1. Do it.\n`);
  }
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', 'a project that tests itself with node test.js, and two chunks');
  return root;
}

const bash = (command: string, description: string): ModelReply => ({
  toolUses: [{ name: 'Bash', input: { command, description } }],
});

/** The model: both chunks' IMPLEMENT, and the fix when a verification failure sends one back. */
export class SemanticConflictBrain {
  private readonly rest = new ScriptedBrain();
  /** IMPLEMENT sessions that started with a failed verification, by chunk */
  readonly fixes: string[] = [];

  reply(req: MessagesRequest): ModelReply {
    if (!isMainLoop(req)) return { text: 'ok' };
    const id = requestIdentity(req);
    if (id?.phase !== 'IMPLEMENT') return this.rest.reply(req);
    const turn = assistantTurns(req);
    if (/verify command/.test(latestPrompt(req))) {
      if (turn === 0) this.fixes.push(id.chunk);
      const steps = [
        () => bash('node test.js || true', 'See the failure'),
        () => bash("sed -i 's/\\bhello\\b/greet/g' src/*.js && node test.js", 'Use the new name everywhere'),
        () => bash('git add -A && git commit -qm "use greet, the renamed function"', 'Commit the fix'),
      ];
      return steps[turn]?.() ?? { text: `Fixed ${id.chunk}: every caller uses greet.` };
    }
    const steps =
      id.chunk === 'rename_hello'
        ? [
            () =>
              bash(
                "sed -i 's/\\bhello\\b/greet/g' src/greet.js src/app.js && node test.js",
                'Rename hello to greet',
              ),
            () => bash('git add -A && git commit -qm "rename hello to greet"', 'Commit'),
          ]
        : [
            (): ModelReply => ({
              toolUses: [
                {
                  name: 'Write',
                  input: {
                    file_path: `${id.worktree}/src/caller.js`,
                    content:
                      "import { hello } from './greet.js';\nexport const welcome = () => hello('ops');\n",
                  },
                },
              ],
            }),
            () => bash('node test.js && git add -A && git commit -qm "add a caller"', 'Test and commit'),
          ];
    return steps[turn]?.() ?? { text: `IMPLEMENT for ${id.chunk} is done.` };
  }
}
