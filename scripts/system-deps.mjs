#!/usr/bin/env node
// The Debian packages the tests need (scripts/debian-packages.txt): present → nothing; missing and run
// as root with apt-get → installed; otherwise the exact command to install them, and exit 1.
// Usage: node scripts/system-deps.mjs [--check]   (--check never installs)
import { spawnSync } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const LIST = process.env.VE_DEBIAN_PACKAGES ?? new URL('./debian-packages.txt', import.meta.url);
const checkOnly = process.argv.includes('--check');

const wanted = readFileSync(LIST, 'utf8')
  .split('\n')
  .map((l) => l.replace(/#.*/, '').trim())
  .filter(Boolean)
  .map((l) => {
    const [pkg, command = pkg] = l.split(/\s+/);
    return { pkg, command };
  });

const onPath = (command) =>
  (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false; // not in this directory: try the next
    }
  });

const missing = () => wanted.filter((w) => !onPath(w.command)).map((w) => w.pkg);

let absent = missing();
if (absent.length > 0 && !checkOnly && process.getuid?.() === 0 && onPath('apt-get')) {
  console.error(`installing the Debian packages the tests need: ${absent.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const run = (args) =>
    spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env }).status === 0;
  if (!run(['update', '-qq']) || !run(['install', '-y', '-qq', ...absent])) {
    console.error('apt-get failed (see above)');
    process.exit(1);
  }
  absent = missing();
}
if (absent.length > 0) {
  console.error(
    `the tests need these Debian packages, which are missing: ${absent.join(' ')}\n` +
      `install them with:  sudo apt-get install -y ${absent.join(' ')}\n` +
      '(run as root, npm test installs them itself)',
  );
  process.exit(1);
}
