// The verifiable log over HTTP: checkpoints, proofs, export and receipts check out offline.
import { createHash, createPublicKey, verify as edVerify } from 'node:crypto';
import { verifyCheckpoint } from '../../src/verifier/checkpoint.js';
import { ExportVerifier } from '../../src/verifier/export-verifier.js';
import { hashLeaf, verifyConsistency, verifyInclusion } from '../../src/verifier/rfc6962.js';
import { rootFromLeafHashes } from '../support/merkle-tree.js';
import { verifyReceipt } from '../../src/verifier/tlog-proof.js';
import { fetchExport, filingBody, principal, startLedger, type LedgerApp } from '../support/ledger-app.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const unhex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));

describe('verifiable log', () => {
  let ledger: LedgerApp;
  let alice: { id: string; key: string };
  let auditor: { id: string; key: string };
  let vkey: string;
  const filings: Array<{ filingId: string; leafIndex: number; eventHash: string }> = [];

  beforeAll(async () => {
    ledger = await startLedger({ origin: 'ledger.test/log', checkpointIntervalMs: 0 });
    alice = await principal(ledger, 'Alice', ['creator']);
    auditor = await principal(ledger, 'Audrey', ['auditor']);
    for (let i = 0; i < 6; i++)
      filings.push((await ledger.http().post('/v1/filings').set('authorization', `Bearer ${alice.key}`).send(filingBody())).body);
    vkey = (await ledger.http().get('/v1/ledger/key')).text.trim();
  });
  afterAll(() => ledger.close());

  it('publishes a C2SP vkey and checkpoints whose key ID and signature recompute from first principles', async () => {
    expect(vkey).toMatch(/^ledger\.test\/log\+[0-9a-f]{8}\+[A-Za-z0-9+/]+=*$/);
    const res = await ledger.http().get('/v1/ledger/checkpoint');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const note = res.text;
    const [body, sigLine] = note.split('\n\n');
    const lines = body.split('\n');
    expect(lines[0]).toBe('ledger.test/log');
    expect(Number(lines[1])).toBe(await ledger.store.count());
    expect(lines[3]).toMatch(/^time \d+$/);
    const keyB64 = vkey.split('+').slice(2).join('+'); // base64 may itself contain '+'
    const keyBytes = Buffer.from(keyB64, 'base64');
    expect(keyBytes[0]).toBe(0x01);
    const publicKey = keyBytes.subarray(1);
    const keyId = createHash('sha256')
      .update(Buffer.concat([Buffer.from('ledger.test/log\n'), Buffer.from([0x01]), publicKey]))
      .digest()
      .subarray(0, 4);
    expect(sigLine.startsWith('\u2014 ledger.test/log ')).toBe(true);
    const sig = Buffer.from(sigLine.trim().split(' ')[2], 'base64');
    expect(sig.subarray(0, 4)).toEqual(keyId);
    const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), publicKey]);
    expect(edVerify(null, Buffer.from(body + '\n'), createPublicKey({ key: spki, format: 'der', type: 'spki' }), sig.subarray(4))).toBe(
      true,
    );
    expect(verifyCheckpoint(note, vkey).ok).toBe(true);
    // The root is the RFC 6962 root of every event hash in log order.
    const events = await ledger.store.readAll(0, { limit: 1000 });
    const root = rootFromLeafHashes(events.map((e) => hashLeaf(unhex(e.hash))));
    expect(Buffer.from(lines[2], 'base64').toString('hex')).toBe(hex(root));
  });

  it('answers inclusion proofs for every leaf and consistency proofs between checkpoints', async () => {
    const first = verifyCheckpoint((await ledger.http().get('/v1/ledger/checkpoint')).text, vkey);
    if (!first.ok) throw new Error(first.reason);
    const size1 = first.checkpoint.treeSize;
    const events = await ledger.store.readAll(0, { limit: 1000 });
    for (const e of events) {
      const res = await ledger.http().get('/v1/ledger/proof/inclusion').query({ leafIndex: e.leafIndex, treeSize: size1 });
      expect(res.status).toBe(200);
      expect(verifyInclusion(hashLeaf(unhex(e.hash)), e.leafIndex, size1, res.body.hashes.map(unhex), first.checkpoint.rootHash)).toBe(
        true,
      );
      expect(
        verifyInclusion(hashLeaf(unhex(e.hash)), (e.leafIndex + 1) % size1, size1, res.body.hashes.map(unhex), first.checkpoint.rootHash),
      ).toBe(e.leafIndex + 1 === size1 && size1 === 1);
    }
    await ledger.http().post('/v1/filings').set('authorization', `Bearer ${alice.key}`).send(filingBody());
    const second = verifyCheckpoint((await ledger.http().get('/v1/ledger/checkpoint')).text, vkey);
    if (!second.ok) throw new Error(second.reason);
    expect(second.checkpoint.treeSize).toBe(size1 + 2);
    const proof = await ledger.http().get('/v1/ledger/proof/consistency').query({ from: size1, to: second.checkpoint.treeSize });
    expect(proof.status).toBe(200);
    expect(
      verifyConsistency(
        size1,
        second.checkpoint.treeSize,
        proof.body.hashes.map(unhex),
        first.checkpoint.rootHash,
        second.checkpoint.rootHash,
      ),
    ).toBe(true);
    const history = await ledger.http().get('/v1/ledger/checkpoints');
    expect(history.body.items.map((c: { treeSize: number }) => c.treeSize)).toEqual([second.checkpoint.treeSize, size1]);
  });

  it('refuses proofs for trees the log does not have with a 400 problem', async () => {
    const size = await ledger.store.count();
    for (const q of [
      { leafIndex: size, treeSize: size },
      { leafIndex: 0, treeSize: size + 5 },
      { leafIndex: -1, treeSize: 2 },
      { leafIndex: 'x', treeSize: 2 },
    ]) {
      const res = await ledger.http().get('/v1/ledger/proof/inclusion').query(q);
      expect(res.status).toBe(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
    expect((await ledger.http().get('/v1/ledger/proof/consistency').query({ from: 3, to: 2 })).status).toBe(400);
  });

  it('streams an NDJSON export (auditors only) that the offline verifier accepts', async () => {
    expect((await ledger.http().get('/v1/ledger/export').set('authorization', `Bearer ${alice.key}`)).status).toBe(403);
    const checkpoint = (await ledger.http().get('/v1/ledger/checkpoint')).text;
    const res = await fetchExport(ledger, auditor.key);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/x-ndjson/);
    const lines = (res.body as string).split('\n').filter(Boolean);
    expect(lines).toHaveLength(await ledger.store.count());
    const verifier = new ExportVerifier();
    expect(verifier.checkCheckpoint(checkpoint, vkey)).toBe(true);
    for (const line of lines) verifier.push(line);
    const result = verifier.finish();
    expect(result).toMatchObject({ ok: true, treeSize: lines.length, checkpointsChecked: 1 });
    const entries = await ledger.http().get('/v1/ledger/entries').query({ start: 1, end: 3 }).set('authorization', `Bearer ${auditor.key}`);
    expect(entries.body.items.map((e: { leafIndex: number }) => e.leafIndex)).toEqual([1, 2]);
    // A range read: the entries that exist in it, so a reader pages on until a page comes back short.
    const size = lines.length;
    const entriesIn = async (start: number, end: number) =>
      (await ledger.http().get('/v1/ledger/entries').query({ start, end }).set('authorization', `Bearer ${auditor.key}`)).body.items.map(
        (e: { leafIndex: number }) => e.leafIndex,
      );
    expect(await entriesIn(size - 1, size + 5)).toEqual([size - 1]);
    expect(await entriesIn(size, size + 5)).toEqual([]);
  });

  it('hands out receipts that verify offline with only the receipt and the vkey', async () => {
    const { filingId, leafIndex, eventHash } = filings[2];
    const json = await ledger.http().get(`/v1/filings/${filingId}/receipt`).set('authorization', `Bearer ${alice.key}`);
    expect(json.status).toBe(200);
    expect(json.body).toMatchObject({ leafIndex, entry: { hash: eventHash, type: 'WorkFiled' } });
    expect(verifyReceipt(json.body, vkey)).toEqual({ ok: true });
    const text = await ledger
      .http()
      .get(`/v1/filings/${filingId}/receipt`)
      .set('authorization', `Bearer ${alice.key}`)
      .set('accept', 'text/plain');
    expect(text.headers['content-type']).toMatch(/^text\/plain/);
    expect(text.text.startsWith('c2sp.org/tlog-proof@v1\nextra ')).toBe(true);
    expect(verifyReceipt(text.text, vkey)).toEqual({ ok: true });
    // The text form is given when the client prefers it, by q-value and then by order; JSON otherwise.
    for (const [accept, form] of [
      ['text/plain;q=0, application/json', 'json'],
      ['text/plain;q=0.1, application/json', 'json'],
      ['application/json;q=0.5, text/plain', 'text'],
      ['application/json, text/plain', 'json'],
      ['text/plain, application/json', 'text'],
      ['*/*', 'json'],
      ['image/png', 'json'],
      ['text/plain; charset=utf-8', 'text'],
      ['text/plain;charset=UTF-8, application/json;q=0.5', 'text'],
      ['text/plain; charset=utf-8; q=0, application/json', 'json'],
      ['*/*, text/plain', 'text'], // the more specific range
    ]) {
      const res = await ledger
        .http()
        .get(`/v1/filings/${filingId}/receipt`)
        .set('authorization', `Bearer ${alice.key}`)
        .set('accept', accept);
      expect({ accept, type: res.headers['content-type'], vary: res.headers.vary }).toEqual({
        accept,
        type: form === 'text' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
        vary: 'accept',
      });
    }
    // A receipt whose entry was altered, or checked against another key, fails.
    const forged = { ...json.body, entry: { ...json.body.entry, data: { ...json.body.entry.data, title: 'Not the filed title' } } };
    expect(verifyReceipt(forged, vkey).ok).toBe(false);
    expect(verifyReceipt(json.body, 'other.test/log+00000000+AQ' + 'A'.repeat(42) + '=').ok).toBe(false);
    const bob = await principal(ledger, 'Bob', ['creator']);
    expect((await ledger.http().get(`/v1/filings/${filingId}/receipt`).set('authorization', `Bearer ${bob.key}`)).status).toBe(403);
  });
});
