/** Local validation of command-line values, before any request: chunk names, integers, enums, lists. */
import { normalizeChunkArg } from '../domain/chunk-name.js';
import { ErrorCode, OrchError } from '../domain/errors.js';
import { PHASES, type Phase, STATUSES, type Status } from '../domain/work-unit.js';

export function chunkArg(value: string): string {
  return normalizeChunkArg(value);
}

/** Validates every name, rejects duplicates, and keeps the order given. */
export function chunkArgs(values: readonly string[]): string[] {
  const names = values.map(chunkArg);
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw new OrchError(ErrorCode.invalid_input, `chunk '${n}' is given more than once`);
    seen.add(n);
  }
  return names;
}

/** Comma- (or space-) separated chunk names: `a,b` → ['a', 'b']; empty text → []. */
export function chunkList(value: string): string[] {
  return chunkArgs(
    value
      .split(/[,\s]+/)
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
  );
}

export function intArg(value: string, what: string, range: { min?: number; max?: number } = {}): number {
  const text = value.trim();
  if (!/^[-+]?\d+$/.test(text))
    throw new OrchError(ErrorCode.invalid_input, `${what} must be an integer, got '${value}'`);
  const n = Number(text);
  if (!Number.isSafeInteger(n))
    throw new OrchError(ErrorCode.invalid_input, `${what} is out of range: ${value}`);
  if (range.min !== undefined && n < range.min) {
    throw new OrchError(ErrorCode.invalid_input, `${what} must be at least ${range.min}, got ${n}`);
  }
  if (range.max !== undefined && n > range.max) {
    throw new OrchError(ErrorCode.invalid_input, `${what} must be at most ${range.max}, got ${n}`);
  }
  return n;
}

/** One of `choices`, matched case-insensitively; the error lists the choices. */
export function choiceArg<T extends string>(value: string, choices: readonly T[], what: string): T {
  const found = choices.find((c) => c.toLowerCase() === value.trim().toLowerCase());
  if (found === undefined) {
    throw new OrchError(
      ErrorCode.invalid_input,
      `unknown ${what} '${value}': expected one of ${choices.join(', ')}`,
    );
  }
  return found;
}

export function phaseArg(value: string): Phase {
  return choiceArg(value, PHASES, 'phase');
}

export function statusArg(value: string): Status {
  return choiceArg(value, STATUSES, 'status');
}

/** Collects a repeatable option's values. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
