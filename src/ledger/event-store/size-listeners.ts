// The log-size notification every store offers through subscribe().
import type { Unsubscribe } from './event-store.port.js';

/** In-process log-size listeners: called after commits, only with growing sizes; a throwing listener cannot break an append. */
export class SizeListeners {
  private readonly listeners = new Set<(logSize: number) => void>();
  private size = 0;

  subscribe(listener: (logSize: number) => void): Unsubscribe {
    const entry = (n: number) => listener(n); // a wrapper, so the same function may subscribe twice
    this.listeners.add(entry);
    return () => {
      this.listeners.delete(entry);
    };
  }

  notify(logSize: number): void {
    if (logSize <= this.size) return; // commits of concurrent appends may resolve out of order: never report a shrink
    this.size = logSize;
    for (const l of [...this.listeners]) {
      try {
        l(logSize);
      } catch {
        /* notification is advisory; the log is the source of truth */
      }
    }
  }

  clear(): void {
    this.listeners.clear();
  }
}
