// What the ledger's providers open while Nest makes the application: a start that fails there has no application yet
// whose close would close them (Nest drops the providers it made), so createApp closes them through this instead.

type Close = () => unknown;

/** The stores and threads opened during one start, closed last opened first if that start fails. */
export class OpenedOnStart {
  private readonly closes: Close[] = [];
  private failed = false;

  /** `value`, to be closed by `close` if the start fails; closed at once when it already has (a factory still running then). */
  track<T>(value: T, close: (value: T) => unknown): T {
    if (this.failed) void settle(() => close(value));
    else this.closes.push(() => close(value));
    return value;
  }

  /** The start failed: closes what it opened. A close that fails does not stop the others. */
  async closeAll(): Promise<void> {
    this.failed = true;
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
