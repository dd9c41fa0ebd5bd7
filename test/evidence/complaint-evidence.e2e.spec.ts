// Evidence files uploaded with a complaint are inspected: any sign that one is AI-generated (an AIGC label, a C2PA
// manifest or XMP naming an AI source type, a near-duplicate of a filed AI work) returns the complaint, naming the
// signal, whatever the complainant declared. Real C2PA files made by other tools, and pictures made with sharp.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectRefused, filingBody, principal, startLedger, type LedgerApp } from '../support/ledger-app.js';
import { app1Xmp, sha256, tEXt, xmpPacket } from '../support/files.js';
import { resizedJpeg, sceneJpeg, scenePng, withJpegSegments, withPngChunks } from '../support/images.js';
import { verifyWholeLedger } from '../support/whole-ledger.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '..', 'fixtures', 'c2pa', name));
const AI = 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia';
const HUMAN = 'http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture';
const UPLOAD_LIMIT = 1024 * 1024;
const FILE_LIMIT = 3;

type Upload = { name: string; bytes: Buffer; type?: string };

describe('complaint evidence files', () => {
  let ledger: LedgerApp;
  let alice: { id: string; key: string };
  let bob: { id: string; key: string };
  let carol: { id: string; key: string };
  let target: string;
  let targetPicture: Buffer;
  let aiWork: { filingId: string; picture: Buffer };

  function fileWith(who: { key: string }, bytes: Buffer, digitalSourceType = AI) {
    const { contentHash: _c, perceptualHash: _p, ...meta } = filingBody();
    const metadata = { ...meta, generation: { ...(meta.generation as object), digitalSourceType } };
    return ledger
      .http()
      .post('/v1/filings')
      .set('authorization', `Bearer ${who.key}`)
      .field('metadata', JSON.stringify(metadata))
      .attach('file', bytes, 'work.png');
  }

  beforeAll(async () => {
    ledger = await startLedger({ uploadLimit: UPLOAD_LIMIT, evidenceFileLimit: FILE_LIMIT });
    [alice, bob, carol] = await Promise.all([
      principal(ledger, 'Alice', ['creator']),
      principal(ledger, 'Bob', ['creator']),
      principal(ledger, 'Carol', ['creator']),
    ]);
    targetPicture = await scenePng(301, 400, 300);
    target = (await fileWith(alice, targetPicture)).body.filingId;
    const picture = await scenePng(302, 400, 300);
    aiWork = { filingId: (await fileWith(carol, picture)).body.filingId, picture };
  });
  afterAll(() => ledger.close());

  const complaint = (evidence: unknown[], extra: Record<string, unknown> = {}) => ({
    type: 'infringement',
    filingId: target,
    claim: 'This copies my photograph.',
    evidence,
    ...extra,
  });
  const item = (file: string, declaredAiGenerated = false) => ({ file, description: `my evidence ${file}`, declaredAiGenerated });
  /** The complaint as a JSON body, with no file. */
  const complainJson = (body: unknown, who = bob) =>
    ledger
      .http()
      .post('/v1/disputes')
      .set('authorization', `Bearer ${who.key}`)
      .send(body as object);
  function complain(metadata: unknown, uploads: Upload[], who = bob) {
    let req = ledger.http().post('/v1/disputes').set('authorization', `Bearer ${who.key}`).field('metadata', JSON.stringify(metadata));
    for (const u of uploads) req = req.attach('evidence', u.bytes, { filename: u.name, contentType: u.type ?? 'application/octet-stream' });
    return req;
  }

  it('the Adobe Firefly image, declared not AI-generated: returned, the C2PA signal named; the declared flag stays as it was', async () => {
    const firefly = fixture('firefly-trained-ai.jpg');
    const res = await complain(complaint([item('firefly.jpg')]), [{ name: 'firefly.jpg', bytes: firefly, type: 'image/jpeg' }]);
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('returned');
    const returned = res.body.returned.evidence[0];
    expect(returned).toMatchObject({ sha256: sha256(firefly), declaredAiGenerated: false, aiFilingId: null });
    expect(returned.signals).toContainEqual(
      expect.objectContaining({ signal: 'c2pa-digital-source-type', digitalSourceType: AI, validationState: 'Valid' }),
    );
    expect(res.body.evidence[0]).toMatchObject({
      sha256: sha256(firefly),
      declaredAiGenerated: false,
      inspection: {
        filename: 'firefly.jpg',
        sniffedType: 'image/jpeg',
        provenance: { c2pa: { validationState: 'Valid', signer: 'Adobe Inc.' } },
      },
    });
    const history = (await ledger.http().get(`/v1/disputes/${res.body.disputeId}/history`).set('authorization', `Bearer ${bob.key}`)).body
      .events;
    expect(history.map((e: { type: string }) => e.type)).toEqual(['ComplaintFiled', 'ComplaintReturned']);
    expect(history[1].data).toMatchObject({
      reason: 'ai-generated-evidence',
      evidence: [{ sha256: sha256(firefly), signals: returned.signals }],
    });
  });

  it('a PNG carrying an AIGC label "1", declared not AI-generated: returned, the label signal named', async () => {
    const labelled = withPngChunks(await scenePng(303), [
      tEXt(
        'AIGC',
        JSON.stringify({
          Label: '1',
          ContentProducer: 'GEN-AI',
          ProduceID: 'g1',
          ReservedCode1: '',
          ContentPropagator: '',
          PropagateID: '',
          ReservedCode2: '',
        }),
      ),
    ]);
    const res = await complain(complaint([item('sketch.png')]), [{ name: 'sketch.png', bytes: labelled, type: 'image/png' }]);
    expect(res.body).toMatchObject({
      status: 'returned',
      returned: {
        reason: 'ai-generated-evidence',
        evidence: [{ signals: [{ signal: 'aigc-label', location: 'png:tEXt:AIGC', label: '1' }] }],
      },
    });
  });

  it('a JPEG whose XMP names the AI source type: returned, the IPTC signal named', async () => {
    const jpeg = withJpegSegments(await sceneJpeg(304), [app1Xmp(xmpPacket({ digitalSourceType: AI }))]);
    const res = await complain(complaint([item('photo.jpg')]), [{ name: 'photo.jpg', bytes: jpeg }]);
    expect(res.body).toMatchObject({
      status: 'returned',
      returned: { evidence: [{ signals: [{ signal: 'iptc-digital-source-type', digitalSourceType: AI }] }] },
    });
  });

  it('a resized, re-encoded copy of a filed AI work: returned, the near-duplicate named', async () => {
    const copy = await resizedJpeg(aiWork.picture, 300, 225, 70);
    const res = await complain(complaint([item('original.jpg')]), [{ name: 'original.jpg', bytes: copy, type: 'image/jpeg' }]);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      status: 'returned',
      returned: {
        evidence: [
          {
            sha256: sha256(copy),
            aiFilingId: null,
            signals: [{ signal: 'near-duplicate-of-ai-filing', filingId: aiWork.filingId, threshold: 8 }],
          },
        ],
      },
    });
  });

  it('no-manifest.jpg, a signed manifest without AI, a picture of the disputed work itself and a hash-only item: opened', async () => {
    const shot = await resizedJpeg(targetPicture, 320, 240);
    const res = await complain(
      complaint([
        item('no-manifest.jpg'),
        item('signed.jpg'),
        item('infringing.jpg'),
        { sha256: 'e'.repeat(64), description: 'a draft kept offline', declaredAiGenerated: false },
      ]),
      [
        { name: 'no-manifest.jpg', bytes: fixture('no-manifest.jpg'), type: 'image/jpeg' },
        { name: 'signed.jpg', bytes: fixture('c2pa-no-ai.jpg'), type: 'image/jpeg' },
        { name: 'infringing.jpg', bytes: shot, type: 'image/jpeg' },
      ],
    );
    expect(res.status).toBe(201);
    expect(res.body.status).toBe('opened');
    expect(res.body.evidence.map((e: any) => [e.inspection?.filename ?? null, e.inspection?.signals ?? null])).toEqual([
      ['no-manifest.jpg', []],
      ['signed.jpg', []],
      ['infringing.jpg', []],
      [null, null],
    ]);
    expect(res.body.evidence[1].inspection.provenance.c2pa).toMatchObject({ validationState: 'Valid', digitalSourceTypes: [] });
    expect(res.body.evidence[3]).toEqual({ sha256: 'e'.repeat(64), description: 'a draft kept offline', declaredAiGenerated: false });
  });

  it('a camera picture filed as such is no AI work: a copy of it as evidence is not returned', async () => {
    const photo = await scenePng(305, 400, 300);
    expect((await fileWith(carol, photo, HUMAN)).status).toBe(201);
    const res = await complain(complaint([item('photo.jpg')]), [{ name: 'photo.jpg', bytes: await resizedJpeg(photo, 300, 225) }]);
    expect(res.body.status).toBe('opened');
  });

  it('an item whose sha256 is null beside its file is read as one left out: the file is hashed', async () => {
    const photo = await scenePng(307, 400, 300);
    const res = await complain(complaint([{ ...item('photo.png'), sha256: null }]), [
      { name: 'photo.png', bytes: photo, type: 'image/png' },
    ]);
    expect(res.status).toBe(201);
    expect(res.body.evidence[0]).toMatchObject({ sha256: sha256(photo), inspection: { filename: 'photo.png' } });
    // Null with no file is no hash at all: refused as a missing one is.
    const missing = await expectRefused(
      ledger,
      () => complainJson(complaint([{ sha256: null, description: 'a draft', declaredAiGenerated: false }])),
      400,
      'validation-failed',
    );
    expect(missing.errors).toEqual([{ field: 'evidence.0.sha256', message: expect.any(String) }]);
  });

  it('evidence given by hash only works as before: declared AI-generated, returned without signals', async () => {
    const res = await complainJson(complaint([{ sha256: 'f'.repeat(64), description: 'a render', declaredAiGenerated: true }]));
    expect(res.body).toMatchObject({
      status: 'returned',
      returned: { evidence: [{ sha256: 'f'.repeat(64), declaredAiGenerated: true, aiFilingId: null }] },
    });
    expect(res.body.returned.evidence[0]).not.toHaveProperty('signals');
  });

  describe('refuses, with a problem and nothing appended', () => {
    let png: Buffer;
    beforeAll(async () => {
      png = await scenePng(306);
    });

    it('too many files (413) and a file over the upload limit (413)', async () => {
      const uploads = Array.from({ length: FILE_LIMIT + 1 }, (_, i) => ({ name: `f${i}.png`, bytes: png }));
      await expectRefused(ledger, () => complain(complaint(uploads.map((u) => item(u.name))), uploads), 413, 'too-many-files');
      // The refusal names the limit, so a client knows how many to send.
      const many = await complain(complaint(uploads.map((u) => item(u.name))), uploads);
      expect(many.body.detail).toBe(`the upload has more than ${FILE_LIMIT} file(s)`);
      await expectRefused(
        ledger,
        () => complain(complaint([item('big.bin')]), [{ name: 'big.bin', bytes: Buffer.alloc(UPLOAD_LIMIT + 1, 1) }]),
        413,
        'file-too-large',
      );
    });

    it('a truncated or corrupt image, an absurd size, bytes that are not the declared type (422)', async () => {
      await expectRefused(
        ledger,
        () => complain(complaint([item('cut.png')]), [{ name: 'cut.png', bytes: png.subarray(0, png.length >> 1) }]),
        422,
        'image-unreadable',
      );
      const bomb = Buffer.concat([png.subarray(0, 16), Buffer.from([0, 1, 0x86, 0xa0, 0, 1, 0x86, 0xa0]), png.subarray(24)]);
      await expectRefused(
        ledger,
        () => complain(complaint([item('bomb.png')]), [{ name: 'bomb.png', bytes: bomb }]),
        422,
        'image-too-large',
      );
      await expectRefused(
        ledger,
        () => complain(complaint([item('photo.jpg')]), [{ name: 'photo.jpg', bytes: png, type: 'image/jpeg' }]),
        422,
        'evidence-type-mismatch',
      );
    });

    it("a file no item describes, an item naming no file, a file described twice, a declared hash that is not the file's", async () => {
      await expectRefused(ledger, () => complain(complaint([]), [{ name: 'a.png', bytes: png }]), 400, 'evidence-file-undescribed');
      await expectRefused(
        ledger,
        () => complain(complaint([item('a.png'), item('b.png')]), [{ name: 'a.png', bytes: png }]),
        400,
        'evidence-file-missing',
      );
      await expectRefused(
        ledger,
        () => complain(complaint([item('a.png'), item('a.png')]), [{ name: 'a.png', bytes: png }]),
        400,
        'duplicate-evidence',
      );
      await expectRefused(
        ledger,
        () => complain(complaint([{ ...item('a.png'), sha256: 'a'.repeat(64) }]), [{ name: 'a.png', bytes: png }]),
        422,
        'evidence-hash-mismatch',
      );
      await expectRefused(ledger, () => complainJson(complaint([item('a.png')])), 400, 'evidence-file-missing');
    });

    // A PNG sent as image/jpeg under a name no item gives was told it was not image/jpeg: its name is what is wrong.
    it('a file the metadata does not name, whatever its type, named as such with the names it gives (400)', async () => {
      const refusedWith = async (metadata: unknown, upload: Upload, detail: string) => {
        let res: Awaited<ReturnType<typeof complain>> | undefined;
        await expectRefused(ledger, async () => (res = await complain(metadata, [upload])), 400, 'evidence-file-undescribed');
        expect(res!.body.detail).toBe(detail);
        expect(res!.body.errors).toEqual([{ field: 'evidence', message: detail }]);
      };
      await refusedWith(
        complaint([item('photo.jpg'), item('scan.png')]),
        { name: 'other.jpg', bytes: png, type: 'image/jpeg' },
        'the evidence file "other.jpg" is not one the metadata names (its evidence items name "photo.jpg", "scan.png"): ' +
          'give each uploaded file an evidence item whose file is its filename',
      );
      await refusedWith(
        complaint([{ sha256: sha256(png), description: 'the picture', declaredAiGenerated: false }]),
        { name: 'picture.png', bytes: png, type: 'image/png' },
        'the evidence file "picture.png" is not one the metadata names (no evidence item names a file): ' +
          'give each uploaded file an evidence item whose file is its filename',
      );
    });

    it("metadata missing or invalid, a part of another name (400); the complaint's own refusals still apply", async () => {
      await expectRefused(
        ledger,
        () => ledger.http().post('/v1/disputes').set('authorization', `Bearer ${bob.key}`).attach('evidence', png, 'a.png'),
        400,
        'metadata-required',
      );
      await expectRefused(
        ledger,
        () => complain({ ...complaint([item('a.png')]), claim: '' }, [{ name: 'a.png', bytes: png }]),
        400,
        'validation-failed',
      );
      const other = () =>
        ledger
          .http()
          .post('/v1/disputes')
          .set('authorization', `Bearer ${bob.key}`)
          .field('metadata', JSON.stringify(complaint([])))
          .attach('file', png, 'a.png');
      await expectRefused(ledger, other, 400, 'unexpected-part');
      const field = () =>
        ledger
          .http()
          .post('/v1/disputes')
          .set('authorization', `Bearer ${bob.key}`)
          .field('metadata', JSON.stringify(complaint([])))
          .field('note', 'hi');
      const body = await expectRefused(ledger, field, 400, 'unexpected-part');
      expect(body.errors).toEqual([{ field: 'note', message: expect.any(String) }]);
      await expectRefused(ledger, () => complain(complaint([item('a.png')]), [{ name: 'a.png', bytes: png }], alice), 400, 'own-filing');
    });
  });

  it('leaves a ledger that verifies whole, each time the rules read within its commit', async () => {
    const { result, events } = await verifyWholeLedger(ledger);
    expect(result).toMatchObject({ ok: true, treeSize: events.length });
    expect([...new Set(events.map((e) => e.type))]).toEqual(expect.arrayContaining(['ComplaintFiled', 'ComplaintReturned']));
  });
});
