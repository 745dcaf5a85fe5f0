/** PhaseLogSink on `.ve/chunks/<c>/log/<phase>.jsonl`: one JSON event per line, appended synchronously. */
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { ProjectPaths } from '../config/paths.js';
import { LOG_STREAMS, type LogStream } from '../domain/work-unit.js';
import type { LogEvent, LoggedAgentEvent, PhaseLogSink } from '../ports/phase-log.js';
import { isMissing } from '../shared/fs-errors.js';

export class PhaseLogFiles implements PhaseLogSink {
  /** next line number per chunk/phase file */
  private readonly lines = new Map<string, number>();

  constructor(private readonly paths: ProjectPaths) {}

  append(chunk: string, phase: LogStream, event: LogEvent & { at: string }): number {
    const file = this.paths.phaseLog(chunk, phase);
    let next = this.lines.get(file);
    if (next === undefined) {
      mkdirSync(this.paths.phaseLogDir(chunk), { recursive: true });
      next = countLines(file);
    }
    appendFileSync(file, `${JSON.stringify(event)}\n`);
    this.lines.set(file, next + 1);
    return next;
  }

  async read(chunk: string): Promise<LoggedAgentEvent[]> {
    const out: LoggedAgentEvent[] = [];
    for (const phase of LOG_STREAMS) {
      let text: string;
      try {
        text = await readFile(this.paths.phaseLog(chunk, phase), 'utf8');
      } catch (e) {
        if (isMissing(e)) continue; // this phase has not run
        throw e;
      }
      text.split('\n').forEach((line, seq) => {
        if (line.trim() === '') return;
        try {
          out.push({ phase, seq, event: JSON.parse(line) as LoggedAgentEvent['event'] });
        } catch {
          // a torn last line after a crash is skipped, not fatal
        }
      });
    }
    return out;
  }
}

function countLines(file: string): number {
  try {
    const text = readFileSync(file, 'utf8');
    return text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  } catch (e) {
    if (isMissing(e)) return 0;
    throw e;
  }
}
