/**
 * Merges run one at a time, and when several units wait to merge, the one least likely to conflict
 * with the others goes first (issue 5 §5). Each merge is computed against base as it is at its turn,
 * so the rest are re-checked against the new base automatically; a conflict sends that unit to REBASE.
 */
import { mergeOrder } from '../domain/merge-order.js';
import type { Logger } from '../ports/logger.js';
import type { ConflictStore } from '../ports/store.js';

interface Waiting {
  chunk: string;
  run: () => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class MergeQueue {
  private readonly waiting: Waiting[] = [];
  private draining = false;
  /** chunks in the order their merges ran (for tests and logs) */
  readonly history: string[] = [];

  constructor(
    private readonly store: Pick<ConflictStore, 'listConflicts'>,
    private readonly log: Logger,
  ) {}

  submit<T>(chunk: string, run: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ chunk, run, resolve: resolve as (v: unknown) => void, reject });
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.waiting.length > 0) {
        const next = await this.pickNext();
        this.history.push(next.chunk);
        try {
          next.resolve(await next.run());
        } catch (e) {
          next.reject(e);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private async pickNext(): Promise<Waiting> {
    if (this.waiting.length > 1) {
      const analyses = await this.store.listConflicts().catch((error: unknown) => {
        // without the analyses the merges still run, in arrival order
        this.log.warn('merge order: conflict analyses unreadable; merging in arrival order', { error });
        return [];
      });
      const first = mergeOrder(
        this.waiting.map((w) => w.chunk),
        analyses,
      )[0];
      const index = this.waiting.findIndex((w) => w.chunk === first);
      if (index > 0) return this.waiting.splice(index, 1)[0] as Waiting;
    }
    return this.waiting.shift() as Waiting;
  }
}
