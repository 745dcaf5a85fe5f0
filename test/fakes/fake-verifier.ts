/**
 * A scripted Verifier: the outcome is a function of the tree (the branch tips it contains, read from
 * a FakeLanding), and every run can be held until the test releases it, so a test sees exactly which
 * trees verify in parallel and in what order.
 */
import type { Verifier, VerifyRequest, VerifyResult } from '../../src/ports/train.js';
import type { FakeLanding } from './fake-landing.js';

export interface FakeRun {
  commit: string;
  slot: number;
  tips: string[];
  cancelled: boolean;
  done: boolean;
  release(outcome?: VerifyResult['outcome']): void;
}

export class FakeVerifier implements Verifier {
  /** the outcome for a tree when the test does not release a run by hand */
  outcome: (tips: string[], attempt: number) => VerifyResult['outcome'] = () => 'passed';
  /** hold every run until `release` (else they finish on the next tick) */
  hold = false;
  readonly runs: FakeRun[] = [];
  private readonly attempts = new Map<string, number>();
  private waiters: (() => void)[] = [];

  constructor(private readonly landing: FakeLanding) {}

  killOrphan(): number {
    return 0;
  }

  async run(req: VerifyRequest): Promise<VerifyResult> {
    const tips = this.landing.tipsIn(req.commit);
    const attempt = (this.attempts.get(req.commit) ?? 0) + 1;
    this.attempts.set(req.commit, attempt);
    req.onStarted(process.pid, null, false);
    req.onOutput(`verifying ${tips.join(' ')}\n`);
    const outcome = await new Promise<VerifyResult['outcome']>((resolve) => {
      const run: FakeRun = {
        commit: req.commit,
        slot: req.slot,
        tips,
        cancelled: false,
        done: false,
        release: (o) => {
          run.done = true;
          resolve(o ?? this.outcome(tips, attempt));
        },
      };
      this.runs.push(run);
      req.signal.addEventListener('abort', () => {
        run.cancelled = true;
        resolve('cancelled');
      });
      for (const w of this.waiters.splice(0)) w();
      if (!this.hold) setImmediate(() => run.release());
    });
    return {
      outcome,
      exitCode: outcome === 'passed' ? 0 : outcome === 'failed' ? 1 : null,
      durationMs: 1,
      tail: outcome === 'passed' ? 'ok' : `FAIL in ${tips.join(' ')}`,
      message: outcome === 'timeout' ? 'timed out after 1 s' : null,
      sandboxed: false,
    };
  }

  /** runs not yet finished or cancelled */
  open(): FakeRun[] {
    return this.runs.filter((r) => !r.cancelled && !r.done);
  }

  /** resolves once at least `n` runs have started in total */
  async started(n: number): Promise<void> {
    while (this.runs.length < n) await new Promise<void>((r) => this.waiters.push(r));
  }
}
