/** A PhaseRunner whose phases end only when the test says so, applying the transition it is given. */
import type { UnitEvent } from '../../src/domain/transitions.js';
import type { WorkUnit } from '../../src/domain/work-unit.js';
import type { QuestionAnswer } from '../../src/ports/agent-backend.js';
import type { AbortReason, PhaseHandle } from '../../src/ports/live-phases.js';
import type { PhaseRunner } from '../../src/ports/phase-runner.js';
import type { WorkUnitStore } from '../../src/ports/store.js';

interface Pending {
  unit: WorkUnit;
  settle: () => void;
  aborted: AbortReason | null;
}

export class FakePhaseRunner implements PhaseRunner {
  readonly started: string[] = [];
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly store: WorkUnitStore) {}

  start(unit: WorkUnit): PhaseHandle {
    this.started.push(unit.chunk);
    let settle = () => {};
    const done = new Promise<void>((resolve) => {
      settle = resolve;
    });
    const entry: Pending = { unit, settle, aborted: null };
    this.pending.set(unit.chunk, entry);
    return {
      chunk: unit.chunk,
      done,
      abort: (reason) => {
        entry.aborted = reason;
        void this.finish(unit.chunk, { type: 'requeue' });
      },
      sendGuidance: () => false,
      waitingQuestion: () => null,
      deliverAnswer: (_q: string, _a: QuestionAnswer) => false,
    };
  }

  running(): string[] {
    return [...this.pending.keys()];
  }

  /** ends the chunk's phase without recording any outcome (a runner that crashed past its own catch) */
  vanish(chunk: string): void {
    const entry = this.pending.get(chunk);
    if (!entry) throw new Error(`no phase running for ${chunk}`);
    this.pending.delete(chunk);
    entry.settle();
  }

  /** ends the chunk's phase with `event` (default: advance to the next phase) */
  async finish(chunk: string, event: UnitEvent = { type: 'advance', phase: 'IMPLEMENT' }): Promise<void> {
    const entry = this.pending.get(chunk);
    if (!entry) throw new Error(`no phase running for ${chunk}`);
    this.pending.delete(chunk);
    await this.store.transition(chunk, event, { source: 'runner' });
    entry.settle();
  }
}
