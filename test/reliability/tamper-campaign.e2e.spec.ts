// A campaign of random single edits to a stopped server's SQLite files (events.sqlite, and the checkpoint history in
// merkle.sqlite): the verifier detects every one and names the first bad leaf (or the signed segment holding it) or the
// edited checkpoint. In process for speed; test/ledger/tamper.e2e.spec.ts covers the same checks through the CLI.
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CheckpointHistoryError, checkpointNotes } from '../../src/cli/sources.js';
import { nativeEd25519Verify, nativeSha256 } from '../../src/cli/native-crypto.js';
import { SqliteEventStore } from '../../src/ledger/event-store/sqlite-event-store.js';
import { canonicalJson, computeEventHash, ZERO_HASH } from '../../src/verifier/envelope.js';
import { ExportVerifier } from '../../src/verifier/export-verifier.js';
import { filingBody, startLedger, tempDir } from '../support/ledger-app.js';
import { Fixtures, labelsBody, registerPrincipal, type Cast } from '../support/cast.js';
import { call } from '../support/http-client.js';
import { runCli } from '../support/server-process.js';
import { scaled, SEED, seeded, type Random } from '../support/stress.js';

const TAMPERS = scaled(30, 200);

type Row = {
  position: number;
  id: string;
  stream: string;
  revision: number;
  type: string;
  data: string;
  meta: string;
  recorded_at: string;
  prev_hash: string;
  hash: string;
};
type CheckpointRow = { treeSize: number; rootHash: string; time: number; note: string };
/** What an edit broke: the first leaf that differs from the original log, or the checkpoint (by tree size) that was altered. */
type Edit = { kind: string; leaf: number } | { kind: string; checkpoint: number };
type Outcome = { ok: boolean; leafIndex: number | null; reason: string; checkpoint: number | null };

const LEAF_EDITS = ['data-byte', 'field-byte', 'revision', 'delete', 'swap', 'move', 'insert', 'truncate'] as const;
const CHECKPOINT_EDITS = ['note-body-byte', 'note-signature-bit', 'note-root', 'root-column'] as const;
const KINDS = [...LEAF_EDITS, ...CHECKPOINT_EDITS];

const DIGITS = '0123456789';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const UPPER = LOWER.toUpperCase();
const HEX = '0123456789abcdef';

/** Another character of the same class (digit, hex digit, lower, upper), so the text keeps its shape. */
function otherChar(rnd: Random, c: string, hexOnly: boolean): string | null {
  const cls = hexOnly ? (HEX.includes(c) ? HEX : null) : ([DIGITS, LOWER, UPPER].find((k) => k.includes(c)) ?? null);
  if (!cls) return null;
  let r = c;
  while (r === c) r = rnd.pick([...cls]);
  return r;
}

/** One character changed so that the text is still JSON but means something else. */
function mutateJson(rnd: Random, text: string): string | null {
  const before = canonicalJson(JSON.parse(text));
  for (let tries = 0; tries < 200; tries++) {
    const i = rnd.int(0, text.length - 1);
    const r = otherChar(rnd, text[i], false);
    if (r === null) continue;
    const out = text.slice(0, i) + r + text.slice(i + 1);
    try {
      if (canonicalJson(JSON.parse(out)) !== before) return out;
    } catch {
      /* not JSON any more: try another character */
    }
  }
  return null;
}

function mutateText(rnd: Random, text: string, hexOnly: boolean): string | null {
  for (let tries = 0; tries < 200; tries++) {
    const i = rnd.int(0, text.length - 1);
    const r = otherChar(rnd, text[i], hexOnly);
    if (r !== null) return text.slice(0, i) + r + text.slice(i + 1);
  }
  return null;
}

const COLUMNS = ['id', 'stream', 'revision', 'type', 'data', 'meta', 'recorded_at', 'prev_hash', 'hash'] as const;

/** Applies one random edit of `kind` to the copy's files; null when this kind found nothing to edit this time. */
function applyEdit(rnd: Random, kind: string, dir: string): Edit | null {
  if ((CHECKPOINT_EDITS as readonly string[]).includes(kind)) {
    const db = new Database(join(dir, 'merkle.sqlite'));
    try {
      const rows = db
        .prepare('SELECT tree_size AS treeSize, root_hash AS rootHash, time, note FROM checkpoints ORDER BY tree_size')
        .all() as CheckpointRow[];
      const row = rnd.pick(rows);
      const setNote = (note: string) => db.prepare('UPDATE checkpoints SET note = ? WHERE tree_size = ?').run(note, row.treeSize);
      const split = row.note.indexOf('\n\n');
      if (kind === 'note-body-byte') {
        const positions = [...row.note.slice(0, split)].map((c, i) => (c === '\n' ? -1 : i)).filter((i) => i >= 0);
        const i = rnd.pick(positions);
        let r = row.note[i];
        while (r === row.note[i]) r = String.fromCharCode(rnd.int(0x21, 0x7e));
        setNote(row.note.slice(0, i) + r + row.note.slice(i + 1));
      } else if (kind === 'note-signature-bit') {
        const line = row.note.slice(split + 2, -1);
        const space = line.lastIndexOf(' ');
        const bytes = Buffer.from(line.slice(space + 1), 'base64');
        bytes[rnd.int(0, bytes.length - 1)] ^= 1 << rnd.int(0, 7);
        setNote(`${row.note.slice(0, split + 2)}${line.slice(0, space + 1)}${bytes.toString('base64')}\n`);
      } else if (kind === 'note-root') {
        const lines = row.note.split('\n');
        lines[2] = randomBytes(32).toString('base64');
        setNote(lines.join('\n'));
      } else {
        db.prepare('UPDATE checkpoints SET root_hash = ? WHERE tree_size = ?').run(randomBytes(32).toString('hex'), row.treeSize);
      }
      return { kind, checkpoint: row.treeSize };
    } finally {
      db.close();
    }
  }

  const db = new Database(join(dir, 'events.sqlite'));
  try {
    const rows = db.prepare('SELECT * FROM events ORDER BY position').all() as Row[];
    const n = rows.length;
    const p = rnd.int(0, n - 1);
    const row = rows[p];
    const set = (column: string, value: unknown) => db.prepare(`UPDATE events SET ${column} = ? WHERE position = ?`).run(value, p);
    switch (kind) {
      case 'data-byte': {
        const column = rnd.pick(['data', 'meta'] as const);
        const text = mutateJson(rnd, row[column]);
        if (text === null) return null;
        set(column, text);
        return { kind, leaf: p };
      }
      case 'field-byte': {
        const column = rnd.pick(['id', 'stream', 'type', 'recorded_at', 'prev_hash', 'hash'] as const);
        const text = mutateText(rnd, row[column], column === 'prev_hash' || column === 'hash');
        if (text === null) return null;
        set(column, text); // a clash with a unique column throws: the caller tries another edit
        return { kind, leaf: p };
      }
      case 'revision':
        set('revision', row.revision === 0 || rnd.next() < 0.5 ? row.revision + rnd.int(1, 3) : row.revision - 1);
        return { kind, leaf: p };
      case 'delete':
        db.prepare('DELETE FROM events WHERE position = ?').run(p);
        return { kind, leaf: p };
      case 'truncate':
        db.prepare('DELETE FROM events WHERE position >= ?').run(p);
        return { kind, leaf: p };
      case 'move':
        set('position', n + rnd.int(0, 5));
        return { kind, leaf: p };
      case 'swap': {
        if (n < 2) return null;
        let q = p;
        while (q === p) q = rnd.int(0, n - 1);
        const [i, j] = p < q ? [p, q] : [q, p];
        const a = rows[i];
        const b = rows[j];
        const put = db.prepare(`UPDATE events SET ${COLUMNS.map((c) => `${c} = @${c}`).join(', ')} WHERE position = @position`);
        db.transaction(() => {
          db.prepare('UPDATE events SET id = ?, stream = ?, revision = ? WHERE position = ?').run('swap', 'swap', -1, j);
          put.run({ ...b, position: i });
          put.run({ ...a, position: j });
        })();
        return { kind, leaf: i };
      }
      case 'insert': {
        // A forged event with a valid hash: a new stream, or the next revision of a stream whose last event comes before it.
        const heads = new Map<string, Row>();
        for (const r of rows) heads.set(r.stream, r);
        const before = [...heads.values()].filter((r) => r.position < p);
        const follow = before.length > 0 && rnd.next() < 0.5 ? rnd.pick(before) : null;
        const body = {
          v: 1 as const,
          id: `01a2253d-0000-7000-8000-${randomBytes(6).toString('hex')}`,
          stream: follow?.stream ?? `filing-forged-${randomBytes(4).toString('hex')}`,
          revision: follow ? follow.revision + 1 : 0,
          type: 'WorkFiled',
          data: { title: 'backdated claim' },
          meta: { actor: 'mallory' },
          recordedAt: '2026-01-01T00:00:00.000Z',
          prevHash: follow?.hash ?? ZERO_HASH,
        };
        const hash = rnd.next() < 0.8 ? computeEventHash(body, nativeSha256) : randomBytes(32).toString('hex');
        db.transaction(() => {
          // Shift the tail up by one, through negative positions so the primary key stays unique, then slot the forgery in.
          db.prepare('UPDATE events SET position = -(position + 1) WHERE position >= ?').run(p);
          db.prepare('UPDATE events SET position = -position WHERE position < 0').run();
          db.prepare(
            'INSERT INTO events (position, id, stream, revision, type, data, meta, recorded_at, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?)',
          ).run(
            p,
            body.id,
            body.stream,
            body.revision,
            body.type,
            JSON.stringify(body.data),
            JSON.stringify(body.meta),
            body.recordedAt,
            body.prevHash,
            hash,
          );
        })();
        return { kind, leaf: p };
      }
    }
    throw new Error(`unknown edit ${kind}`);
  } finally {
    db.close();
  }
}

/** What `sandbox-ledger verify --export <export> --checkpoints <history>` concludes, with the same code, in process. */
async function verifyDir(dir: string, vkey: string): Promise<Outcome> {
  const history = new Database(join(dir, 'merkle.sqlite'), { readonly: true });
  const items = history
    .prepare('SELECT tree_size AS treeSize, root_hash AS rootHash, time, note FROM checkpoints ORDER BY tree_size DESC')
    .all() as CheckpointRow[];
  history.close();
  let notes: string[];
  try {
    notes = checkpointNotes({ items });
  } catch (err) {
    if (!(err instanceof CheckpointHistoryError)) throw err;
    return { ok: false, leafIndex: null, reason: err.message, checkpoint: Number(err.treeSize) };
  }
  const verifier = new ExportVerifier({ sha256: nativeSha256, verify: nativeEd25519Verify });
  for (const [i, note] of notes.entries()) {
    if (!verifier.checkCheckpoint(note, vkey)) return { ...verifier.result!, checkpoint: items[i].treeSize };
  }
  // The export: the store's envelopes in leaf order, one JSON line each, exactly as `sandbox-ledger export` writes them.
  const store = SqliteEventStore.open(join(dir, 'events.sqlite'));
  try {
    for (let position = 0, more = true; more;) {
      const batch = await store.readAll(position, { limit: 1000 });
      for (const e of batch) if (!verifier.push(JSON.stringify(e))) more = false;
      position += batch.length;
      if (batch.length === 0) more = false;
    }
  } finally {
    await store.close();
  }
  const result = verifier.finish();
  return result.ok ? { ok: true, leafIndex: null, reason: 'ok', checkpoint: null } : { ...result, checkpoint: null };
}

describe("tamper campaign on a stopped server's SQLite files", () => {
  const dataDir = tempDir('ledger-campaign-');
  const work = tempDir('ledger-campaign-work-');
  let vkey: string;
  let logSize: number;
  let signedSizes: number[];

  beforeAll(async () => {
    const ledger = await startLedger({ dataDir, checkpointIntervalMs: 0, publicRateLimit: 100_000 });
    const sign = async () => {
      expect((await call(ledger.url, 'GET', '/v1/ledger/checkpoint')).status).toBe(200);
    };
    // The cast one by one, so every commit ends a signed segment.
    const who = async (name: string, roles: string[]) => {
      const w = await registerPrincipal(ledger.url, ledger.adminKey, name, roles);
      await sign();
      return w;
    };
    const cast: Cast = {
      admin: { id: '', key: ledger.adminKey, keyId: '' },
      creator: await who('Alice', ['creator']),
      otherCreator: await who('Oscar', ['creator']),
      complainant: await who('Bob', ['creator']),
      reviewer: await who('Victor', ['reviewer']),
      assignedReviewer: await who('Rita', ['reviewer']),
      auditor: await who('Audrey', ['auditor']),
      revoked: await who('Rex', ['creator']),
    };
    const f = new Fixtures(ledger.url, cast);
    // A varied log, with a checkpoint after every write so most failures pin down one leaf.
    const filings: string[] = [];
    for (let i = 0; i < 6; i++) {
      filings.push((await f.filing(i % 2 === 0 ? cast.creator : cast.otherCreator)).filingId);
      await sign();
    }
    for (const [i, id] of [filings[0], filings[2], filings[4], filings[0]].entries()) {
      expect((await call(ledger.url, 'POST', `/v1/filings/${id}/labels`, cast.creator.key, labelsBody(`gen-${i}`))).status).toBe(201);
      await sign();
    }
    expect((await call(ledger.url, 'POST', `/v1/filings/${filings[2]}/withdraw`, cast.creator.key, { reason: 'duplicate' })).status).toBe(
      200,
    );
    await sign();
    const disputeId = (
      await call(ledger.url, 'POST', '/v1/disputes', cast.complainant.key, { type: 'infringement', filingId: filings[4], claim: 'Mine.' })
    ).json.disputeId;
    await sign();
    for (const [who, action, body] of [
      [cast.assignedReviewer, 'assign', { reviewerId: cast.assignedReviewer.id }],
      [cast.creator, 'response', { statement: 'No.' }],
      [cast.assignedReviewer, 'decision', { outcome: 'upheld', remedy: 'suspend', reasoning: 'Copied.' }],
    ] as const) {
      expect((await call(ledger.url, 'POST', `/v1/disputes/${disputeId}/${action}`, who.key, body)).status).toBe(200);
      await sign();
    }
    const key = await call(ledger.url, 'POST', `/v1/principals/${cast.creator.id}/keys`, ledger.adminKey);
    await sign();
    await call(ledger.url, 'DELETE', `/v1/keys/${key.json.keyId}`, ledger.adminKey);
    await call(ledger.url, 'POST', '/v1/filings', cast.otherCreator.key, filingBody());
    await sign();
    vkey = (await call(ledger.url, 'GET', '/v1/ledger/key')).text.trim();
    logSize = await ledger.store.count();
    await ledger.close();
    const db = new Database(join(dataDir, 'merkle.sqlite'), { readonly: true });
    signedSizes = db.prepare('SELECT tree_size FROM checkpoints ORDER BY tree_size').pluck().all() as number[];
    db.close();
    expect(signedSizes[signedSizes.length - 1]).toBe(logSize); // every leaf is under a signature: an edit anywhere must show
  });
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  it('verifies the untouched copy', async () => {
    const dir = join(work, 'untouched');
    cpSync(dataDir, dir, { recursive: true });
    expect(await verifyDir(dir, vkey)).toMatchObject({ ok: true });
  });

  it(`detects every one of ${TAMPERS} random single edits and names the first bad leaf or the edited checkpoint`, async () => {
    const rnd = seeded(SEED);
    const byKind = new Map<string, { tried: number; detected: number }>(KINDS.map((k) => [k, { tried: 0, detected: 0 }]));
    const tally = { tried: 0, detected: 0, exactLeaf: 0, signedSegment: 0, laterInSegment: 0, checkpoint: 0 };
    const misses: string[] = [];
    /** The signed segment [from, to) that holds leaf `i`: between the last checkpoint at or below it and the next one above. */
    const segment = (i: number) => ({
      from: Math.max(0, ...signedSizes.filter((s) => s <= i)),
      to: Math.min(...signedSizes.filter((s) => s > i)),
    });

    for (let t = 0; t < TAMPERS; t++) {
      const kind = KINDS[t % KINDS.length]; // every kind in turn, the target at random
      const dir = join(work, `t${t}`);
      let edit: Edit | null = null;
      for (let attempt = 0; edit === null && attempt < 20; attempt++) {
        rmSync(dir, { recursive: true, force: true });
        cpSync(dataDir, dir, { recursive: true });
        try {
          edit = applyEdit(rnd, kind, dir);
        } catch (err) {
          if (!/UNIQUE constraint failed/.test((err as Error).message)) throw err; // an edit that would clash: pick another target
        }
      }
      if (edit === null) throw new Error(`no ${kind} edit could be made`);
      const outcome = await verifyDir(dir, vkey);
      rmSync(dir, { recursive: true, force: true });
      tally.tried += 1;
      byKind.get(kind)!.tried += 1;
      let named = false;
      if ('leaf' in edit) {
        const { from, to } = segment(edit.leaf);
        if (!outcome.ok && outcome.checkpoint === null && outcome.leafIndex === edit.leaf) {
          named = true;
          tally.exactLeaf += 1;
        } else if (
          !outcome.ok &&
          outcome.checkpoint === null &&
          outcome.leafIndex !== null &&
          outcome.leafIndex >= from &&
          outcome.leafIndex < to
        ) {
          // The root of the next checkpoint shows only that some leaf after the last matching one differs: the verifier names the segment's first leaf.
          named = true;
          if (outcome.leafIndex === from) tally.signedSegment += 1;
          else tally.laterInSegment += 1;
        }
      } else if (!outcome.ok && outcome.checkpoint === edit.checkpoint) {
        named = true;
        tally.checkpoint += 1;
      }
      if (!outcome.ok) {
        tally.detected += 1;
        byKind.get(kind)!.detected += 1;
      }
      if (!named) misses.push(`${JSON.stringify(edit)} → ${JSON.stringify(outcome)}`);
    }

    console.log(
      `tamper campaign (seed ${SEED}, log of ${logSize} events under ${signedSizes.length} checkpoints): ${tally.detected}/${tally.tried} detected; ` +
        `named the first bad leaf in ${tally.exactLeaf}, the first leaf of the signed segment holding it in ${tally.signedSegment}` +
        `${tally.laterInSegment ? `, a later leaf of that segment in ${tally.laterInSegment}` : ''}, the edited checkpoint in ${tally.checkpoint}; ` +
        `by kind: ${[...byKind].map(([k, v]) => `${k} ${v.detected}/${v.tried}`).join(', ')}`,
    );
    expect(misses).toEqual([]);
    expect(tally.detected).toBe(TAMPERS);
  });

  it('names the edited checkpoint through the CLI too', async () => {
    const rnd = seeded(SEED + 1);
    for (const kind of ['root-column', 'note-signature-bit']) {
      const dir = join(work, `cli-${kind}`);
      cpSync(dataDir, dir, { recursive: true });
      const edit = applyEdit(rnd, kind, dir) as { checkpoint: number };
      const db = new Database(join(dir, 'merkle.sqlite'), { readonly: true });
      const items = db
        .prepare('SELECT tree_size AS treeSize, root_hash AS rootHash, time, note FROM checkpoints ORDER BY tree_size DESC')
        .all();
      db.close();
      mkdirSync(join(work, 'cli'), { recursive: true });
      const historyFile = join(work, 'cli', `${kind}.json`);
      writeFileSync(historyFile, JSON.stringify({ items, nextCursor: null }));
      const exportFile = join(work, 'cli', `${kind}.ndjson`);
      expect((await runCli(['export', '--out', exportFile], { LEDGER_DATA_DIR: dir, LOG_LEVEL: 'warn' })).code).toBe(0);
      const result = await runCli(['verify', '--export', exportFile, '--checkpoints', historyFile, '--vkey', vkey], {});
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(new RegExp(`^FAILED: .*tree size ${edit.checkpoint}\\b`));
    }
  });
});
