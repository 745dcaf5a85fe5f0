/** The demo's throwaway repository: a tiny project with four chunks, two of them dependent. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createChunk, initProject } from '../chunks/templates.js';

export interface DemoChunk {
  name: string;
  dependsOn: string[];
  goal: string;
}

export const DEMO_CHUNKS: DemoChunk[] = [
  { name: 'greeting', dependsOn: [], goal: 'Add a greeting module that says hello to the user.' },
  { name: 'farewell', dependsOn: [], goal: 'Add a farewell module that says goodbye politely.' },
  { name: 'clock', dependsOn: [], goal: 'Add a clock module that reports the time of day.' },
  {
    name: 'summary',
    dependsOn: ['greeting', 'farewell'],
    goal: 'Add a summary module that uses the greeting and the farewell.',
  },
];

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] }).toString();

export async function createDemoRepo(): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 've-demo-'));
  git(root, 'init', '-q', '-b', 'main');
  git(root, 'config', 'user.name', 've demo');
  git(root, 'config', 'user.email', 'demo@ve.local');
  writeFileSync(
    join(root, 'README.md'),
    '# demo project\n\nA throwaway repository created by `npm run demo`.\n',
  );
  mkdirSync(join(root, 'src'));
  writeFileSync(join(root, 'src', 'index.js'), "export const name = 'demo';\n");
  await initProject(root);
  for (const c of DEMO_CHUNKS) {
    const dir = await createChunk(root, c.name, { future: true, dependsOn: c.dependsOn });
    const goal = join(dir, 'GOAL.md');
    writeFileSync(
      goal,
      readFileSync(goal, 'utf8').replace(/(## Minor Goal\n\n)<!--[\s\S]*?-->/, `$1${c.goal}`),
    );
  }
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '-m', 'demo project with four chunks');
  return root;
}

export function baseLog(root: string): string {
  return git(root, 'log', '--oneline', '--graph', '--decorate=short', 'main');
}
