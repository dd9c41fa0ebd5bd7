// GET /v1/public/content/:sha256/receipt: anyone can check that a content hash (or a registered labelled copy's) is in
// the log, with the ledger's keys, and learns nothing of the filing's generation record; rate-limited like the lookup.
import { iTXt, sha256 } from '../support/files.js';
import { scenePng, withPngChunks } from '../support/images.js';
import { filingBody, principal, startLedger, type LedgerApp } from '../support/ledger-app.js';
import { verifyCosignedCheckpoint, parseCosignerVkey } from '../../src/verifier/cosignature.js';
import { computeEventHash } from '../../src/verifier/envelope.js';
import { verifyReceipt } from '../../src/verifier/tlog-proof.js';

describe('the public receipt of a content hash', () => {
  let ledger: LedgerApp;
  let alice: { id: string; key: string };

  beforeAll(async () => {
    ledger = await startLedger({ platformCode: 'TEST-PLATFORM' });
    alice = await principal(ledger, 'Alice Chen', ['creator']);
  });
  afterAll(() => ledger.close());

  it('proves the filed content with its ContentReserved event under a signed checkpoint, and hides the generation record', async () => {
    const body = filingBody();
    const filed = await ledger.http().post('/v1/filings').set('authorization', `Bearer ${alice.key}`).send(body);
    expect(filed.status).toBe(201);
    const res = await ledger.http().get(`/v1/public/content/${body.contentHash as string}/receipt`);
    expect(res.status).toBe(200);
    const { receipt, keys } = res.body;
    expect(res.body).toMatchObject({ contentHash: body.contentHash, match: 'content', filingId: filed.body.filingId });
    expect(receipt.entry).toMatchObject({
      type: 'ContentReserved',
      stream: `content-${body.contentHash as string}`,
      data: { contentHash: body.contentHash, filingId: filed.body.filingId, creator: alice.id },
    });
    // The same keys the ledger publishes elsewhere, and the receipt verifies against them with the project's verifier.
    expect(keys.log).toBe((await ledger.http().get('/v1/ledger/key')).text.trim());
    expect(keys).toMatchObject({ witnesses: [], tsaCertificates: null });
    expect(parseCosignerVkey(keys.logMlDsa44).name).toBe(ledger.config.origin);
    expect(verifyReceipt(receipt, keys.log)).toEqual({ ok: true });
    expect(verifyCosignedCheckpoint(receipt.checkpoint, { vkey: keys.log, logMlDsa: parseCosignerVkey(keys.logMlDsa44) }).ok).toBe(true);
    expect(computeEventHash(receipt.entry)).toBe(receipt.entry.hash);
    // Filed in one commit with the WorkFiled event: the next leaf is the filing's own.
    expect(receipt.entry.leafIndex).toBe(filed.body.leafIndex - 1);
    const text = JSON.stringify(res.body);
    const generation = body.generation as { promptHash: string; humanContribution: string };
    const evidence = body.processEvidence as Array<{ sha256: string }>;
    for (const secret of [generation.promptHash, generation.humanContribution, evidence[0].sha256]) expect(text).not.toContain(secret);
    // A changed byte anywhere it matters fails.
    const tampered = structuredClone(receipt);
    tampered.entry.data.contentHash = tampered.entry.data.contentHash.replace(/^./, (c: string) => (c === '0' ? '1' : '0'));
    expect(verifyReceipt(tampered, keys.log).ok).toBe(false);
  });

  it("proves a registered labelled copy with its CopyRegistered event, naming the copy's hash", async () => {
    const original = await scenePng(77, 320, 240);
    const { contentHash: _c, perceptualHash: _p, ...meta } = filingBody();
    const filed = await ledger
      .http()
      .post('/v1/filings')
      .set('authorization', `Bearer ${alice.key}`)
      .field('metadata', JSON.stringify(meta))
      .attach('file', original, 'work.png');
    expect(filed.status).toBe(201);
    const filingId = filed.body.filingId as string;
    const labels = {
      explicit: { text: 'AI生成', placement: ['bottom-right'], textHeightRatio: 0.06 },
      implicit: { AIGC: { Label: '1', ContentProducer: 'ACME-AI', ProduceID: 'gen-1', ReservedCode1: '', ReservedCode2: '' } },
    };
    const declared = await ledger.http().post(`/v1/filings/${filingId}/labels`).set('authorization', `Bearer ${alice.key}`).send(labels);
    expect(declared.status).toBe(201);
    const copy = withPngChunks(original, [iTXt('AIGC', declared.body.aigcJson)]);
    const registered = await ledger
      .http()
      .post(`/v1/filings/${filingId}/copies`)
      .set('authorization', `Bearer ${alice.key}`)
      .attach('file', copy, 'copy.png');
    expect(registered.status).toBe(201);

    const res = await ledger.http().get(`/v1/public/content/${sha256(copy)}/receipt`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ contentHash: sha256(copy), match: 'copy', filingId });
    expect(res.body.receipt.entry).toMatchObject({
      type: 'CopyRegistered',
      stream: `filing-${filingId}`,
      data: { copy: { sha256: sha256(copy) } },
    });
    expect(verifyReceipt(res.body.receipt, res.body.keys.log)).toEqual({ ok: true });
  });

  it('answers an unfiled hash with 404 and a malformed one with 400, as problem+json', async () => {
    const missing = await ledger.http().get(`/v1/public/content/${'ab'.repeat(32)}/receipt`);
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
    const malformed = await ledger.http().get('/v1/public/content/ABC/receipt');
    expect(malformed.status).toBe(400);
    expect(malformed.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it("shows the right's public standing in the lookup", async () => {
    const body = filingBody();
    await ledger.http().post('/v1/filings').set('authorization', `Bearer ${alice.key}`).send(body).expect(201);
    const res = await ledger.http().get(`/v1/public/content/${body.contentHash as string}`);
    expect(res.body).toMatchObject({ holder: { id: alice.id, name: 'Alice Chen' }, right: { status: 'provisional', flags: [] } });
    expect(typeof res.body.right.labelDueAt).toBe('string');
  });
});

it('is rate-limited per client with the public lookup', async () => {
  const ledger = await startLedger({ publicRateLimit: 2 });
  try {
    const path = `/v1/public/content/${'cd'.repeat(32)}/receipt`;
    expect((await ledger.http().get(path)).status).toBe(404);
    expect((await ledger.http().get(path)).status).toBe(404);
    const limited = await ledger.http().get(path);
    expect(limited.status).toBe(429);
  } finally {
    await ledger.close();
  }
});
