/** Telling the expected miss of a file-system read from a real failure. */

/**
 * True for "nothing there": ENOENT, or ENOTDIR when a directory on the path is a file. This is the
 * one error an optional read or a probe expects; anything else (EACCES, EISDIR, ELOOP, EIO) is a
 * failure the caller rethrows or logs.
 */
export function isMissing(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

/** `read()`, or `missing` when what it reads is not there (isMissing); any other failure is thrown. */
export function ifPresent<T, F>(read: () => T, missing: F): T | F {
  try {
    return read();
  } catch (e) {
    if (isMissing(e)) return missing;
    throw e;
  }
}

/** The same for an async read. */
export async function ifPresentAsync<T, F>(read: () => Promise<T>, missing: F): Promise<T | F> {
  try {
    return await read();
  } catch (e) {
    if (isMissing(e)) return missing;
    throw e;
  }
}
