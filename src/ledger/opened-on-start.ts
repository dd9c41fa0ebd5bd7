// What the ledger's providers open while Nest makes the application: a start that fails there has no application yet
// whose close would close them (Nest drops the providers it made), so createApp closes them through this instead.

import { setTimeout as sleep } from 'node:timers/promises';

type Close = () => unknown;

/** How long a failed start waits for the opens under way (a database that does not answer could hold it for minutes). */
const OPENING_WAIT_MS = 5_000;

/** Thrown by an open asked for (or finished) once the start has failed: what it opened is closed, and it is not retried. */
export class StartAbandoned extends Error {
  readonly name = 'StartAbandoned';
  constructor() {
    super('the start failed meanwhile: not opened');
  }
}

/** The stores opened during one start, closed last opened first if that start fails. */
export class OpenedOnStart {
  private readonly closes: Close[] = [];
  /** Opens under way: the start's failure waits for them, and they close what they opened. */
  private readonly opening = new Set<Promise<unknown>>();
  private failed = false;

  constructor(private readonly waitMs = OPENING_WAIT_MS) {}

  /** Whether the start has failed: a provider that would make something regardless (a key file) makes nothing then. */
  get abandoned(): boolean {
    return this.failed;
  }

  /**
   * `make()`'s value, to be closed by `close` if the start fails. Once it has failed, nothing is made (StartAbandoned);
   * a value made while it failed is closed before StartAbandoned is thrown.
   */
  open<T>(make: () => T | Promise<T>, close: (value: T) => unknown): Promise<T> {
    if (this.failed) return Promise.reject(new StartAbandoned());
    const opened = (async () => {
      const value = await make();
      if (this.failed) {
        await settle(() => close(value));
        throw new StartAbandoned();
      }
      this.closes.push(() => close(value));
      return value;
    })();
    const done = opened.then(
      () => undefined,
      () => undefined,
    );
    this.opening.add(done);
    void done.then(() => this.opening.delete(done));
    return opened;
  }

  /**
   * The start failed: waits for the opens under way (up to `waitMs`, 5 s by default; one that ends later closes what it opened
   * then), then closes what was opened. A close that fails does not stop the others.
   */
  async closeAll(): Promise<void> {
    this.failed = true;
    await Promise.race([Promise.all(this.opening), sleep(this.waitMs, undefined, { ref: false })]);
    for (const close of this.closes.splice(0).reverse()) await settle(close);
  }
}

async function settle(close: Close): Promise<void> {
  try {
    await close();
  } catch {
    // the start's own error is the one reported
  }
}
