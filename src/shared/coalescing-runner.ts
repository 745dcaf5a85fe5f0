/**
 * Runs an async job one at a time, coalescing the requests that arrive while it runs into one more
 * run: a burst of changes costs at most the run in progress plus one. Used by the scheduler's
 * dispatch passes and the landing train's steps, which both react to every change.
 */
export class CoalescingRunner {
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  /**
   * `job` is the work; `onFailure` gets what it threw (a run that fails does not stop later ones);
   * `onQuiet` is called whenever a run ends with no further run requested.
   */
  constructor(
    private readonly job: () => Promise<unknown>,
    private readonly onFailure: (error: unknown) => void,
    private readonly onQuiet: () => void = () => {},
  ) {}

  request(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.job()
      .then(() => undefined)
      .catch(this.onFailure)
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.request();
        } else this.onQuiet();
      });
  }

  /** true while a run is in progress */
  busy(): boolean {
    return this.running !== null;
  }

  /** resolves when no run is in progress, including the runs requested meanwhile */
  async drained(): Promise<void> {
    while (this.running) await this.running;
  }

  /** no further runs start; the one in progress finishes */
  stop(): void {
    this.stopped = true;
  }
}
