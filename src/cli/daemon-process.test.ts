import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { projectPaths } from '../config/paths.js';
import {
  alreadyRunningPid,
  dashboardUrl,
  isProcessAlive,
  parseDaemonLog,
  readPidFile,
  removeRuntimeFiles,
  runningDaemonPid,
  startupFailureReason,
} from './daemon-process.js';

function procState(pid: number): string | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2, s.lastIndexOf(')') + 3);
  } catch {
    return null;
  }
}

describe('daemon-process', () => {
  const root = mkdtempSync(join(tmpdir(), 've-dproc-'));
  const paths = projectPaths(root);
  mkdirSync(paths.stateDir);
  after(() => rmSync(root, { recursive: true, force: true }));

  it('sees itself alive and an exited child dead', async () => {
    assert.equal(isProcessAlive(process.pid), true);
    const child = spawn(process.execPath, ['-e', '']);
    const pid = child.pid!;
    // node reaps the child before it emits 'exit': its /proc entry is gone by then
    await new Promise((r) => child.on('exit', r));
    assert.equal(isProcessAlive(pid), false);
  });

  it('treats a zombie as dead although kill(pid, 0) still succeeds', async () => {
    // sh starts a short sleep in the background, then execs into a long sleep that never reaps it
    const parent = spawn('sh', ['-c', 'sleep 0.05 & echo $!; exec sleep 30'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      const zombiePid = await new Promise<number>((resolve) => {
        parent.stdout.once('data', (d: Buffer) => resolve(Number.parseInt(d.toString(), 10)));
      });
      for (let i = 0; i < 100 && procState(zombiePid) !== 'Z'; i++) await sleep(20);
      assert.equal(procState(zombiePid), 'Z');
      assert.doesNotThrow(() => process.kill(zombiePid, 0));
      assert.equal(isProcessAlive(zombiePid), false);
    } finally {
      parent.kill('SIGKILL');
    }
  });

  it('ignores a pid file that names a dead process or not a daemon', () => {
    writeFileSync(paths.pid, `${process.pid}\n`);
    assert.equal(readPidFile(paths), process.pid);
    // the test runner is alive but is not a ve daemon (a recycled pid)
    assert.equal(runningDaemonPid(paths), null);
    writeFileSync(paths.pid, 'garbage');
    assert.equal(readPidFile(paths), null);
  });

  it('builds the dashboard URL from the port and token files and removes runtime files', () => {
    assert.equal(dashboardUrl(paths), null);
    writeFileSync(paths.port, '4321\n');
    writeFileSync(paths.token, 'tok/en\n');
    assert.equal(dashboardUrl(paths), 'http://127.0.0.1:4321/?token=tok%2Fen');
    writeFileSync(paths.pid, '1\n');
    writeFileSync(paths.socket, '');
    removeRuntimeFiles(paths);
    assert.equal(existsSync(paths.pid) || existsSync(paths.port) || existsSync(paths.socket), false);
    assert.equal(existsSync(paths.token), true);
  });

  it('explains a start-up failure from the last error line of the log', () => {
    const log = [
      JSON.stringify({ level: 'info', msg: 'starting' }),
      JSON.stringify({ level: 'error', msg: 'cannot open store', error: { message: 'disk full' } }),
      JSON.stringify({ level: 'error', msg: 'repository has no commits' }),
      '',
    ].join('\n');
    assert.equal(startupFailureReason(parseDaemonLog(log)), 'repository has no commits');
    const withCause = JSON.stringify({ level: 'error', msg: 'startup failed', error: { message: 'EACCES' } });
    assert.equal(startupFailureReason(parseDaemonLog(withCause)), 'startup failed: EACCES');
    const raw = 'node:internal/x\nError: Cannot find module /x/daemon/main.js\n    at foo';
    assert.equal(startupFailureReason(parseDaemonLog(raw)), 'Error: Cannot find module /x/daemon/main.js');
    assert.equal(startupFailureReason(parseDaemonLog(JSON.stringify({ level: 'info', msg: 'ok' }))), null);
  });

  it('reads the pid out of an "already running" line', () => {
    const log = `${JSON.stringify({ level: 'warn', msg: 'already running', pid: 4242 })}\n`;
    assert.equal(alreadyRunningPid(parseDaemonLog(log)), 4242);
    assert.equal(alreadyRunningPid(parseDaemonLog('{"msg":"other"}')), null);
  });
});
