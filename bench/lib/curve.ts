/**
 * Soak curves: a text sparkline of samples and a flatness verdict after warm-up. Pure.
 */
import { median } from './stats.js';

const BARS = '▁▂▃▄▅▆▇█';

/** One character per bucket of samples (bucket max), scaled between the overall min and max. */
export function sparkline(samples: readonly number[], width = 60): string {
  if (samples.length === 0) return '';
  const buckets = Math.min(width, samples.length);
  const per = samples.length / buckets;
  const values = Array.from({ length: buckets }, (_, b) =>
    Math.max(
      ...samples.slice(Math.floor(b * per), Math.max(Math.floor((b + 1) * per), Math.floor(b * per) + 1)),
    ),
  );
  const lo = Math.min(...samples);
  const hi = Math.max(...samples);
  const span = hi - lo || 1;
  return values.map((v) => BARS[Math.round(((v - lo) / span) * (BARS.length - 1))]).join('');
}

/** Least-squares slope of y over x. */
export function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = Math.min(xs.length, ys.length);
  if (n < 2) return 0;
  const mx = xs.slice(0, n).reduce((a, b) => a + b, 0) / n;
  const my = ys.slice(0, n).reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += ((xs[i] as number) - mx) * ((ys[i] as number) - my);
    den += ((xs[i] as number) - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

export interface Flatness {
  /** median of the first and last quarter of the post-warm-up samples */
  early: number;
  late: number;
  min: number;
  max: number;
  /** least-squares growth per minute over the post-warm-up samples */
  perMinute: number;
  flat: boolean;
}

/**
 * Flat when the last quarter's median exceeds the first quarter's by at most `tolerance`
 * (absolute, in the samples' unit) — growth that keeps going shows up as a late median above it.
 */
export function flatness(
  samples: readonly { t: number; v: number }[],
  warmupFraction: number,
  tolerance: number,
): Flatness {
  const after = samples.slice(Math.floor(samples.length * warmupFraction));
  const q = Math.max(1, Math.floor(after.length / 4));
  const early = median(after.slice(0, q).map((s) => s.v));
  const late = median(after.slice(-q).map((s) => s.v));
  const vs = after.map((s) => s.v);
  return {
    early,
    late,
    min: Math.min(...vs),
    max: Math.max(...vs),
    perMinute: slope(
      after.map((s) => s.t / 60_000),
      vs,
    ),
    flat: late - early <= tolerance,
  };
}
