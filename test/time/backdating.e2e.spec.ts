// The operator's backdating, as an auditor tried it: a filing moved back 60 s, its chain re-hashed and the checkpoint
// re-signed with the log's own key. `sandbox-ledger verify` must fail and name the leaf.
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { signCheckpoint } from '../../src/verifier/checkpoint.js';
import { canonicalJson, computeEventHash, type EventEnvelope } from '../../src/verifier/envelope.js';
import { hashLeaf } from '../../src/verifier/rfc6962.js';
import { checkEvidence } from '../../src/cli/verify-evidence.js';
import { MERKLE_LOG } from '../../src/ledger/ledger.tokens.js';
import type { MerkleLog } from '../../src/ledger/log/merkle-log.js';
import { filingBody, principal, startLedger, tempDir } from '../support/ledger-app.js';
import { rootFromLeafHashes } from '../support/merkle-tree.js';
import { runCli } from '../support/server-process.js';
import { rechain } from '../verifier/fixture.js';

describe('backdating, and other forgeries, with the log key', () => {
  const dataDir = tempDir('ledger-backdate-');
  const work = tempDir('ledger-backdate-work-');
  let events: EventEnvelope[];
  let vkeyFile: string;
  let origin: string;
  /** The last filing's evidence bundle and receipt, as the ledger served them. */
  let bundle: { history: Array<{ entry: EventEnvelope }> };
  let receipt: { entry: EventEnvelope };
  let aliceKey: string;

  beforeAll(async () => {
    const ledger = await startLedger({ dataDir, checkpointIntervalMs: 0 });
    const alice = await principal(ledger, 'Alice', ['creator']);
    aliceKey = alice.key;
    let filingId = '';
    for (let i = 0; i < 5; i++) {
      filingId = (await ledger.http().post('/v1/filings').set('authorization', `Bearer ${alice.key}`).send(filingBody())).body.filingId;
      await new Promise((r) => setTimeout(r, 20));
    }
    await ledger.app.get<MerkleLog>(MERKLE_LOG).checkpoint(); // a checkpoint over every filing, for the bundle and the receipt
    bundle = (await ledger.http().get(`/v1/filings/${filingId}/evidence`).set('authorization', `Bearer ${alice.key}`)).body;
    receipt = (await ledger.http().get(`/v1/filings/${filingId}/receipt`).set('authorization', `Bearer ${alice.key}`)).body;
    events = await ledger.store.readAll(0, { limit: 1000 });
    vkeyFile = join(work, 'vkey');
    writeFileSync(vkeyFile, (await ledger.http().get('/v1/ledger/key')).text);
    origin = ledger.config.origin;
    await ledger.close();
  });
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  const secretKey = () => new Uint8Array(Buffer.from(readFileSync(join(dataDir, 'log-signing.key'), 'utf8').trim(), 'base64'));

  /** Writes the export and a checkpoint over it signed with the log's key, then runs `verify`. */
  async function verifyForged(name: string, forged: EventEnvelope[], time: number) {
    const exportFile = join(work, `${name}.ndjson`);
    writeFileSync(exportFile, forged.map((e) => JSON.stringify(e)).join('\n') + '\n');
    const rootHash = rootFromLeafHashes(forged.map((e) => hashLeaf(Buffer.from(e.hash, 'hex'))));
    const checkpointFile = join(work, `${name}.checkpoint`);
    writeFileSync(checkpointFile, signCheckpoint({ origin, treeSize: forged.length, rootHash, time }, secretKey()));
    return runCli(['verify', '--export', exportFile, '--checkpoint', checkpointFile, '--vkey', vkeyFile], {});
  }

  /**
   * Moves leaf `target` back by `ms` (its recordedAt, or the time its data states in `field`), re-hashes it and re-chains
   * every later event of the log.
   */
  function backdate(target: number, ms: number, field?: string): EventEnvelope[] {
    const back = (t: unknown) => new Date(Date.parse(String(t)) - ms).toISOString();
    return forge(target, (e) => {
      if (field === undefined) e.recordedAt = back(e.recordedAt);
      else e.data[field] = back(e.data[field]);
    });
  }

  /** The log with leaf `target` changed by `edit`, re-hashed, and every later event re-chained, as its operator could. */
  function forge(target: number, edit: (e: EventEnvelope) => void): EventEnvelope[] {
    const edited = events.map((e, i) => (i === target ? structuredClone(e) : e));
    edit(edited[target]);
    return rechain(edited, target);
  }

  const now = () => Math.floor(Date.now() / 1000);

  it('accepts the untouched export re-signed by the same key', async () => {
    const result = await verifyForged('honest', events, now());
    expect(result.stdout).toMatch(/^ok: /);
    expect(result.code).toBe(0);
  });

  it('fails on a filing backdated by 60 s, naming its leaf', async () => {
    const target = events.length - 3;
    const result = await verifyForged('backdated', backdate(target, 60_000), now());
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`^FAILED at leaf ${target}: recordedAt .* is earlier than leaf ${target - 1}'s`));
  });

  it('fails on a filing whose filedAt is moved back 30 days under its own recordedAt, naming its leaf and how far', async () => {
    const target = events.findLastIndex((e) => e.type === 'WorkFiled');
    const forged = backdate(target, 30 * 86_400_000, 'filedAt');
    const result = await verifyForged('filed-earlier', forged, now());
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `FAILED at leaf ${target}: WorkFiled's filedAt ${String(forged[target].data.filedAt)} is 30 days before its recordedAt ` +
        `${forged[target].recordedAt}, more than the 10 minutes allowed between the server reading its clock and the commit`,
    );
  });

  it("names a filing's filedAt moved back without the log's key as what it is: an entry the log did not sign", async () => {
    expect((await checkEvidence(bundle)).filingId).toBe(bundle.history[0].entry.data.filingId);
    const filed = structuredClone(bundle.history[0].entry);
    filed.data.filedAt = new Date(Date.parse(String(filed.data.filedAt)) - 30 * 86_400_000).toISOString();
    filed.hash = computeEventHash(filed);
    const forged = structuredClone(bundle);
    forged.history[0].entry = filed;
    await expect(checkEvidence(forged)).rejects.toThrow('history[0] is not in the checkpoint');

    const receiptFile = join(work, 'receipt.json');
    writeFileSync(receiptFile, JSON.stringify(receipt));
    expect(await runCli(['verify-receipt', receiptFile, '--vkey', vkeyFile], {})).toMatchObject({ code: 0 });
    writeFileSync(receiptFile, JSON.stringify({ ...receipt, entry: filed }));
    const result = await runCli(['verify-receipt', receiptFile, '--vkey', vkeyFile], {});
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^FAILED: inclusion: /);
  });

  it('refuses the receipt and the evidence bundle an operator signs for a filing whose filedAt it moved back', async () => {
    // The operator's own copy of the data: the filing's WorkFiled dated 30 days back and its stream re-chained in the
    // events, the tree dropped, and the server started again on them: it rebuilds its tree and signs what they hold.
    const copy = tempDir('ledger-backdate-operator-');
    try {
      cpSync(dataDir, copy, { recursive: true });
      for (const file of readdirSync(copy)) if (file.startsWith('merkle.sqlite')) rmSync(join(copy, file));
      const target = events.findLastIndex((e) => e.type === 'WorkFiled');
      const stream = events[target].stream;
      const db = new Database(join(copy, 'events.sqlite'));
      try {
        let prevHash: string | null = null;
        for (const original of events.filter((e) => e.stream === stream)) {
          const e = structuredClone(original);
          if (e.leafIndex === target) e.data.filedAt = new Date(Date.parse(String(e.data.filedAt)) - 30 * 86_400_000).toISOString();
          if (prevHash !== null) e.prevHash = prevHash;
          e.hash = computeEventHash(e);
          prevHash = e.hash;
          db.prepare('UPDATE events SET data = ?, prev_hash = ?, hash = ? WHERE position = ?').run(
            canonicalJson(e.data),
            e.prevHash,
            e.hash,
            e.leafIndex,
          );
        }
      } finally {
        db.close();
      }
      const ledger = await startLedger({ dataDir: copy, checkpointIntervalMs: 0 });
      try {
        await ledger.app.get<MerkleLog>(MERKLE_LOG).checkpoint();
        const filingId = String(events[target].data.filingId);
        const get = async (what: string) =>
          (await ledger.http().get(`/v1/filings/${filingId}/${what}`).set('authorization', `Bearer ${aliceKey}`)).body;
        const [signedBundle, signedReceipt] = [await get('evidence'), await get('receipt')];
        const entry = signedReceipt.entry as EventEnvelope;
        const why = `WorkFiled's filedAt ${String(entry.data.filedAt)} is 30 days before its recordedAt ${entry.recordedAt}`;
        await expect(checkEvidence(signedBundle)).rejects.toThrow(`receipt: entry: ${why}`);
        const receiptFile = join(work, 'signed-receipt.json');
        writeFileSync(receiptFile, JSON.stringify(signedReceipt));
        const vkey = join(work, 'signed-vkey');
        writeFileSync(vkey, (await ledger.http().get('/v1/ledger/key')).text);
        const result = await runCli(['verify-receipt', receiptFile, '--vkey', vkey], {});
        expect(result.code).toBe(1);
        expect(result.stdout).toContain(`FAILED: entry: ${why}`);
      } finally {
        await ledger.close();
      }
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('fails on an event the catalogue does not have, signed by the log key, naming its leaf and what is wrong', async () => {
    const target = events.findLastIndex((e) => e.type === 'WorkFiled');
    const cases: Array<[string, (e: EventEnvelope) => void, string]> = [
      ['no-filed-at', (e) => delete e.data.filedAt, "WorkFiled's data member /filedAt is missing"],
      ['unknown-type', (e) => (e.type = 'WorkFiledLater'), 'event type "WorkFiledLater" is not in the event catalogue'],
      ['other-stream', (e) => (e.data.filingId = 'someone-else'), 'WorkFiled is in stream filing-'],
      [
        'bad-source',
        (e) => (e.data.perceptualHash = { scheme: 'phash64', value: 'ff', source: 'guessed' }),
        'WorkFiled\'s data member /perceptualHash/source is not one of "declared", "computed"',
      ],
    ];
    for (const [name, edit, reason] of cases) {
      const result = await verifyForged(name, forge(target, edit), now());
      expect({ name, code: result.code, stdout: result.stdout }).toEqual({
        name,
        code: 1,
        stdout: expect.stringContaining(`FAILED at leaf ${target}: ${reason}`),
      });
    }
  });

  it('fails on a checkpoint older than its leaves', async () => {
    const last = Math.floor(Date.parse(events[events.length - 1].recordedAt) / 1000);
    const result = await verifyForged('old-checkpoint', events, last - 60);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      new RegExp(`^FAILED: checkpoint of size ${events.length} has time ${last - 60} .* earlier than leaf ${events.length - 1}`),
    );
  });
});
