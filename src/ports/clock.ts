/** Time, passed in so policy code never reads the wall clock itself. */
export interface Clock {
  /** epoch milliseconds */
  now(): number;
  /** runs `fn` at (or soon after) `when` ms epoch; returns a cancel function */
  at(when: number, fn: () => void): () => void;
}

export function isoNow(clock: Clock): string {
  return new Date(clock.now()).toISOString();
}
