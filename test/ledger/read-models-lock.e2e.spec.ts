// Another process holding the write lock of the read models' SQLite file (a tool, a backup) does not hold the server
// up: the projection runner finds the file busy, says so, and tries again later with the event loop free, so /health
// and writes are answered meanwhile and readers get their 503 with Retry-After; once the lock is let go, the batch is
// applied once, in order, and the read models equal a full rebuild.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { registerPrincipal } from '../support/cast.js';
import { call } from '../support/http-client.js';
import { filingBody, strongKey, tempDir } from '../support/ledger-app.js';
import { dumpReadModels } from '../support/read-models.js';
import { runCli, startServerProcess, type ServerProcess } from '../support/server-process.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The sqlite3 shell, holding the write lock of `file` from when this resolves until `release` (or the test's end). */
async function holdWriteLock(file: string): Promise<{ shell: ChildProcessWithoutNullStreams; release: () => Promise<number | null> }> {
  const shell = spawn('sqlite3', ['-bail', file]);
  const exited = new Promise<number | null>((resolve) => shell.on('exit', resolve));
  let out = '';
  shell.stdout.on('data', (d) => (out += d));
  shell.stderr.on('data', (d) => (out += d));
  // The shell waits for the server's own batch to commit if one is under way.
  shell.stdin.write(".timeout 10000\nBEGIN EXCLUSIVE;\nSELECT 'locked';\n");
  while (!out.includes('locked')) {
    if (shell.exitCode !== null) throw new Error(`sqlite3 exited: ${out}`);
    await sleep(10);
  }
  return {
    shell,
    release: async () => {
      shell.stdin.end('COMMIT;\n.quit\n');
      const code = await exited;
      expect(out.trim()).toBe('locked');
      return code;
    },
  };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 600; i++) {
    const found = await probe();
    if (found !== undefined) return found;
    await sleep(50);
  }
  throw new Error(`never: ${what}`);
}

describe('a read-models lock held by another process', () => {
  const dataDir = tempDir('ledger-read-models-lock-');
  const adminKey = strongKey();
  const env = { LEDGER_DATA_DIR: dataDir, LEDGER_BOOTSTRAP_ADMIN_KEY: adminKey, LEDGER_READ_WAIT_MS: '300', LOG_LEVEL: 'info' };
  let server: ServerProcess | undefined;
  let shell: ChildProcessWithoutNullStreams | undefined;
  afterAll(async () => {
    shell?.kill('SIGKILL');
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('leaves /health and filings answered while it is held, and the read models catch up once it is let go', async () => {
    server = await startServerProcess(env);
    const url = server.url;
    const alice = await registerPrincipal(url, adminKey, 'alice', ['creator']);
    const before = await call(url, 'POST', '/v1/filings', alice.key, filingBody());
    expect(before.status).toBe(201);
    await until('the first filing is in the read models', async () =>
      (await call(url, 'GET', `/v1/filings/${before.json.filingId}`, alice.key)).status === 200 ? true : undefined,
    );

    const lock = await holdWriteLock(join(dataDir, 'read-models.sqlite'));
    shell = lock.shell;
    const filed: string[] = [];
    const first = await call(url, 'POST', '/v1/filings', alice.key, filingBody());
    expect(first.status).toBe(201); // the events are the write path, not the read models
    filed.push(first.json.filingId);
    // The runner's batch found the file locked, and tries again later instead of waiting on the event loop.
    await until('the server says the read models are locked', async () =>
      server!.output().includes('the read models are locked by another connection') ? true : undefined,
    );

    // Still held: everything but a read of what the read models do not have yet is answered, again and again.
    for (let i = 0; i < 5; i++) {
      const health = await call(url, 'GET', '/health');
      expect(health.status).toBe(200);
      expect(health.json.projectedTo).toBeLessThan(health.json.logSize);
      const more = await call(url, 'POST', '/v1/filings', alice.key, filingBody());
      expect(more.status).toBe(201);
      filed.push(more.json.filingId);
      const behind = await call(url, 'GET', `/v1/filings/${first.json.filingId}`, alice.key);
      expect([behind.status, behind.headers['retry-after'], behind.json?.type]).toEqual([
        503,
        '1',
        expect.stringContaining('read-models-behind'),
      ]);
    }
    // The first refusal is logged as one line, its code and detail, without a stack; those after it in the same minute
    // are counted, and the count is logged when the server stops (below).
    const held = server;
    const refusalLines = () =>
      held
        .output()
        .split('\n')
        .filter((line) => line.includes('read-models-behind: the read models cover'));
    expect(refusalLines()).toHaveLength(1);
    expect(refusalLines()[0]).not.toContain('    at ');
    // A write with an Idempotency-Key records its key in the read models first: it waits 5 s for the lock, then is
    // refused with 503 and Retry-After, having appended nothing; sent again once the lock is let go, it is carried out.
    const keyed = filingBody();
    const sizeBefore = (await call(url, 'GET', '/health')).json.logSize;
    const refused = await call(url, 'POST', '/v1/filings', alice.key, keyed, { 'idempotency-key': 'while-locked' });
    expect([refused.status, refused.headers['retry-after'], refused.json?.type]).toEqual([503, '1', expect.stringMatching(/unavailable$/)]);
    expect((await call(url, 'GET', '/health')).json.logSize).toBe(sizeBefore);
    expect(lock.shell.exitCode).toBeNull(); // the lock was held throughout

    expect(await lock.release()).toBe(0);
    const retried = await call(url, 'POST', '/v1/filings', alice.key, keyed, { 'idempotency-key': 'while-locked' });
    expect(retried.status).toBe(201);
    filed.push(retried.json.filingId);
    for (const id of filed)
      await until(`filing ${id} is in the read models`, async () => {
        const res = await call(url, 'GET', `/v1/filings/${id}`, alice.key);
        return res.status === 200 ? res.json : undefined;
      });
    const health = await call(url, 'GET', '/health');
    expect(health.json.projectedTo).toBe(health.json.logSize);
    expect(server.output()).toContain("the read models' lock was let go");
    expect(server.output()).not.toContain('projection failed');

    // Each event applied once and in order: what the server holds is what a rebuild from the log makes.
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(refusalLines()).toHaveLength(2);
    expect(Number(/\(the last of (\d+) more like it from /.exec(refusalLines()[1])?.[1])).toBeGreaterThanOrEqual(4);
    const resumed = dumpReadModels(dataDir);
    const rebuild = await runCli(['projections', 'rebuild'], { ...env, LOG_LEVEL: 'warn' });
    expect([rebuild.code, rebuild.stderr]).toEqual([0, '']);
    expect(dumpReadModels(dataDir)).toEqual(resumed);

    // A start while the lock is held is not held up by it: the server answers, and applies nothing until it is let go.
    const again = await holdWriteLock(join(dataDir, 'read-models.sqlite'));
    shell = again.shell;
    server = await startServerProcess(env);
    const started = await call(server.url, 'GET', '/health');
    expect([started.status, started.json.projectedTo]).toEqual([200, started.json.logSize]);
    expect(await again.release()).toBe(0);
    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  }, 180_000);
});
