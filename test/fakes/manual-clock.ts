/** A Clock that moves only when the test says so; `advance` fires due timers in order. */
import type { Clock } from '../../src/ports/clock.js';

export class ManualClock implements Clock {
  private timers: { when: number; fn: () => void; id: number }[] = [];
  private nextId = 0;
  constructor(private current = Date.parse('2026-01-01T00:00:00.000Z')) {}

  now(): number {
    return this.current;
  }

  at(when: number, fn: () => void): () => void {
    const id = this.nextId++;
    this.timers.push({ when, fn, id });
    return () => {
      this.timers = this.timers.filter((t) => t.id !== id);
    };
  }

  advance(ms: number): void {
    this.current += ms;
    const due = this.timers.filter((t) => t.when <= this.current).sort((a, b) => a.when - b.when);
    this.timers = this.timers.filter((t) => t.when > this.current);
    for (const t of due) t.fn();
  }
}
