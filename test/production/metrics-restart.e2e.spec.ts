// The events-appended counter is scraped after a restart before anything is appended: a series per event type, at 0,
// which the next append counts from.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../src/bench/processes.js';
import { registerPrincipal } from '../support/cast.js';
import { strongKey, tempDir } from '../support/ledger-app.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

/** Every event type the catalogue lists. */
const CATALOGUE_TYPES = [...readFileSync(join(ROOT, 'docs/event-catalogue.md'), 'utf8').matchAll(/^\| `(\w+)` \|/gm)].map((m) => m[1]);

/** Each type's ledger_events_appended_total sample, from the server's GET /metrics. */
async function appended(server: ServerProcess): Promise<Map<string, number>> {
  const res = await fetch(`${server.url}/metrics`);
  expect(res.status).toBe(200);
  const text = await res.text();
  return new Map([...text.matchAll(/^ledger_events_appended_total\{type="(\w+)"\} (\d+)$/gm)].map((m) => [m[1], Number(m[2])]));
}

async function stop(server: ServerProcess): Promise<void> {
  server.child.kill('SIGTERM');
  expect(await server.exited).toBe(0);
}

describe('ledger_events_appended_total after a restart', () => {
  const dataDir = tempDir('ledger-metrics-restart-');
  const env = { LEDGER_DATA_DIR: dataDir, LEDGER_BOOTSTRAP_ADMIN_KEY: strongKey(), LOG_LEVEL: 'warn' };
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('has a sample for every event type, at 0, before the first append, and counts from there', async () => {
    expect(CATALOGUE_TYPES.length).toBeGreaterThanOrEqual(24);
    const first = await startServerProcess(env);
    try {
      // The first start appended the bootstrap admin's registration.
      expect((await appended(first)).get('PrincipalRegistered')).toBe(1);
    } finally {
      await stop(first);
    }

    const again = await startServerProcess(env);
    try {
      const restarted = await appended(again);
      expect(Object.fromEntries(restarted)).toEqual(Object.fromEntries(CATALOGUE_TYPES.map((type) => [type, 0])));

      await registerPrincipal(again.url, env.LEDGER_BOOTSTRAP_ADMIN_KEY, 'creator', ['creator']);
      const after = await appended(again);
      expect([after.get('PrincipalRegistered'), after.get('ApiKeyIssued'), after.get('WorkFiled')]).toEqual([1, 1, 0]);
    } finally {
      await stop(again);
    }
  }, 180_000);
});
