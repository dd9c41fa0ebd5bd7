// `verify-receipt` on the JSON documents the ledger serves: the public receipt of a content hash (filed content or a
// registered copy), wrapped as the public route answers it or unwrapped, and a filing's receipt with its `filing`
// block. Each is read strictly: a field it does not have, or a statement beside the proof that the proven entry does
// not bear out, fails it; the holder the server names is printed as its word, not as proven.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatVkey } from '../../src/verifier/note.js';
import { iTXt, sha256 } from '../support/files.js';
import { scenePng, withPngChunks } from '../support/images.js';
import { filingBody, principal, startLedger, tempDir, type LedgerApp } from '../support/ledger-app.js';
import { runCli } from '../support/server-process.js';
import { newKey } from '../verifier/keys.js';

type Json = Record<string, any>;
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('verify-receipt on the documents the ledger serves', () => {
  const work = tempDir('ledger-verify-receipt-');
  let ledger: LedgerApp;
  let vkey: string;
  let filingId: string;
  let original: Buffer;
  let copy: Buffer;
  let contentProof: Json;
  let copyProof: Json;
  let filingReceipt: Json;
  let n = 0;

  beforeAll(async () => {
    ledger = await startLedger();
    const alice = await principal(ledger, 'Alice', ['creator']);
    original = await scenePng(311, 400, 300);
    const { contentHash: _c, perceptualHash: _p, ...meta } = filingBody();
    const filed = await ledger
      .http()
      .post('/v1/filings')
      .set('authorization', `Bearer ${alice.key}`)
      .field('metadata', JSON.stringify(meta))
      .attach('file', original, 'work.png');
    expect(filed.status).toBe(201);
    filingId = filed.body.filingId;
    const declared = await ledger
      .http()
      .post(`/v1/filings/${filingId}/labels`)
      .set('authorization', `Bearer ${alice.key}`)
      .send({
        explicit: { text: 'AI生成', placement: ['bottom-right'], textHeightRatio: 0.06 },
        implicit: { AIGC: { Label: '1', ContentProducer: 'ACME-AI', ProduceID: 'gen-1', ReservedCode1: '', ReservedCode2: '' } },
      });
    expect(declared.status).toBe(201);
    copy = withPngChunks(original, [iTXt('AIGC', declared.body.aigcJson)]);
    const registered = await ledger
      .http()
      .post(`/v1/filings/${filingId}/copies`)
      .set('authorization', `Bearer ${alice.key}`)
      .attach('file', copy, 'copy.png');
    expect(registered.status).toBe(201);
    vkey = (await ledger.http().get('/v1/ledger/key')).text.trim();
    const fetch = async (path: string, key?: string) => {
      const req = ledger.http().get(path);
      const res = await (key ? req.set('authorization', `Bearer ${key}`) : req);
      expect(res.status).toBe(200);
      return res.body as Json;
    };
    contentProof = await fetch(`/v1/public/content/${sha256(original)}/receipt`);
    copyProof = await fetch(`/v1/public/content/${sha256(copy)}/receipt`);
    filingReceipt = await fetch(`/v1/filings/${filingId}/receipt`, alice.key);
    expect(copyProof.receipt.entry.type).toBe('CopyRegistered');
    expect(filingReceipt.filing).toMatchObject({ filingId, holder: { id: alice.id, name: 'Alice' } });
  });
  afterAll(async () => {
    await ledger.close();
    rmSync(work, { recursive: true, force: true });
  });

  const file = (name: string, bytes: Buffer | string) => {
    const path = join(work, name);
    writeFileSync(path, bytes);
    return path;
  };
  const json = (value: unknown) => file(`doc-${n++}.json`, JSON.stringify(value));
  const verify = (document: unknown, ...more: string[]) => runCli(['verify-receipt', json(document), '--vkey', vkey, ...more], {});
  const changed = (document: Json, change: (d: Json) => void) => {
    const copied = structuredClone(document);
    change(copied);
    return copied;
  };

  it('proves a registered copy from its public receipt, wrapped or not, with --file', async () => {
    const copyFile = file('copy.png', copy);
    for (const document of [copyProof, copyProof.receipt]) {
      const run = await verify(document, '--file', copyFile);
      expect(run.stdout).toMatch(/^ok: the receipt verifies against the checkpoint and the key\n/);
      expect(run.stdout).toContain(`filing        ${filingId}`);
      expect(run.stdout).toContain(`copy hash     ${sha256(copy)} (a distribution copy registered for the filing)`);
      expect(run.stdout).toMatch(/registered at \S+ \(the copy's registration; the filing's own time is not in this receipt\)/);
      expect(run.stdout).not.toContain('filed at');
      expect(run.stdout).toContain(`file          ${copyFile} matches the registered copy's hash`);
      expect(run.code).toBe(0);
    }
    expect((await verify(copyProof)).stdout).toContain(
      `public        ${sha256(copy)} is a registered copy of filing ${filingId}, as the entry proves`,
    );
    const asWork = await verify(copyProof, '--file', file('work.png', original));
    expect(asWork.stdout).toBe(
      `FAILED: --file: ${join(work, 'work.png')} hashes to ${sha256(original)}, not the registered copy's hash ${sha256(copy)}\n`,
    );
    expect(asWork.code).toBe(1);
  });

  it('proves filed content from its public receipt with --file', async () => {
    const run = await verify(contentProof, '--file', file('work.png', original));
    expect(run.stdout).toContain(`public        ${sha256(original)} is the filed content of filing ${filingId}, as the entry proves`);
    expect(run.stdout).toContain(`content hash  ${sha256(original)}`);
    expect(run.stdout).toMatch(/file {10}.* matches the content hash/);
    expect(run.stdout).not.toContain('filed at');
    expect(run.code).toBe(0);
  });

  it.each<[string, () => Json, string | (() => string)]>([
    [
      'a contentHash that is not the copy the entry names',
      () => changed(copyProof, (d) => (d.contentHash = sha256(original))),
      () => `the public receipt does not agree with its entry: contentHash ${sha256(original)} is not the copy's hash the entry names`,
    ],
    [
      'another filingId',
      () => changed(copyProof, (d) => (d.filingId = '11111111-1111-7111-8111-111111111111')),
      'the public receipt does not agree with its entry: filingId 11111111-1111-7111-8111-111111111111 is not the filing the entry names',
    ],
    [
      'a match that is not the entry',
      () => changed(copyProof, (d) => (d.match = 'content')),
      'the public receipt does not agree with its entry: match is "content" but the entry is a CopyRegistered, not a ContentReserved',
    ],
    [
      'a match of the content for a copy',
      () => changed(contentProof, (d) => (d.match = 'copy')),
      'the public receipt does not agree with its entry: match is "copy" but the entry is a ContentReserved, not a CopyRegistered',
    ],
    ['an extra field', () => changed(copyProof, (d) => (d.extra = 'x')), 'the public receipt has an unexpected field "extra"'],
    [
      'an extra field in its receipt',
      () => changed(copyProof, (d) => (d.receipt.filing = filingReceipt.filing)),
      'the public receipt\'s receipt has an unexpected field "filing"',
    ],
    [
      "another log's key",
      () => changed(copyProof, (d) => (d.keys.log = formatVkey('sandbox-ledger.local/log', newKey().publicKey))),
      "the public receipt's log key sandbox-ledger.local/log+",
    ],
  ])('refuses a public receipt with %s', async (_, document, reason) => {
    const run = await verify(document());
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(new RegExp(`^FAILED: ${escape(typeof reason === 'string' ? reason : reason())}`));
  });

  it("checks a filing receipt's filing block against its entry, and names the holder as the server's word", async () => {
    const ok = await verify(filingReceipt);
    expect(ok.stdout).toContain(`filed at      ${filingReceipt.filing.filedAt}\n`);
    expect(ok.stdout).toContain(
      `holder        Alice (${filingReceipt.filing.holder.id}): the server's word when it answered, not proven by the receipt`,
    );
    expect(ok.code).toBe(0);
    const renamed = await verify(changed(filingReceipt, (d) => (d.filing.holder.name = 'Mallory')));
    expect(renamed.stdout).toContain(
      `holder        Mallory (${filingReceipt.filing.holder.id}): the server's word when it answered, not proven`,
    );
    expect(renamed.code).toBe(0);
    // The receipt of an evidence bundle has no filing block.
    const { filing: _f, ...bare } = filingReceipt;
    expect((await verify(bare)).code).toBe(0);
  });

  it.each<[string, (d: Json) => void, string]>([
    ['an extra field', (d) => (d.extra = 'x'), 'the receipt has an unexpected field "extra"'],
    [
      'the example: another holder, another filing and an extra field',
      (d) => {
        d.filing.holder.name = 'Mallory';
        d.filing.filingId = '11111111-1111-7111-8111-111111111111';
        d.extra = 'x';
      },
      'the receipt has an unexpected field "extra"',
    ],
    ['an extra field in the filing block', (d) => (d.filing.note = 'x'), 'the receipt\'s filing block has an unexpected field "note"'],
    ['an extra field in the holder', (d) => (d.filing.holder.role = 'x'), 'the receipt\'s filing.holder has an unexpected field "role"'],
    ['an extra field in the inclusion proof', (d) => (d.inclusionProof.x = 1), 'the receipt\'s inclusionProof has an unexpected field "x"'],
    [
      'another filingId in the filing block',
      (d) => (d.filing.filingId = '11111111-1111-7111-8111-111111111111'),
      "the receipt's filing block does not agree with its entry: filingId 11111111-1111-7111-8111-111111111111 is not the filing the entry proves",
    ],
    [
      'another filedAt in the filing block',
      (d) => (d.filing.filedAt = '2001-01-01T00:00:00.000Z'),
      "the receipt's filing block does not agree with its entry: filedAt 2001-01-01T00:00:00.000Z is not the time the entry proves",
    ],
    [
      'another leafIndex in the filing block',
      (d) => (d.filing.leafIndex += 1),
      "the receipt's filing block does not agree with its entry: leafIndex",
    ],
  ])('refuses a filing receipt with %s', async (_, change, reason) => {
    const run = await verify(changed(filingReceipt, change));
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(new RegExp(`^FAILED: ${escape(reason)}`));
  });
});
