/** Wall-clock implementation of the Clock port. */
import type { Clock } from '../ports/clock.js';

export const systemClock: Clock = {
  now: () => Date.now(),
  at: (when, fn) => {
    // setTimeout caps at ~24.8 days; re-arm for longer waits
    const MAX = 2 ** 31 - 1;
    let timer: NodeJS.Timeout;
    const arm = () => {
      const delay = when - Date.now();
      timer = setTimeout(delay > MAX ? arm : fn, Math.max(0, Math.min(delay, MAX)));
      timer.unref();
    };
    arm();
    return () => clearTimeout(timer);
  },
};
