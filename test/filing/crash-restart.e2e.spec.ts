// SIGKILL under load loses nothing acknowledged; the projection resumes and equals a full rebuild.
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { filingBody, strongKey, tempDir } from '../support/ledger-app.js';
import { runCli, startServerProcess } from '../support/server-process.js';

const json = async (res: Response) => ({ status: res.status, body: await res.json() as any });

describe('crash and restart', () => {
  const dataDir = tempDir('ledger-crash-');
  const adminKey = strongKey();
  const env = { LEDGER_DATA_DIR: dataDir, LEDGER_BOOTSTRAP_ADMIN_KEY: adminKey };
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  const post = (url: string, key: string, path: string, body: unknown) =>
    fetch(url + path, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(json);
  const get = (url: string, key: string, path: string) => fetch(url + path, { headers: { authorization: `Bearer ${key}` } }).then(json);

  async function allFilings(url: string) {
    const items: unknown[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: unknown[]; nextCursor: string | null } } = await get(url, adminKey, `/v1/filings?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
      items.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    return items;
  }

  it('keeps every 201 through three SIGKILLs, and the resumed read models equal a rebuild', async () => {
    const acknowledged = new Map<string, string>();
    let creatorKey = '';
    for (let round = 0; round < 3; round++) {
      const server = await startServerProcess(env);
      if (!creatorKey) creatorKey = (await post(server.url, adminKey, '/v1/principals', { name: 'Alice', roles: ['creator'] })).body.apiKey.key;
      // Eight concurrent clients file until the server is killed after 15 acknowledgements in this round.
      let acked = 0;
      let killed = false;
      const client = async () => {
        while (!killed) {
          const body = filingBody();
          try {
            const res = await post(server.url, creatorKey, '/v1/filings', body);
            if (res.status === 201) { acknowledged.set(res.body.filingId, body.contentHash as string); acked += 1; }
          } catch { return; /* connection cut by the kill */ }
          if (acked >= 15 && !killed) { killed = true; server.child.kill('SIGKILL'); }
        }
      };
      await Promise.all(Array.from({ length: 8 }, client));
      await server.exited;
    }
    expect(acknowledged.size).toBeGreaterThanOrEqual(45);

    const server = await startServerProcess(env);
    for (const [filingId, contentHash] of acknowledged) {
      const res = await get(server.url, adminKey, `/v1/filings/${filingId}`);
      expect(res.status).toBe(200);
      expect(res.body.contentHash).toBe(contentHash);
    }
    const health = await fetch(`${server.url}/health`).then(json);
    expect(health.body.projectedTo).toBe(health.body.logSize);
    const resumed = await allFilings(server.url);
    server.child.kill('SIGTERM');
    await server.exited;

    const rebuild = await runCli(['projections', 'rebuild'], env);
    expect(rebuild.stderr).toBe('');
    expect(rebuild.code).toBe(0);
    expect(rebuild.stdout).toMatch(new RegExp(`rebuilt read models from ${health.body.logSize} events`));

    const again = await startServerProcess(env);
    expect(await allFilings(again.url)).toEqual(resumed);
    again.child.kill('SIGTERM');
    await again.exited;
    expect(statSync(join(dataDir, 'events.sqlite')).size).toBeGreaterThan(0);
  });

  it('writes a generated admin key to a 0600 file when none is given, and never logs it', async () => {
    const dir = tempDir('ledger-boot-');
    try {
      const server = await startServerProcess({ LEDGER_DATA_DIR: dir });
      const file = join(dir, 'admin.key');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const { readFileSync } = await import('node:fs');
      const key = readFileSync(file, 'utf8').trim();
      expect(key).toMatch(/^slk_[A-Za-z0-9_-]{43}$/);
      expect((await get(server.url, key, '/v1/filings')).status).toBe(200);
      server.child.kill('SIGTERM');
      await server.exited;
      expect(server.output()).not.toContain(key);
      expect(server.output()).toContain('admin.key');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
