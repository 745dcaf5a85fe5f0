/**
 * Bookkeeping for netns-hosts: a pool claims a /24 (10.231.<octet>.0/24) by creating
 * /run/ve-netns-hosts/<octet> (mkdir is atomic, so two test processes never share one), and records
 * in it every namespace, link and user before creating it. Teardown works from that record only, so
 * it removes what this pool made and nothing of another engineer's running pool; a record whose
 * owner process is gone is swept by the next pool.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const CLAIMS = '/run/ve-netns-hosts';

export interface ClaimRecord {
  pid: number;
  octet: number;
  /** prefix of every name the pool creates: `ve` + 6 hex digits, short enough for interface names */
  prefix: string;
  dir: string;
  bridge: string;
  links: string[];
  namespaces: string[];
  users: string[];
}

export interface UserInfo {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

export interface NamespaceProcess {
  pid: number;
  uid: number;
  /** one letter, as ps shows it: R, S, Z (a zombie, waiting to be reaped)… */
  state: string;
  comm: string;
  cmdline: string[];
}

/** runs a setup command as root; throws with its stderr */
export function sh(command: string, ...args: string[]): string {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')}: ${(e.stderr || e.message).trim()}`);
  }
}

export function userInfo(name: string): UserInfo {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`no user ${name}`);
  const f = line.split(':');
  return { name, uid: Number(f[2]), gid: Number(f[3]), home: f[5] as string };
}

/** The environment of a process run as `user`: nothing inherited from root but PATH. */
export function daemonUserEnv(user: UserInfo, extra: Record<string, string>): Record<string, string> {
  return {
    HOME: user.home,
    USER: user.name,
    LOGNAME: user.name,
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    LANG: 'C.UTF-8',
    ...extra,
  };
}

export function claimSubnet(): ClaimRecord {
  mkdirSync(CLAIMS, { recursive: true, mode: 0o700 });
  sweepStaleClaims();
  const inUse = new Set(
    [...sh('ip', '-o', '-4', 'addr', 'show').matchAll(/inet 10\.231\.(\d+)\./g)].map((m) => Number(m[1])),
  );
  const free = Array.from({ length: 254 }, (_, i) => i + 1).filter((o) => !inUse.has(o));
  // start at a random free octet so concurrent pools rarely race for the same folder
  const start = free.length ? randomBytes(1)[0]! % free.length : 0;
  for (let i = 0; i < free.length; i++) {
    const octet = free[(start + i) % free.length] as number;
    const dir = join(CLAIMS, String(octet));
    try {
      mkdirSync(dir, { mode: 0o700 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw err;
    }
    const prefix = `ve${octet.toString(16).padStart(2, '0')}${randomBytes(2).toString('hex')}`;
    const claim: ClaimRecord = {
      pid: process.pid,
      octet,
      prefix,
      dir,
      bridge: `${prefix}br`,
      links: [],
      namespaces: [],
      users: [],
    };
    saveClaim(claim);
    return claim;
  }
  throw new Error('no free 10.231.x.0/24 for a test host pool');
}

/** written before each thing is created, so a crash leaves a record of everything to remove */
export function saveClaim(claim: ClaimRecord): void {
  writeFileSync(join(claim.dir, 'claim.json'), JSON.stringify(claim));
}

function sweepStaleClaims(): void {
  for (const name of readdirSync(CLAIMS)) {
    let claim: ClaimRecord;
    try {
      claim = JSON.parse(readFileSync(join(CLAIMS, name, 'claim.json'), 'utf8')) as ClaimRecord;
    } catch {
      continue; // being created right now, or not ours
    }
    if (!alive(claim.pid)) releaseClaim(claim);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes everything in the record: processes in its namespaces and of its users, the namespaces,
 * links, users with their homes, and the claim folder. Goes on past a failing step and throws the
 * collected failures at the end.
 */
export function releaseClaim(claim: ClaimRecord): void {
  const failures: string[] = [];
  const step = (what: () => void) => {
    try {
      what();
    } catch (err) {
      failures.push(err instanceof Error ? err.message : String(err));
    }
  };
  const namespaces = new Set(
    sh('ip', 'netns', 'list')
      .split('\n')
      .map((l) => l.split(' ')[0]),
  );
  const uids = claim.users.filter(userExists).map((u) => userInfo(u).uid);
  // twice: a process can fork while the first round is killing
  for (let round = 0; round < 2; round++) {
    for (const ns of claim.namespaces.filter((n) => namespaces.has(n)))
      step(() => killProcesses(namespaceProcesses(ns).map((p) => p.pid)));
    step(() => killProcesses(processesOfUids(new Set(uids))));
  }
  // links first: deleting a veth's root end removes its peer at once, while a deleted namespace
  // releases its devices later, in the background
  const links = new Set(
    [...sh('ip', '-o', 'link', 'show').matchAll(/^\d+: ([^:@]+)[:@]/gm)].map((m) => m[1] as string),
  );
  for (const link of claim.links.filter((l) => links.has(l))) step(() => sh('ip', 'link', 'del', link));
  for (const ns of claim.namespaces.filter((n) => namespaces.has(n)))
    step(() => sh('ip', 'netns', 'del', ns));
  for (const user of claim.users.filter(userExists)) step(() => sh('userdel', '--remove', '--force', user));
  step(() => rmSync(claim.dir, { recursive: true, force: true }));
  if (failures.length) throw new Error(`teardown of pool ${claim.prefix} left work: ${failures.join('; ')}`);
}

function userExists(name: string): boolean {
  return readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .some((l) => l.startsWith(`${name}:`));
}

/** Every process whose network namespace is `ns`, with owner, name and command line. */
export function namespaceProcesses(ns: string): NamespaceProcess[] {
  const pids = sh('ip', 'netns', 'pids', ns).split('\n').filter(Boolean).map(Number);
  return pids.flatMap((pid) => {
    const p = readProcess(pid);
    return p ? [p] : [];
  });
}

function readProcess(pid: number): NamespaceProcess | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
    const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    const state = /^State:\s+(\S)/m.exec(status)?.[1] ?? '?';
    return { pid, uid, state, comm, cmdline };
  } catch {
    return null; // exited while we looked
  }
}

function processesOfUids(uids: Set<number>): number[] {
  if (uids.size === 0) return [];
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .filter((pid) => {
      const p = readProcess(pid);
      return p !== null && uids.has(p.uid);
    });
}

/** SIGKILL to each pid; one that is already gone is fine */
export function killProcesses(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  }
}
