/**
 * The fence between a unit and the host it is placed on (docs/hosts.md, "Fencing"). The daemon gives
 * every placement of a unit a lease: an epoch that grows with each (re)placement, and a random token.
 * The host keeps the lease it was given next to the unit's worktree. A fetch-back reads the host's
 * lease first and refuses when it is not exactly the one the daemon holds now; a worktree is made
 * anew when the host's lease is older, and nothing is done when it is newer (the caller is stale).
 * Pure: parsing, formatting and the comparison.
 */
import { ErrorCode, OrchError } from './errors.js';

export interface Lease {
  /** grows by one at every placement of the unit on a host (first placement: 1) */
  epoch: number;
  /** random, fixed for the placement: tells two placements apart even if an epoch were reused */
  token: string;
}

const TOKEN = /^[0-9a-f]{8,64}$/;

export function assertLease(lease: Lease): void {
  if (!Number.isSafeInteger(lease.epoch) || lease.epoch < 1 || !TOKEN.test(lease.token))
    throw new OrchError(
      ErrorCode.invalid_input,
      `invalid lease ${JSON.stringify(lease)}: epoch is a positive integer, token 8-64 hex digits`,
    );
}

/** the host's lease file: one line, `<epoch> <token>` */
export function formatLease(lease: Lease): string {
  assertLease(lease);
  return `${lease.epoch} ${lease.token}\n`;
}

/** null for an empty or missing file; anything else that is not a lease is reported as such */
export function parseLease(text: string): Lease | null {
  const line = text.trim();
  if (line === '') return null;
  const m = /^(\d{1,15}) ([0-9a-f]{8,64})$/.exec(line);
  if (!m)
    throw new OrchError(
      ErrorCode.invalid_input,
      `unreadable lease on host: ${JSON.stringify(line.slice(0, 80))}`,
    );
  return { epoch: Number(m[1]), token: m[2] as string };
}

export const showLease = (l: Lease | null): string => (l ? `${l.epoch}/${l.token}` : 'none');

/**
 * What a host's lease means to a caller holding `mine`:
 * - `same`: the host works for this placement;
 * - `older`: the host's copy is from an earlier placement (or it has none): replace it;
 * - `newer`: the caller's lease was superseded: it must not touch the unit at all.
 */
export function compareLease(mine: Lease, onHost: Lease | null): 'same' | 'older' | 'newer' {
  if (onHost === null || onHost.epoch < mine.epoch) return 'older';
  if (onHost.epoch > mine.epoch) return 'newer';
  // one epoch, two tokens: two placements claimed the same epoch; neither may trust the other
  return onHost.token === mine.token ? 'same' : 'newer';
}
