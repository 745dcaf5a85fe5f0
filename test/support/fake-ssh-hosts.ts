/**
 * Hosts for fast tests: test/fixtures/fake-ssh stands in for OpenSSH and runs each "remote" command
 * locally, in a folder per host, so every piece of ve's ssh code runs for real without an sshd.
 * `down(host)` cuts the host off (new connections fail like ssh's own, live sessions end with 255);
 * `up(host)` brings it back. The real OpenSSH hosts are in netns-hosts.ts.
 */
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { controlDirFor, SshTransport } from '../../src/hosts/ssh-transport.js';
import { repoRoot } from './agent-fixtures.js';

export interface FakeSshHosts {
  /** the folder holding each host's "home" (`<root>/<host>`) */
  root: string;
  /** the stand-in's path, for SshTransport's `ssh` option */
  binary: string;
  /** a transport through the stand-in, its control folder under `stateDir` */
  transport(stateDir: string): SshTransport;
  home(host: string): string;
  down(host: string): void;
  up(host: string): void;
  isDown(host: string): boolean;
  cleanup(): void;
}

export function fakeSshHosts(): FakeSshHosts {
  const root = mkdtempSync(join(tmpdir(), 've-fake-hosts-'));
  // the hosts' folder is baked into a wrapper: git runs ssh with its own environment, not ours
  const binary = join(root, '.ssh-stand-in');
  const fixture = join(repoRoot(), 'test', 'fixtures', 'fake-ssh');
  writeFileSync(binary, `#!/bin/sh\nVE_FAKE_SSH_ROOT='${root}' exec '${fixture}' "$@"\n`);
  chmodSync(binary, 0o755);
  return {
    root,
    binary,
    transport: (stateDir) => new SshTransport({ controlDir: controlDirFor(stateDir), ssh: binary }),
    home: (host) => join(root, host),
    down: (host) => writeFileSync(join(root, `${host}.down`), ''),
    up: (host) => rmSync(join(root, `${host}.down`), { force: true }),
    isDown: (host) => existsSync(join(root, `${host}.down`)),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}
