/**
 * Reads a unit's phase logs (`.ve/chunks/<c>/log/<phase>.jsonl`) straight from disk, in phase order,
 * remembering how far each file was read so `tail -f` can print only what is appended later.
 */
import { open, stat } from 'node:fs/promises';
import { LOG_STREAMS, type LogStream } from '../domain/work-unit.js';
import { isMissing } from '../shared/fs-errors.js';

export interface LogLine {
  phase: LogStream;
  line: string;
}

interface FileState {
  offset: number;
  /** bytes after the last newline, waiting for the rest of their line */
  partial: Buffer;
}

export class PhaseLogFollower {
  private readonly state = new Map<LogStream, FileState>();

  constructor(private readonly pathOf: (phase: LogStream) => string) {}

  /** Phases whose log file exists, in pipeline order. */
  async existingPhases(): Promise<LogStream[]> {
    const found: LogStream[] = [];
    for (const phase of LOG_STREAMS) if (await isFile(this.pathOf(phase))) found.push(phase);
    return found;
  }

  /**
   * Complete lines appended since the last call, phase by phase in pipeline order. A file that
   * shrank (rotated or rewritten) is read again from its start.
   */
  async readNew(): Promise<LogLine[]> {
    const out: LogLine[] = [];
    for (const phase of LOG_STREAMS) {
      for (const line of await this.readPhase(phase)) out.push({ phase, line });
    }
    return out;
  }

  private async readPhase(phase: LogStream): Promise<string[]> {
    const path = this.pathOf(phase);
    let handle: Awaited<ReturnType<typeof open>>;
    try {
      handle = await open(path, 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    try {
      const st = this.state.get(phase) ?? { offset: 0, partial: Buffer.alloc(0) };
      const { size } = await handle.stat();
      if (size < st.offset) {
        st.offset = 0;
        st.partial = Buffer.alloc(0);
      }
      if (size === st.offset) {
        this.state.set(phase, st);
        return [];
      }
      const buf = Buffer.alloc(size - st.offset);
      const { bytesRead } = await handle.read(buf, 0, buf.length, st.offset);
      st.offset += bytesRead;
      const data = Buffer.concat([st.partial, buf.subarray(0, bytesRead)]);
      const lastNewline = data.lastIndexOf(0x0a);
      st.partial = lastNewline < 0 ? data : data.subarray(lastNewline + 1);
      this.state.set(phase, st);
      if (lastNewline < 0) return [];
      return data
        .subarray(0, lastNewline)
        .toString('utf8')
        .split('\n')
        .filter((l) => l.trim().length > 0);
    } finally {
      await handle.close();
    }
  }
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch (e) {
    // missing: this phase has not run yet
    if (isMissing(e)) return false;
    throw e;
  }
}
