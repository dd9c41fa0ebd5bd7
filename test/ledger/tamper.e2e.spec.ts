// Tampering with a stopped server's store: `sandbox-ledger verify` fails and names the first bad leaf.
import { createHash } from 'node:crypto';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import canonicalize from 'canonicalize';
import { filingBody, principal, startLedger, tempDir } from '../support/ledger-app.js';
import { runCli } from '../support/server-process.js';

const FILINGS = 8;

describe('tamper detection on a real data dir', () => {
  const dataDir = tempDir('ledger-tamper-');
  const work = tempDir('ledger-tamper-work-');
  let vkeyFile: string;
  let checkpointsFile: string;
  let checkpointFile: string;
  let logSize: number;

  beforeAll(async () => {
    const ledger = await startLedger({ dataDir, checkpointIntervalMs: 0 });
    const alice = await principal(ledger, 'Alice', ['creator']);
    for (let i = 0; i < FILINGS; i++) {
      await ledger.http().post('/v1/filings').set('authorization', `Bearer ${alice.key}`).send(filingBody());
      await ledger.http().get('/v1/ledger/checkpoint'); // a checkpoint per filing: failures are pinned to one leaf
    }
    logSize = await ledger.store.count();
    vkeyFile = join(work, 'vkey');
    writeFileSync(vkeyFile, (await ledger.http().get('/v1/ledger/key')).text);
    checkpointsFile = join(work, 'checkpoints.json');
    writeFileSync(checkpointsFile, JSON.stringify((await ledger.http().get('/v1/ledger/checkpoints').query({ limit: 1000 })).body));
    checkpointFile = join(work, 'checkpoint');
    writeFileSync(checkpointFile, (await ledger.http().get('/v1/ledger/checkpoint')).text);
    await ledger.close();
  });
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  /** Copies the data dir, applies `edit` to its events database, exports with the CLI and verifies. */
  async function verifyAfter(name: string, edit: (db: Database.Database) => void) {
    const copy = join(work, name);
    cpSync(dataDir, copy, { recursive: true });
    const db = new Database(join(copy, 'events.sqlite'));
    edit(db);
    db.close();
    const exportFile = join(work, `${name}.ndjson`);
    const exported = await runCli(['export', '--out', exportFile], { LEDGER_DATA_DIR: copy, LOG_LEVEL: 'warn' });
    expect(exported.code).toBe(0);
    return runCli(['verify', '--export', exportFile, '--checkpoints', checkpointsFile, '--vkey', vkeyFile], {});
  }

  const row = (db: Database.Database, position: number) =>
    db.prepare('SELECT * FROM events WHERE position = ?').get(position) as Record<string, unknown>;

  it('verifies the untouched data dir', async () => {
    const result = await verifyAfter('untouched', () => undefined);
    expect(result.stdout).toMatch(new RegExp(`^ok: ${logSize} events`));
    expect(result.code).toBe(0);
  });

  it('names the leaf whose data was modified', async () => {
    const target = logSize - 5;
    const result = await verifyAfter('modified', (db) => {
      const data = JSON.parse(row(db, target).data as string);
      data.title = `${data.title ?? ''}!`;
      data.tampered = true;
      db.prepare('UPDATE events SET data = ? WHERE position = ?').run(JSON.stringify(data), target);
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`^FAILED at leaf ${target}: hash does not match`));
  });

  it('names the leaf that was deleted', async () => {
    const target = 7;
    const result = await verifyAfter('deleted', (db) => db.prepare('DELETE FROM events WHERE position = ?').run(target));
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`^FAILED at leaf ${target}: `));
  });

  it('names the commit holding the first of two swapped events', async () => {
    const [i, j] = [logSize - 6, logSize - 3];
    const result = await verifyAfter('swapped', (db) => {
      const a = row(db, i);
      const b = row(db, j);
      const cols = Object.keys(a).filter((c) => c !== 'position');
      const set = db.prepare(`UPDATE events SET ${cols.map((c) => `${c} = @${c}`).join(', ')} WHERE position = @position`);
      db.transaction(() => {
        db.prepare('UPDATE events SET id = ?, stream = ?, revision = ? WHERE position = ?').run('tmp', 'tmp', -1, j);
        set.run({ ...b, position: i });
        set.run({ ...a, position: j });
      })();
    });
    expect(result.code).toBe(1);
    // Each event keeps its own hash and chain: the signed roots find the commit that moved (a checkpoint per commit).
    expect(result.stdout).toMatch(new RegExp(`^FAILED in leaves ${i}\\.\\.${i + 1}: root of the first ${i + 2} events does not match`));
  });

  it('names the commit where a forged event with a valid hash was inserted', async () => {
    const target = logSize - 4;
    const result = await verifyAfter('inserted', (db) => {
      const forged: Record<string, unknown> = {
        v: 1,
        id: '01a2253d-0000-7000-8000-000000000000',
        stream: 'filing-forged',
        revision: 0,
        type: 'WorkFiled',
        data: { title: 'backdated claim' },
        meta: { actor: 'mallory' },
        recordedAt: '2026-01-01T00:00:00.000Z',
        prevHash: '0'.repeat(64),
      };
      const hash = createHash('sha256').update(canonicalize(forged)!).digest('hex');
      db.transaction(() => {
        // Shift the tail up by one (through negative positions to keep the primary key unique), then slot the forgery in.
        db.prepare('UPDATE events SET position = -(position + 1) WHERE position >= ?').run(target);
        db.prepare('UPDATE events SET position = -position WHERE position < 0').run();
        db.prepare(
          'INSERT INTO events (position, id, stream, revision, type, data, meta, recorded_at, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?)',
        ).run(
          target,
          forged.id,
          forged.stream,
          0,
          forged.type,
          JSON.stringify(forged.data),
          JSON.stringify(forged.meta),
          forged.recordedAt,
          forged.prevHash,
          hash,
        );
      })();
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`^FAILED in leaves ${target}\\.\\.${target + 1}: root of the first ${target + 2} events`));
  });

  it('names the leaves a consistent rewrite hides in: re-hashed events fail only at the signed root', async () => {
    let target = -1;
    const result = await verifyAfter('rehashed', (db) => {
      const filed = db.prepare("SELECT * FROM events WHERE type = 'WorkFiled' ORDER BY position LIMIT 1 OFFSET 3").get() as Record<
        string,
        any
      >;
      target = filed.position;
      const rows = db
        .prepare('SELECT * FROM events WHERE stream = ? AND revision >= ? ORDER BY revision')
        .all(filed.stream, filed.revision) as Array<Record<string, any>>;
      let prevHash: string = filed.prev_hash;
      for (const r of rows) {
        const data = JSON.parse(r.data);
        if (r.position === target) data.title = 'Rewritten, every hash recomputed';
        const body = {
          v: 1,
          id: r.id,
          stream: r.stream,
          revision: r.revision,
          type: r.type,
          data,
          meta: JSON.parse(r.meta),
          recordedAt: r.recorded_at,
          prevHash,
        };
        const hash = createHash('sha256').update(canonicalize(body)!).digest('hex');
        db.prepare('UPDATE events SET data = ?, prev_hash = ?, hash = ? WHERE position = ?').run(
          JSON.stringify(data),
          prevHash,
          hash,
          r.position,
        );
        prevHash = hash;
      }
    });
    // With the checkpoint history, the leaves between the last checkpoint that matches and the first that does not.
    expect(result.code).toBe(1);
    const [, from, to] = /^FAILED (?:at leaf (\d+)|in leaves (\d+)\.\.(\d+)): root of the first/
      .exec(result.stdout)!
      .filter((x) => x !== undefined)
      .map(Number);
    expect(from).toBeLessThanOrEqual(target);
    expect(to ?? from).toBeGreaterThanOrEqual(target);
    expect((to ?? from) - from).toBeLessThan(logSize - 1);
    // With the latest checkpoint alone, any leaf of the log.
    const alone = await runCli(
      ['verify', '--export', join(work, 'rehashed.ndjson'), '--checkpoint', checkpointFile, '--vkey', vkeyFile],
      {},
    );
    expect(alone.code).toBe(1);
    expect(alone.stdout).toMatch(
      new RegExp(
        `^FAILED in leaves 0\\.\\.${logSize - 1}: root of the first ${logSize} events does not match the signed checkpoint of size ${logSize}: ` +
          `each event's own hash and chain hold, but leaves 0\\.\\.${logSize - 1} are not those the log signed`,
      ),
    );
  });

  it('names the first missing leaf when the tail is truncated', async () => {
    const target = logSize - 3;
    const result = await verifyAfter('truncated', (db) => db.prepare('DELETE FROM events WHERE position >= ?').run(target));
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`^FAILED at leaf ${target}: export ends`));
  });

  it('fails on a checkpoint signed by another key', async () => {
    const forgedVkey = join(work, 'other-vkey');
    writeFileSync(forgedVkey, readFileSync(vkeyFile, 'utf8').replace(/\+[0-9a-f]{8}\+/, '+00000000+'));
    const result = await runCli(
      ['verify', '--export', join(work, 'untouched.ndjson'), '--checkpoints', checkpointsFile, '--vkey', forgedVkey],
      {},
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^FAILED/);
  });
});
