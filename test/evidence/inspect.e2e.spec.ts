// POST /v1/inspect: what the ledger knows of a file, for reviewers and creators; nothing is recorded.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectRefused, filingBody, principal, startLedger, type LedgerApp } from '../support/ledger-app.js';
import { iTXt, sha256 } from '../support/files.js';
import { resizedJpeg, scenePng, withPngChunks } from '../support/images.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '..', 'fixtures', 'c2pa', name));
const UPLOAD_LIMIT = 1024 * 1024;

describe('inspecting a file', () => {
  let ledger: LedgerApp;
  let alice: { id: string; key: string };
  let rita: { id: string; key: string };
  let audrey: { id: string; key: string };
  let picture: Buffer;
  let filingId: string;
  let copy: Buffer;

  beforeAll(async () => {
    ledger = await startLedger({ uploadLimit: UPLOAD_LIMIT });
    [alice, rita, audrey] = await Promise.all([
      principal(ledger, 'Alice', ['creator']),
      principal(ledger, 'Rita', ['reviewer']),
      principal(ledger, 'Audrey', ['auditor']),
    ]);
    picture = await scenePng(401, 400, 300);
    const { contentHash: _c, perceptualHash: _p, ...meta } = filingBody();
    const filed = await ledger
      .http()
      .post('/v1/filings')
      .set('authorization', `Bearer ${alice.key}`)
      .field('metadata', JSON.stringify(meta))
      .attach('file', picture, 'work.png');
    filingId = filed.body.filingId;
    const labels = {
      explicit: { text: 'AI生成', placement: ['bottom-right'], textHeightRatio: 0.06 },
      implicit: { AIGC: { Label: '1', ContentProducer: 'ACME', ProduceID: 'p', ReservedCode1: '', ReservedCode2: '' } },
    };
    const declared = await ledger.http().post(`/v1/filings/${filingId}/labels`).set('authorization', `Bearer ${alice.key}`).send(labels);
    copy = withPngChunks(picture, [iTXt('AIGC', declared.body.aigcJson)]);
    expect(
      (
        await ledger
          .http()
          .post(`/v1/filings/${filingId}/copies`)
          .set('authorization', `Bearer ${alice.key}`)
          .attach('file', copy, 'copy.png')
      ).status,
    ).toBe(201);
  });
  afterAll(() => ledger.close());

  const inspect = (bytes: Buffer, who: { key: string } = rita, name = 'file.bin') =>
    ledger.http().post('/v1/inspect').set('authorization', `Bearer ${who.key}`).attach('file', bytes, name);
  async function unchanged<T>(work: () => Promise<T>): Promise<T> {
    const before = await ledger.store.count();
    const result = await work();
    expect(await ledger.store.count()).toBe(before);
    return result;
  }

  it('the Firefly image: its C2PA manifest, the AI signal, no filing; nothing recorded', async () => {
    const firefly = fixture('firefly-trained-ai.jpg');
    const res = await unchanged(() => inspect(firefly));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      sha256: sha256(firefly),
      size: firefly.length,
      sniffedType: 'image/jpeg',
      recorded: false,
      perceptualHash: { scheme: 'phash64' },
      provenance: { c2pa: { validationState: 'Valid', signer: 'Adobe Inc.' } },
      matches: { content: [], copies: [], perceptual: { threshold: 8, filings: [] } },
    });
    expect(res.body.aiSignals).toContainEqual(expect.objectContaining({ signal: 'c2pa-digital-source-type' }));
    expect(res.body).not.toHaveProperty('reading');
  });

  it('the filed bytes match the filing exactly, the labelled copy matches as a copy, both perceptually', async () => {
    const original = await unchanged(() => inspect(picture, alice));
    expect(original.body.matches.content).toEqual([expect.objectContaining({ filingId, status: 'active' })]);
    expect(original.body.matches.perceptual.filings).toEqual([expect.objectContaining({ filingId, creator: alice.id, distance: 0 })]);
    const labelled = await unchanged(() => inspect(copy));
    expect(labelled.body.matches).toMatchObject({
      content: [],
      copies: [{ filingId }],
      perceptual: { filings: [{ filingId, distance: 0 }] },
    });
    expect(labelled.body.provenance.labels).toEqual([expect.objectContaining({ location: 'png:iTXt:AIGC', label: '1' })]);
  });

  it('a resized copy of the filed AI work: the perceptual match, and the near-duplicate signal', async () => {
    const resized = await resizedJpeg(picture, 200, 150);
    const res = await unchanged(() => inspect(resized));
    expect(res.body.matches.perceptual.filings).toEqual([
      expect.objectContaining({ filingId, digitalSourceType: expect.stringContaining('trainedAlgorithmicMedia') }),
    ]);
    expect(res.body.aiSignals).toContainEqual(expect.objectContaining({ signal: 'near-duplicate-of-ai-filing', filingId }));
  });

  it('a file that is no image: its hash and type, no perceptual match', async () => {
    const text = Buffer.from('just some notes');
    const res = await inspect(text);
    expect(res.body).toMatchObject({ sha256: sha256(text), sniffedType: null, perceptualHash: null, matches: { perceptual: null } });
  });

  it('refuses an auditor (403), no key (401), a corrupt image (422), a file too large (413), a field for a file (400)', async () => {
    await expectRefused(ledger, () => inspect(picture, audrey), 403, 'role-required');
    await expectRefused(ledger, () => ledger.http().post('/v1/inspect').attach('file', picture, 'p.png'), 401, 'missing-key');
    await expectRefused(ledger, () => inspect(picture.subarray(0, 5000)), 422, 'image-unreadable');
    await expectRefused(ledger, () => inspect(Buffer.alloc(UPLOAD_LIMIT + 1)), 413, 'file-too-large');
    await expectRefused(
      ledger,
      () => ledger.http().post('/v1/inspect').set('authorization', `Bearer ${rita.key}`).field('x', 'y'),
      400,
      'unexpected-part',
    );
  });
});
