// Log lines that a flood of requests would repeat (a refusal the server chose, such as `ruleset-unknown` for every
// request while it lasts): one line per key at once, then at most one a window, saying how many it held back.

/** The first line of a key goes out at once; those that follow within the window are counted and summed up when it ends. */
export class RepeatedLines {
  /** The keys in a window: since when, how many lines were held back, and the last of them with its time (ms). */
  private readonly open = new Map<string, { since: number; held: number; last: string; lastAt: number; timer: NodeJS.Timeout }>();

  constructor(
    private readonly windowMs: number,
    private readonly write: (line: string) => void,
  ) {}

  line(key: string, text: string): void {
    const window = this.open.get(key);
    if (window) {
      window.held++;
      window.last = text;
      window.lastAt = Date.now();
      return;
    }
    this.write(text);
    this.openWindow(key, text);
  }

  /** Writes what every open window held back and closes them (the process is stopping). */
  flush(): void {
    for (const key of [...this.open.keys()]) this.close(key, false);
  }

  private openWindow(key: string, text: string): void {
    // unref: a window still open does not keep a process alive that has nothing else to do.
    const timer = setTimeout(() => this.close(key, true), this.windowMs).unref();
    const now = Date.now();
    this.open.set(key, { since: now, held: 0, last: text, lastAt: now, timer });
  }

  /** Ends the key's window; one that held lines back is summed up and, while the flood may go on, followed by another. */
  private close(key: string, reopen: boolean): void {
    const window = this.open.get(key)!;
    clearTimeout(window.timer);
    this.open.delete(key);
    if (window.held === 0) return;
    const [from, to] = [window.since, window.lastAt].map((ms) => new Date(ms).toISOString());
    this.write(`${window.last} (the last of ${window.held} more like it from ${from} to ${to}, not logged one by one)`);
    if (reopen) this.openWindow(key, window.last);
  }
}
