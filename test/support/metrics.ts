// Reading the server's Prometheus text in tests: one counter's total over the series whose labels include all those given.
import type { LedgerApp } from './ledger-app.js';

/**
 * The sum of `metric` over its series carrying every one of `labels` (`name="value"`), from GET /metrics. The counters
 * are the process's: another ledger in the same test process counts into them too, so a test names its own labels.
 */
export async function counterTotal(ledger: LedgerApp, metric: string, labels: readonly string[]): Promise<number> {
  const res = await ledger.http().get('/metrics');
  expect(res.status).toBe(200);
  let total = 0;
  for (const [, name, series, value] of res.text.matchAll(/^(\w+)\{([^}]*)\} (\d+)$/gm))
    if (name === metric && labels.every((l) => series.includes(l))) total += Number(value);
  return total;
}
