/**
 * The one-daemon-per-project lock. An exclusive SQLite lock (fcntl underneath) on
 * `.ve/orchestrator.lock`: held for the daemon's lifetime and released by the kernel the moment the
 * process dies, even by SIGKILL, so a stale lock can never block a restart.
 */
import Database from 'better-sqlite3';
import { ErrorCode, OrchError } from '../domain/errors.js';

export interface ProcessLock {
  release(): void;
}

export function acquireProcessLock(path: string): ProcessLock {
  const db = new Database(path);
  try {
    db.pragma('busy_timeout = 0');
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE');
    db.exec('CREATE TABLE IF NOT EXISTS holder (note TEXT)');
    db.exec('COMMIT');
  } catch (e) {
    db.close();
    if ((e as { code?: string }).code === 'SQLITE_BUSY') {
      throw new OrchError(ErrorCode.already_running, 'another ve daemon holds this project');
    }
    throw e;
  }
  return { release: () => db.close() };
}
