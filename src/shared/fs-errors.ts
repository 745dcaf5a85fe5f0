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
