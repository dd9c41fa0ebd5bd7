// Requests without a valid key, counted per client address: past the public routes' limit in a minute, an address is
// answered 429 until the minute is over, before its key is looked up. Without it an address could try keys (or send
// keyless requests to every authenticated route) as fast as the server answers, each unknown key a database read.
// Requests with a valid key are not counted: they are accountable to their key.

const WINDOW_MS = 60_000;
/** Addresses kept at most; past it, those whose window is over are dropped (then the oldest). */
const MAX_ADDRESSES = 10_000;

export class FailedAuthentications {
  /** Each address's failures in its current window. */
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly max: number) {}

  /** Seconds until the address may try again, 0 when it may now. */
  waitFor(address: string, now = Date.now()): number {
    const w = this.windows.get(address);
    if (!w || now - w.start >= WINDOW_MS || w.count < this.max) return 0;
    return Math.max(1, Math.ceil((w.start + WINDOW_MS - now) / 1000));
  }

  /** Counts a request from the address refused for its key (none, unknown, revoked or expired). */
  failed(address: string, now = Date.now()): void {
    const w = this.windows.get(address);
    if (w && now - w.start < WINDOW_MS) {
      w.count += 1;
      return;
    }
    if (!w && this.windows.size >= MAX_ADDRESSES) this.sweep(now);
    this.windows.set(address, { start: now, count: 1 });
  }

  private sweep(now: number): void {
    for (const [address, w] of this.windows) if (now - w.start >= WINDOW_MS) this.windows.delete(address);
    // Every window still open: the oldest goes (insertion order), so memory stays bounded under a flood of addresses.
    if (this.windows.size >= MAX_ADDRESSES) this.windows.delete(this.windows.keys().next().value!);
  }
}
