/** In-process EventBus. A listener that throws is logged and does not stop delivery to the others. */
import type { ChangeEvent, EventBus } from '../ports/events.js';

export class InProcessEventBus implements EventBus {
  private readonly listeners = new Set<(event: ChangeEvent) => void>();

  /** `onListenerError` gets what a listener threw: log it (the daemon) or rethrow it (tests) */
  constructor(private readonly onListenerError: (error: unknown) => void) {}

  publish(event: ChangeEvent): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  subscribe(listener: (event: ChangeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
