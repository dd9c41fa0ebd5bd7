// A ledger with a real RFC 3161 TSA: checkpoints get verified tokens (that `openssl ts -verify` accepts too), at most
// one per interval; a TSA that fails or hangs never holds up a write (one is answered while a query to the TSA is still
// unanswered), and the failures show in /metrics.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startOpensslTsa, type OpensslTsa } from '../../src/bench/openssl-tsa.js';
import { sha256 } from '../../src/timestamp/rfc3161.js';
import { parseCheckpoint } from '../../src/verifier/checkpoint.js';
import { parseNote } from '../../src/verifier/note.js';
import { checkpointMessage, parsePemCertificates, verifyTimestampToken } from '../../src/verifier/timestamp-token.js';
import { filingBody, principal, startLedger, type LedgerApp } from '../support/ledger-app.js';
import { counterTotal } from '../support/metrics.js';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Item {
  treeSize: number;
  time: number;
  note: string;
  timestamps: Array<{ tsa: string; time: number; token: string }>;
}

describe('checkpoints time-stamped by an RFC 3161 TSA', () => {
  let tsa: OpensslTsa;
  let ledger: LedgerApp;
  let creator: { key: string };
  const work = mkdtempSync(join(tmpdir(), 'ledger-tsa-e2e-'));

  beforeAll(async () => {
    tsa = await startOpensslTsa();
    ledger = await startLedger({
      checkpointIntervalMs: 200,
      tsaUrls: [tsa.url],
      tsaCaFile: tsa.caFile,
      tsaIntervalS: 1,
      tsaTimeoutMs: 1000,
    });
    creator = await principal(ledger, 'Tess', ['creator']);
  });
  afterAll(async () => {
    await ledger.close();
    await tsa.close();
    rmSync(work, { recursive: true, force: true });
  });

  const file = () => ledger.http().post('/v1/filings').set('authorization', `Bearer ${creator.key}`).send(filingBody());
  const history = async () => (await ledger.http().get('/v1/ledger/checkpoints').query({ limit: 1000 })).body.items as Item[];

  it('stores a verified token per interval, over the checkpoint text, not before the checkpoint time', async () => {
    const started = Date.now();
    while (Date.now() - started < 3500) {
      expect((await file()).status).toBe(201);
      await sleep(100);
    }
    // Every checkpoint gets a stamped one within the interval after it: the last one once the TSA has answered for it,
    // which a loaded machine may delay past a fixed wait, so the history is read again until then (at most 15 s).
    const covered = (items: Item[]) => {
      const stamped = items.filter((c) => c.timestamps.length > 0);
      return items.every((c) => stamped.some((s) => s.treeSize >= c.treeSize && s.time - c.time <= 2));
    };
    let items = await history();
    for (const deadline = Date.now() + 15_000; !covered(items) && Date.now() < deadline; items = await history()) await sleep(250);
    const stamped = items.filter((c) => c.timestamps.length > 0);
    expect(stamped.length).toBeGreaterThanOrEqual(2);
    // At most one token per second (the interval), and every checkpoint has a stamped one within the interval after it.
    const times = stamped.map((c) => c.timestamps[0].time).sort();
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(1);
    for (const c of items) expect(stamped.some((s) => s.treeSize >= c.treeSize && s.time - c.time <= 2)).toBe(true);
    const cas = parsePemCertificates(tsa.caPem);
    for (const c of stamped) {
      const [{ tsa: url, time, token }] = c.timestamps;
      expect(url).toBe(tsa.url);
      const der = Buffer.from(token, 'base64');
      const verified = await verifyTimestampToken(der, checkpointMessage(c.note), cas);
      expect(verified.time).toBe(time);
      expect(time).toBeGreaterThanOrEqual(parseCheckpoint((parseNote(c.note) as { text: string }).text).time!);
      const tokenFile = join(work, `token-${c.treeSize}.der`);
      writeFileSync(tokenFile, der);
      const digest = Buffer.from(sha256(checkpointMessage(c.note))).toString('hex');
      const { stdout } = await run('openssl', ['ts', '-verify', '-in', tokenFile, '-token_in', '-digest', digest, '-CAfile', tsa.caFile]);
      expect(stdout).toMatch(/Verification: OK/);
    }
  });

  it('carries the tokens in a receipt whose checkpoint is time-stamped', async () => {
    const filed = await file();
    await sleep(2500); // the checkpoint covering it is the latest, and gets its token within the interval
    const receipt = await ledger.http().get(`/v1/filings/${filed.body.filingId}/receipt`).set('authorization', `Bearer ${creator.key}`);
    expect(receipt.status).toBe(200);
    expect(receipt.body.timestamps).toHaveLength(1);
    const verified = await verifyTimestampToken(
      Buffer.from(receipt.body.timestamps[0].token, 'base64'),
      checkpointMessage(receipt.body.checkpoint),
      parsePemCertificates(tsa.caPem),
    );
    expect(verified.time).toBe(receipt.body.timestamps[0].time);
  });

  it('answers writes while its query to a hanging TSA is still unanswered', async () => {
    // A TSA of its own that never answers, and a timeout far beyond the test (an hour, which Node's fetch cuts to its
    // own 300 s wait for an answer's headers): a write that waited for the TSA would not be answered before the query it
    // waits on ends, and that query does not end while the test runs. Each write has 15 s, so that such a wait fails the
    // test here and the finally blocks still run.
    const hanging = await startOpensslTsa();
    try {
      hanging.mode = 'hang';
      const other = await startLedger({
        checkpointIntervalMs: 200,
        tsaUrls: [hanging.url],
        tsaCaFile: hanging.caFile,
        tsaIntervalS: 1,
        tsaTimeoutMs: 3_600_000,
      });
      try {
        const writer = await principal(other, 'Hana', ['creator']);
        const fileThere = () =>
          other.http().post('/v1/filings').set('authorization', `Bearer ${writer.key}`).timeout(15_000).send(filingBody());
        expect((await fileThere()).status).toBe(201);
        for (let i = 0; i < 100 && hanging.held.length === 0; i++) await sleep(100);
        const [query] = hanging.held;
        expect(query).toBeDefined(); // the ledger's query for a checkpoint's token, held unanswered
        for (let i = 0; i < 10; i++) expect((await fileThere()).status).toBe(201);
        expect(hanging.held).toContain(query); // every write was answered while that query was still waiting
      } finally {
        await other.close();
      }
    } finally {
      await hanging.close();
    }
  });

  it('keeps writing while the TSA fails or hangs, counts the failures and recovers', async () => {
    tsa.mode = 'hang';
    for (let i = 0; i < 10; i++) expect((await file()).status).toBe(201);
    tsa.mode = 'fail';
    await sleep(2500);
    for (let i = 0; i < 3; i++) expect((await file()).status).toBe(201);
    await sleep(2500);
    // The counters are the process's (the other test's ledger counted its TSA's failures too): this TSA's only.
    const count = (outcome: string) => counterTotal(ledger, 'ledger_tsa_requests_total', [`tsa="${tsa.url}"`, `outcome="${outcome}"`]);
    expect(await count('failed')).toBeGreaterThan(0);
    tsa.mode = 'ok';
    const okCount = () => count('ok');
    const before2 = await okCount();
    await file();
    for (let i = 0; i < 100 && (await okCount()) === before2; i++) await sleep(100);
    expect(await okCount()).toBeGreaterThan(before2);
  });
});
