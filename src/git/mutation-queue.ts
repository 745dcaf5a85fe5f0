/**
 * A serial async queue. Every git operation that mutates the host repository's shared state
 * (worktree registry, branches, the base ref, the operator's checkout) runs through one per repository.
 */

export class MutationQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private depth = 0;

  /** Runs `task` after every task queued before it has settled; its result or error is passed through. */
  run<T>(task: () => Promise<T>): Promise<T> {
    this.depth++;
    const result = this.tail.then(task);
    // the chain continues whether the task succeeded or not; the caller sees the failure via `result`
    this.tail = result.then(
      () => this.depth--,
      () => this.depth--,
    );
    return result;
  }

  /** tasks queued or running */
  get pending(): number {
    return this.depth;
  }
}

const queues = new Map<string, MutationQueue>();

/** The queue for a repository, shared by every adapter instance in this process (keyed by its real root path). */
export function queueFor(repoRoot: string): MutationQueue {
  let q = queues.get(repoRoot);
  if (!q) {
    q = new MutationQueue();
    queues.set(repoRoot, q);
  }
  return q;
}
