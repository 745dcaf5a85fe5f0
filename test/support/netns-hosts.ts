/**
 * SSH hosts on one machine, for tests (issue 13 §6): each host is a network namespace behind a
 * bridge, with Debian's sshd running inside it and its own Unix user (0700 home, an authorized key,
 * git settings, optionally its own copy of the Claude Code binary). The daemon side is another
 * unprivileged user with its own ~/.ssh (key, known_hosts, a config naming every host), so code run
 * as that user can reach a host only through ssh. Needs root; when setup is impossible
 * `createHostPool` throws with the reason (a test must fail, never skip).
 *
 * Everything a pool creates is recorded in a claim folder under /run before it is created, so
 * `teardown` — or the next pool, when a test process died — removes exactly that and nothing else.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net';
import { join } from 'node:path';
import {
  type ClaimRecord,
  claimSubnet,
  daemonUserEnv,
  killProcesses,
  namespaceProcesses,
  releaseClaim,
  saveClaim,
  sh,
  type UserInfo,
  userInfo,
} from './netns-claims.js';

export { type NamespaceProcess, namespaceProcesses } from './netns-claims.js';

export interface TestHost {
  /** short name, also the Host alias in the daemon user's ~/.ssh/config */
  name: string;
  namespace: string;
  /** the host's address on the pool's bridge */
  address: string;
  /** user@address, for callers that do not use the alias */
  target: string;
  user: string;
  uid: number;
  gid: number;
  home: string;
  /** the host's own copy of the Claude Code binary, or null when the pool was made without one */
  claudePath: string | null;
}

export interface DaemonUser extends UserInfo {
  /** private key the hosts accept */
  keyPath: string;
  /** environment for a process running as this user (HOME, USER, PATH, C.UTF-8) */
  env(extra?: Record<string, string>): Record<string, string>;
  /** runs a command as this user; resolves with its exit status and output (null: killed at `timeoutMs`) */
  exec(
    command: string,
    args: string[],
    opts?: { cwd?: string; input?: string; env?: Record<string, string>; timeoutMs?: number },
  ): Promise<{ code: number | null; stdout: string; stderr: string }>;
  spawn(command: string, args: string[], opts?: { cwd?: string; env?: Record<string, string> }): ChildProcess;
}

export interface HostPool {
  hosts: TestHost[];
  daemon: DaemonUser;
  /** the root namespace's address on the bridge: what a host dials to reach a server run by a test */
  gateway: string;
  /** kills every sshd of the host (the listener and each per-connection child), cutting live sessions */
  killSshd(host: TestHost): Promise<void>;
  /** starts the host's sshd again; resolves when it listens */
  startSshd(host: TestHost): Promise<void>;
  /** a description of the pool for a child process (see `poolFromEnv`) */
  describe(): PoolDescription;
  /** removes everything the pool created; safe to call twice */
  teardown(): Promise<void>;
}

/** What a process running as the daemon user needs to know about the pool. */
export interface PoolDescription {
  gateway: string;
  daemonHome: string;
  hosts: Omit<TestHost, 'namespace' | 'uid' | 'gid'>[];
}

const POOL_ENV = 'VE_TEST_HOST_POOL';

/** The pool description a parent passed with `runAsDaemon`; throws when there is none. */
export function poolFromEnv(): PoolDescription {
  const raw = process.env[POOL_ENV];
  if (!raw) throw new Error(`${POOL_ENV} is not set: run this file through runAsDaemon`);
  return JSON.parse(raw) as PoolDescription;
}

export interface HostPoolOptions {
  hosts: number;
  /** copy the SDK's Claude Code binary into each host's home (about 400 MB and 2 s each) */
  claudeBinary?: string | null;
}

export async function createHostPool(opts: HostPoolOptions): Promise<HostPool> {
  if (process.getuid?.() !== 0) throw new Error('createHostPool needs root (network namespaces, useradd)');
  for (const tool of ['ip', 'useradd', 'ssh-keygen', 'ssh', '/usr/sbin/sshd', 'git']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      throw new Error(
        `createHostPool: ${tool} is missing (apt-get install iproute2 openssh-server openssh-client git)`,
      );
    }
  }
  const claim = claimSubnet();
  const sshds = new Map<string, ChildProcess>();
  const pool = { claim, sshds, hosts: [] as TestHost[] };
  try {
    return await buildPool(pool, opts);
  } catch (err) {
    await teardownClaim(claim, sshds);
    throw new Error(`createHostPool: setup failed: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
}

async function buildPool(
  pool: { claim: ClaimRecord; sshds: Map<string, ChildProcess>; hosts: TestHost[] },
  opts: HostPoolOptions,
): Promise<HostPool> {
  const { claim, sshds } = pool;
  const net = `10.231.${claim.octet}`;
  const gateway = `${net}.1`;
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 }); // sshd's privilege-separation directory

  claim.links.push(claim.bridge);
  saveClaim(claim);
  sh('ip', 'link', 'add', claim.bridge, 'type', 'bridge');
  sh('ip', 'addr', 'add', `${gateway}/24`, 'dev', claim.bridge);
  sh('ip', 'link', 'set', claim.bridge, 'up');

  const daemon = makeDaemonUser(claim);
  const hosts: TestHost[] = [];
  for (let n = 1; n <= opts.hosts; n++) {
    const host = makeHost(claim, n, `${net}.${n + 1}`, daemon, opts.claudeBinary ?? null);
    hosts.push(host);
    await startSshd(claim, sshds, host);
  }
  writeDaemonSshConfig(claim, daemon, hosts);
  let done = false;
  return {
    hosts,
    daemon,
    gateway,
    killSshd: (host) => killSshd(sshds, host),
    startSshd: (host) => startSshd(claim, sshds, host),
    describe: () => ({
      gateway,
      daemonHome: daemon.home,
      hosts: hosts.map(({ namespace: _n, uid: _u, gid: _g, ...rest }) => rest),
    }),
    teardown: async () => {
      if (done) return;
      done = true;
      await teardownClaim(claim, sshds);
    },
  };
}

function addUser(claim: ClaimRecord, name: string): UserInfo {
  claim.users.push(name);
  saveClaim(claim);
  const home = `/home/${name}`;
  sh('useradd', '--create-home', '--home-dir', home, '--shell', '/bin/bash', '--user-group', name);
  // no password, but not locked: sshd without PAM refuses a locked account ('!' in shadow)
  sh('usermod', '-p', '*', name);
  chmodSync(home, 0o700);
  return userInfo(name);
}

function makeDaemonUser(claim: ClaimRecord): DaemonUser {
  const info = addUser(claim, `${claim.prefix}d`);
  const sshDir = join(info.home, '.ssh');
  mkdirSync(sshDir, { mode: 0o700 });
  const keyPath = join(sshDir, 'id_ed25519');
  sh('ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', `${info.name}@ve-test`, '-f', keyPath);
  sh('chown', '-R', `${info.uid}:${info.gid}`, sshDir);
  const env = (extra: Record<string, string> = {}) => daemonUserEnv(info, extra);
  const spawnAs = (command: string, args: string[], o: { cwd?: string; env?: Record<string, string> } = {}) =>
    spawn(command, args, {
      cwd: o.cwd ?? info.home,
      env: env(o.env),
      uid: info.uid,
      gid: info.gid,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  return {
    ...info,
    keyPath,
    env,
    spawn: spawnAs,
    exec: (command, args, o = {}) =>
      new Promise((resolve, reject) => {
        const child = spawnAs(command, args, o);
        let stdout = '';
        let stderr = '';
        child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
        child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
        const timer = o.timeoutMs
          ? setTimeout(() => {
              stderr += `\n[killed after ${o.timeoutMs} ms]\n`;
              child.kill('SIGKILL');
            }, o.timeoutMs)
          : null;
        child.on('error', reject);
        child.on('close', (code) => {
          if (timer) clearTimeout(timer);
          resolve({ code, stdout, stderr });
        });
        child.stdin?.on('error', () => {
          // the command may exit before reading its stdin (EPIPE); its exit status tells the story
        });
        child.stdin?.end(o.input ?? '');
      }),
  };
}

function makeHost(
  claim: ClaimRecord,
  n: number,
  address: string,
  daemon: DaemonUser,
  claudeBinary: string | null,
): TestHost {
  const namespace = `${claim.prefix}h${n}`;
  const rootSide = `${claim.prefix}r${n}`;
  const nsSide = `${claim.prefix}n${n}`;
  claim.namespaces.push(namespace);
  claim.links.push(rootSide);
  saveClaim(claim);
  sh('ip', 'netns', 'add', namespace);
  sh('ip', 'link', 'add', rootSide, 'type', 'veth', 'peer', 'name', nsSide);
  sh('ip', 'link', 'set', nsSide, 'netns', namespace);
  sh('ip', 'link', 'set', rootSide, 'master', claim.bridge, 'up');
  sh('ip', 'netns', 'exec', namespace, 'ip', 'addr', 'add', `${address}/24`, 'dev', nsSide);
  sh('ip', 'netns', 'exec', namespace, 'ip', 'link', 'set', nsSide, 'up');
  sh('ip', 'netns', 'exec', namespace, 'ip', 'link', 'set', 'lo', 'up');

  const info = addUser(claim, namespace);
  const sshDir = join(info.home, '.ssh');
  mkdirSync(sshDir, { mode: 0o700 });
  writeFileSync(join(sshDir, 'authorized_keys'), readFileSync(`${daemon.keyPath}.pub`), { mode: 0o600 });
  writeFileSync(
    join(info.home, '.gitconfig'),
    `[user]\n\tname = ${info.name}\n\temail = ${info.name}@ve-test.invalid\n[commit]\n\tgpgsign = false\n`,
  );
  let claudePath: string | null = null;
  if (claudeBinary) {
    mkdirSync(join(info.home, 'bin'));
    claudePath = join(info.home, 'bin', 'claude');
    copyFileSync(claudeBinary, claudePath);
    chmodSync(claudePath, 0o755);
  }
  sh('chown', '-R', `${info.uid}:${info.gid}`, info.home);

  // the host's sshd: its own config, host key and pid-less foreground process in the namespace
  const dir = join(claim.dir, `h${n}`);
  mkdirSync(dir, { mode: 0o700 });
  sh('ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', namespace, '-f', join(dir, 'host_key'));
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      `ListenAddress ${address}:22`,
      `HostKey ${join(dir, 'host_key')}`,
      'PidFile none',
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'AuthorizedKeysFile .ssh/authorized_keys',
      `AllowUsers ${info.name}`,
      'PermitRootLogin no',
      'StrictModes yes',
      'X11Forwarding no',
      'AllowAgentForwarding no',
      'PermitUserEnvironment no',
      'PrintMotd no',
      'UseDNS no',
      // sessions multiplexed over one connection: one per phase in flight plus short commands
      'MaxSessions 32',
      'LogLevel VERBOSE',
      '',
    ].join('\n'),
  );
  return {
    name: `h${n}`,
    namespace,
    address,
    target: `${info.name}@${address}`,
    user: info.name,
    uid: info.uid,
    gid: info.gid,
    home: info.home,
    claudePath,
  };
}

/** ~/.ssh/config and known_hosts of the daemon user: the hosts by alias, their keys pinned. */
function writeDaemonSshConfig(claim: ClaimRecord, daemon: DaemonUser, hosts: TestHost[]): void {
  const sshDir = join(daemon.home, '.ssh');
  const known = hosts.map((h) => {
    const pub = readFileSync(join(claim.dir, h.name, 'host_key.pub'), 'utf8').split(' ');
    return `${h.address} ${pub[0]} ${pub[1]}`;
  });
  writeFileSync(join(sshDir, 'known_hosts'), `${known.join('\n')}\n`, { mode: 0o600 });
  const entries = hosts.map((h) => `Host ${h.name}\n  HostName ${h.address}\n  User ${h.user}\n`);
  writeFileSync(
    join(sshDir, 'config'),
    `${entries.join('\n')}\nHost *\n  IdentityFile ${daemon.keyPath}\n  IdentitiesOnly yes\n  StrictHostKeyChecking yes\n`,
    { mode: 0o600 },
  );
  sh('chown', '-R', `${daemon.uid}:${daemon.gid}`, sshDir);
}

async function startSshd(
  claim: ClaimRecord,
  sshds: Map<string, ChildProcess>,
  host: TestHost,
): Promise<void> {
  if (sshds.has(host.name)) throw new Error(`sshd of ${host.name} is already running`);
  const config = join(claim.dir, host.name, 'sshd_config');
  const child = spawn('ip', ['netns', 'exec', host.namespace, '/usr/sbin/sshd', '-D', '-e', '-f', config], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  sshds.set(host.name, child);
  child.once('exit', () => {
    if (sshds.get(host.name) === child) sshds.delete(host.name);
  });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`sshd of ${host.name} did not listen in 10 s: ${log}`)),
      10_000,
    );
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      log = (log + d).slice(-4000);
      if (/Server listening on/.test(log)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`sshd of ${host.name} exited with ${code}: ${log}`));
    });
  });
  await waitForPort(host.address, 22);
}

/** resolves when something accepts TCP connections on address:port */
async function waitForPort(address: string, port: number): Promise<void> {
  const ok = await new Promise<boolean>((resolve) => {
    const s = tcpConnect({ host: address, port }, () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
  if (!ok) throw new Error(`nothing listens on ${address}:${port}`);
}

async function killSshd(sshds: Map<string, ChildProcess>, host: TestHost): Promise<void> {
  const main = sshds.get(host.name);
  const exited = main ? new Promise((resolve) => main.once('exit', resolve)) : Promise.resolve();
  // the listener and every per-connection sshd: killing them closes the sessions' TCP connections
  const pids = namespaceProcesses(host.namespace)
    .filter((p) => p.comm === 'sshd')
    .map((p) => p.pid);
  killProcesses(pids);
  await exited;
}

/**
 * A TCP relay from the pool's gateway address to a server on 127.0.0.1 (such as the scripted model
 * server, which listens on loopback only): hosts reach `url`, nothing outside the bridge does.
 */
export async function relayToHosts(
  gateway: string,
  targetPort: number,
  /** sees every byte a host sends (e.g. to check which credentials reached the server) */
  onInbound?: (data: Buffer) => void,
): Promise<{ url: string; close(): Promise<void> }> {
  const open = new Set<Socket>();
  const server: Server = createServer((inbound) => {
    if (onInbound) inbound.on('data', onInbound);
    const outbound = tcpConnect({ host: '127.0.0.1', port: targetPort });
    for (const s of [inbound, outbound]) {
      open.add(s);
      s.once('close', () => open.delete(s));
    }
    inbound.pipe(outbound).pipe(inbound);
    inbound.on('error', () => outbound.destroy());
    outbound.on('error', () => inbound.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, gateway, resolve);
  });
  const { port } = server.address() as { port: number };
  return {
    url: `http://${gateway}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of open) s.destroy();
      }),
  };
}

async function teardownClaim(claim: ClaimRecord, sshds: Map<string, ChildProcess>): Promise<void> {
  const exits = [...sshds.values()].map((c) => new Promise((resolve) => c.once('exit', resolve)));
  releaseClaim(claim);
  await Promise.all(exits);
}

/**
 * Runs a compiled node:test file as the daemon user, with the pool described in its environment
 * (`poolFromEnv`). Resolves with the exit status and the whole report, for the caller to assert on.
 */
export async function runAsDaemon(
  pool: HostPool,
  testFile: string,
  env: Record<string, string> = {},
  timeoutMs = 240_000,
): Promise<{ code: number | null; output: string }> {
  const r = await pool.daemon.exec(
    process.execPath,
    [
      '--test',
      '--test-reporter=spec',
      '--test-concurrency=1',
      `--test-timeout=${timeoutMs - 10_000}`,
      testFile,
    ],
    { env: { ...env, [POOL_ENV]: JSON.stringify(pool.describe()) }, cwd: pool.daemon.home, timeoutMs },
  );
  return { code: r.code, output: `${r.stdout}${r.stderr}` };
}
