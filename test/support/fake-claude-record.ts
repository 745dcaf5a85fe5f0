/** What fake-claude.mjs wrote to FAKE_CLAUDE_RECORD: the sessions it started, in order. */
import { existsSync, readFileSync } from 'node:fs';

export interface StartedSession {
  argv: string[];
  prompt: string;
}

export function startedSessions(file: string): StartedSession[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as StartedSession & { kind: string })
    .filter((r) => r.kind === 'start');
}

/** The prompts of those sessions. */
export const startedPrompts = (file: string): string[] => startedSessions(file).map((s) => s.prompt);
