/** Chunk names: the one gate every name passes before it touches the file system, git or SQL. */
import { ErrorCode, OrchError } from './errors.js';

export type ChunkName = string & { readonly __brand: 'ChunkName' };

const CHUNK_NAME = /^[a-z][a-z0-9_-]{0,30}$/;

export function isChunkName(value: unknown): value is ChunkName {
  return typeof value === 'string' && CHUNK_NAME.test(value);
}

/** Validates a name; throws a clear invalid_name error for anything else (`../x`, `/abs`, unicode, …). */
export function toChunkName(value: unknown): ChunkName {
  if (isChunkName(value)) return value;
  const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : typeof value;
  throw new OrchError(
    ErrorCode.invalid_name,
    `invalid chunk name ${shown}: use 1-31 characters, lower-case letters, digits, '_' or '-', starting with a letter`,
    { name: typeof value === 'string' ? value.slice(0, 80) : null },
  );
}

/** Accepts the operator's path-ish spellings (`docs/chunks/x/`, `chunks/x`) and returns the bare name. */
export function normalizeChunkArg(value: string): ChunkName {
  const trimmed = value.replace(/\/+$/, '');
  const m = /^(?:\.\/)?(?:docs\/)?chunks\/([^/]+)$/.exec(trimmed);
  return toChunkName(m ? m[1] : trimmed);
}
