// Labelled distribution copies: the file the ledger tells a creator to label, with its AIGC JSON embedded, is
// registered as a copy of the filing and then traced to it by anyone; a file that is not the work is refused.
import { actingAs, expectRefused, filingBody, principal, startLedger, type LedgerApp } from '../support/ledger-app.js';
import { verifyWholeLedger } from '../support/whole-ledger.js';
import { app1Xmp, iTXt, sha256, tEXt, xmpPacket } from '../support/files.js';
import { resizedJpeg, scenePng, withJpegSegments, withPngChunks } from '../support/images.js';
import sharp from 'sharp';

const PLATFORM = 'TEST-PLATFORM';
const labels = {
  explicit: { text: 'AI生成', placement: ['bottom-right'], textHeightRatio: 0.06 },
  implicit: { AIGC: { Label: '1', ContentProducer: 'ACME-AI', ProduceID: 'gen-1', ReservedCode1: '', ReservedCode2: '' } },
};

describe('registering labelled copies of a filing', () => {
  let ledger: LedgerApp;
  let alice: { id: string; key: string };
  let bob: { id: string; key: string };
  let rita: { id: string; key: string };
  let original: Buffer;
  let filingId: string;
  let aigcJson: string;

  beforeAll(async () => {
    ledger = await startLedger({ platformCode: PLATFORM });
    alice = await principal(ledger, 'Alice', ['creator']);
    bob = await principal(ledger, 'Bob', ['creator']);
    rita = await principal(ledger, 'Rita', ['reviewer']);
    original = await scenePng(201, 400, 300);
    filingId = (await fileWith(alice, original)).body.filingId;
    const declared = await ledger.http().post(`/v1/filings/${filingId}/labels`).set('authorization', `Bearer ${alice.key}`).send(labels);
    expect(declared.status).toBe(201);
    aigcJson = declared.body.aigcJson;
  });
  afterAll(() => ledger.close());

  function fileWith(who: { key: string }, bytes: Buffer) {
    const { contentHash: _c, perceptualHash: _p, ...meta } = filingBody();
    return ledger
      .http()
      .post('/v1/filings')
      .set('authorization', `Bearer ${who.key}`)
      .field('metadata', JSON.stringify(meta))
      .attach('file', bytes, 'work.png');
  }
  const register = (id: string, bytes: Buffer, who = alice, name = 'copy.png') =>
    ledger.http().post(`/v1/filings/${id}/copies`).set('authorization', `Bearer ${who.key}`).attach('file', bytes, name);
  const verify = (id: string, bytes: Buffer, who = alice) =>
    ledger.http().post(`/v1/filings/${id}/labels/verify`).set('authorization', `Bearer ${who.key}`).attach('file', bytes, 'work.png');

  it("registers the work with the handed-out label embedded, and the public lookup then finds the filing by the copy's hash", async () => {
    const copy = withPngChunks(original, [iTXt('AIGC', aigcJson)]);
    expect(JSON.parse(aigcJson)).toMatchObject({ ContentPropagator: PLATFORM, PropagateID: filingId });
    expect((await ledger.http().get(`/v1/public/content/${sha256(copy)}`)).status).toBe(404);

    const res = await register(filingId, copy);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      filingId,
      location: 'png:iTXt:AIGC',
      label: JSON.parse(aigcJson),
      distance: 0,
      threshold: 8,
      copy: { sha256: sha256(copy), size: copy.length, sniffedType: 'image/png', perceptualHash: { scheme: 'phash64' } },
    });
    const events = (await ledger.http().get(`/v1/filings/${filingId}/history`).set('authorization', `Bearer ${alice.key}`)).body.events;
    expect(events.map((e: { type: string }) => e.type)).toEqual(['WorkFiled', 'LabelsDeclared', 'CopyRegistered']);

    const lookup = await ledger.http().get(`/v1/public/content/${sha256(copy)}`);
    expect(lookup.status).toBe(200);
    expect(lookup.body).toMatchObject({
      contentHash: sha256(copy),
      filed: true,
      match: 'copy',
      filingId,
      filedContentHash: sha256(original),
      copy: { leafIndex: res.body.leafIndex },
    });
    expect((await ledger.http().get(`/v1/public/content/${sha256(original)}`)).body).toMatchObject({ match: 'content', filingId });

    // labels/verify accepts the registered copy: its label is the declared one, propagation elements filled in.
    const checked = await verify(filingId, copy);
    expect(checked.status).toBe(200);
    expect(checked.body).toMatchObject({
      outcome: 'found',
      tier: '1',
      file: { sha256: sha256(copy), registeredCopy: true },
      labels: { state: 'verified' },
    });
  });

  it('registers a resized JPEG with the label in its XMP: perceptually the same work', async () => {
    const copy = withJpegSegments(await resizedJpeg(original, 300, 225, 75), [app1Xmp(xmpPacket({ aigc: aigcJson }))]);
    const res = await register(filingId, copy, alice, 'copy.jpg');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ location: 'xmp:TC260:AIGC', copy: { sniffedType: 'image/jpeg' } });
    expect(res.body.distance).toBeLessThanOrEqual(8);
  });

  it('the public summary names the copies and leaves the private fields out', async () => {
    const res = await ledger.http().get(`/v1/public/filings/${filingId}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      filingId,
      contentHash: sha256(original),
      contentType: 'image/png',
      status: 'active',
      labels: { state: 'verified', tier: '1', version: 1 },
      perceptualHash: { scheme: 'phash64', source: 'computed' },
      file: { sniffedType: 'image/png', aiSignals: [] },
      digitalSourceType: 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia',
      holder: { id: alice.id, name: 'Alice' },
    });
    expect(res.body.copies).toHaveLength(2);
    for (const hidden of ['generation', 'processEvidence', 'humanContributionNotes', 'withdrawReason', 'creator', 'labelCheck'])
      expect(res.body).not.toHaveProperty(hidden);
    expect(JSON.stringify(res.body)).not.toContain('humanContribution');
    expect((await ledger.http().get(`/v1/public/filings/${'0'.repeat(8)}-0000-7000-8000-${'0'.repeat(12)}`)).status).toBe(404);
  });

  it("returns a complaint whose evidence is a registered copy's bytes: a labelled copy of an AI work is AI-generated", async () => {
    const copy = withJpegSegments(await resizedJpeg(original, 320, 240, 80), [app1Xmp(xmpPacket({ aigc: aigcJson }))]);
    expect((await register(filingId, copy, alice, 'copy.jpg')).status).toBe(201);
    const other = await ledger.http().post('/v1/filings').set('authorization', `Bearer ${alice.key}`).send(filingBody());
    const complaint = await ledger
      .http()
      .post('/v1/disputes')
      .set('authorization', `Bearer ${bob.key}`)
      .send({
        type: 'priority',
        filingId: other.body.filingId,
        claim: 'I made this picture first.',
        evidence: [{ sha256: sha256(copy), description: 'my picture', declaredAiGenerated: false }],
      });
    expect(complaint.status).toBe(201);
    expect(complaint.body).toMatchObject({
      status: 'returned',
      returned: { reason: 'ai-generated-evidence', evidence: [{ sha256: sha256(copy), declaredAiGenerated: false, aiFilingId: filingId }] },
    });
  });

  it("a reviewer may check the label of any filing's file; another creator may not", async () => {
    const res = await verify(filingId, original, rita);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ filingId, file: { sha256: sha256(original) } });
    // The filed original cannot carry the filing's id: finding no label in it does not undo the verified copy's finding.
    expect(res.body).toMatchObject({ outcome: 'not-found', labels: { state: 'verified', tier: '1' } });
    const summary = (await ledger.http().get(`/v1/public/filings/${filingId}`)).body;
    expect(summary.labels).toMatchObject({ state: 'verified', tier: '1' });
    const copies = summary.copies as Array<{ sha256: string }>;
    for (const hash of [sha256(original), copies[0].sha256])
      expect((await ledger.http().get(`/v1/public/content/${hash}`)).body).toMatchObject({ labelState: 'verified', labelTier: '1' });
    const filing = (await ledger.http().get(`/v1/filings/${filingId}`).set('authorization', `Bearer ${alice.key}`)).body;
    expect(filing.labels).toMatchObject({ state: 'verified', tier: '1' });
    expect(filing.labels.lastCheck).toMatchObject({ outcome: 'not-found', file: { sha256: sha256(original) } });
    await expectRefused(ledger, () => verify(filingId, original, bob), 403, 'not-owner');
  });

  describe('refuses, with nothing appended', () => {
    it('an unrelated image claiming the same PropagateID (422 copy-not-the-same-work)', async () => {
      const unrelated = withPngChunks(await scenePng(202, 400, 300), [iTXt('AIGC', aigcJson)]);
      await expectRefused(ledger, () => register(filingId, unrelated), 422, 'copy-not-the-same-work');
    });

    it('a copy without the label, with a label naming another filing, or a label the ledger did not hand out (422)', async () => {
      await expectRefused(
        ledger,
        () => register(filingId, withPngChunks(original, [tEXt('Comment', 'no label')])),
        422,
        'copy-label-missing',
      );
      const elsewhere = aigcJson.replace(filingId, '00000000-0000-7000-8000-000000000000');
      await expectRefused(ledger, () => register(filingId, withPngChunks(original, [iTXt('AIGC', elsewhere)])), 422, 'copy-label-missing');
      const otherPlatform = aigcJson.replace(PLATFORM, 'ELSEWHERE');
      await expectRefused(
        ledger,
        () => register(filingId, withPngChunks(original, [iTXt('AIGC', otherPlatform)])),
        422,
        'copy-label-differs',
      );
      const otherProducer = aigcJson.replace('ACME-AI', 'OTHER-AI');
      await expectRefused(
        ledger,
        () => register(filingId, withPngChunks(original, [iTXt('AIGC', otherProducer)])),
        422,
        'copy-label-differs',
      );
    });

    it('a copy whose label is malformed: an extra key, JSON cut short (422 copy-label-malformed, naming what was found)', async () => {
      const extraKey = JSON.stringify({ ...JSON.parse(aigcJson), Extra: 'x' });
      const cutShort = aigcJson.slice(0, aigcJson.length - 10);
      for (const value of [extraKey, cutShort]) {
        const body = await expectRefused(
          ledger,
          () => register(filingId, withPngChunks(original, [iTXt('AIGC', value)])),
          422,
          'copy-label-malformed',
        );
        expect(body.found).toEqual([
          { location: 'png:iTXt:AIGC', PropagateID: null, problems: [expect.any(String)], excerpt: value.slice(0, 120) },
        ]);
        expect(body.detail).toContain('png:iTXt:AIGC');
      }
    });

    it('a copy with another key containing AIGC (XMP TC260:AIGCVersion) and no label: unlabelled, not malformed (422 copy-label-missing)', async () => {
      // Written by sharp (libvips): the XMP packet in a PNG zTXt chunk, in a JPEG APP1 segment.
      const xmp = xmpPacket({ tc260: { AIGCVersion: '1.0' } });
      const copies = [await sharp(original).withXmp(xmp).png().toBuffer(), await sharp(original).withXmp(xmp).jpeg().toBuffer()];
      for (const copy of copies) {
        const body = await expectRefused(ledger, () => register(filingId, copy), 422, 'copy-label-missing');
        expect(body.found).toEqual([]);
      }
      // The same key beside a malformed label: the label alone is named, and makes the refusal copy-label-malformed.
      const cutShort = aigcJson.slice(0, aigcJson.length - 10);
      const malformed = await sharp(original)
        .withXmp(xmpPacket({ aigc: cutShort, tc260: { AIGCVersion: '1.0' } }))
        .png()
        .toBuffer();
      const body = await expectRefused(ledger, () => register(filingId, malformed), 422, 'copy-label-malformed');
      expect(body.found).toEqual([
        { location: 'xmp:TC260:AIGC', PropagateID: null, problems: ['the value is not valid JSON'], excerpt: cutShort.slice(0, 120) },
      ]);
    });

    it('a file that is not an image: a text file, an empty file (422 copy-not-an-image, not copy-label-missing)', async () => {
      await expectRefused(ledger, () => register(filingId, Buffer.from('just some notes'), alice, 'notes.txt'), 422, 'copy-not-an-image');
      await expectRefused(ledger, () => register(filingId, Buffer.alloc(0), alice, 'empty.png'), 422, 'copy-not-an-image');
    });

    it('the same copy twice, or the filed content itself (409)', async () => {
      await expectRefused(
        ledger,
        () => register(filingId, withPngChunks(original, [iTXt('AIGC', aigcJson)])),
        409,
        'copy-already-registered',
      );
      await expectRefused(ledger, () => register(filingId, original), 409, 'copy-is-filed-content');
    });

    it("a registered copy's bytes filed as a work, by upload or by their hash, by anyone (409 content-is-registered-copy)", async () => {
      const copy = withPngChunks(original, [iTXt('AIGC', aigcJson)]);
      for (const who of [bob, alice]) {
        const body = await expectRefused(ledger, () => fileWith(who, copy), 409, 'content-is-registered-copy');
        expect(body).toMatchObject({ copyOf: filingId });
        const byHash = () =>
          ledger
            .http()
            .post('/v1/filings')
            .set('authorization', `Bearer ${who.key}`)
            .send(filingBody({ contentHash: sha256(copy) }));
        await expectRefused(ledger, byHash, 409, 'content-is-registered-copy');
      }
      // The lookup still traces the copy to its filing.
      expect((await ledger.http().get(`/v1/public/content/${sha256(copy)}`)).body).toMatchObject({ match: 'copy', filingId });
    });

    it('a file another creator filed first as a work of its own (409 copy-is-filed-content, naming that filing)', async () => {
      const copy = withPngChunks(original, [tEXt('AIGC', aigcJson)]);
      const filed = await fileWith(bob, copy);
      expect(filed.status).toBe(201);
      const body = await expectRefused(ledger, () => register(filingId, copy), 409, 'copy-is-filed-content');
      expect(body).toMatchObject({ filingId: filed.body.filingId });
      expect(body.detail).toContain(filed.body.filingId);
      // Withdrawn since, it was still filed as a work: the lookup answers for it with that filing, so it is no copy.
      const withdraw = await actingAs(ledger, bob).post(`/v1/filings/${filed.body.filingId}/withdraw`, { reason: 'filed by mistake' });
      expect(withdraw.status).toBe(200);
      const again = await expectRefused(ledger, () => register(filingId, copy), 409, 'copy-is-filed-content');
      expect(again).toMatchObject({ filingId: filed.body.filingId });
      expect((await ledger.http().get(`/v1/public/content/${sha256(copy)}`)).body).toMatchObject({
        match: 'content',
        filingId: filed.body.filingId,
      });
    });

    it('another creator (403), before the file is read; an unknown filing (404)', async () => {
      const refused = await expectRefused(
        ledger,
        () => register(filingId, withPngChunks(original, [tEXt('AIGC', aigcJson)]), bob),
        403,
        'not-owner',
      );
      expect(refused.detail).toBe(
        "only the holder of the filing's right (its creator, unless a dispute transferred it) may declare its labels, check files against them or register its copies (a reviewer may check any filing's files)",
      );
      await expectRefused(ledger, () => register('00000000-0000-7000-8000-000000000000', original), 404, 'filing-not-found');
    });

    it('a filing without labels declared, or filed by JSON (no computed perceptual hash) (409), before the upload is read', async () => {
      const work = await scenePng(203);
      const unlabelled = (await fileWith(alice, work)).body.filingId;
      await expectRefused(ledger, () => register(unlabelled, withPngChunks(work, [tEXt('Comment', 'a copy')])), 409, 'labels-not-declared');
      // A copy that could not be read at all is refused for the filing's state first: no use decoding it.
      const truncated = withPngChunks(work, [tEXt('Comment', 'a copy')]).subarray(0, 200);
      await expectRefused(ledger, () => register(unlabelled, truncated), 409, 'labels-not-declared');
      const body = filingBody();
      const byJson = (await ledger.http().post('/v1/filings').set('authorization', `Bearer ${alice.key}`).send(body)).body.filingId;
      expect(
        (await ledger.http().post(`/v1/filings/${byJson}/labels`).set('authorization', `Bearer ${alice.key}`).send(labels)).status,
      ).toBe(201);
      await expectRefused(ledger, () => register(byJson, original), 409, 'no-computed-hash');
      await expectRefused(ledger, () => register(byJson, original.subarray(0, 200)), 409, 'no-computed-hash');
    });

    it('a truncated image, a field instead of the file or beside it (400, naming it), a JSON body (4xx)', async () => {
      const copy = withPngChunks(original, [iTXt('AIGC', aigcJson)]);
      await expectRefused(ledger, () => register(filingId, copy.subarray(0, copy.length - 5000)), 422, 'image-unreadable');
      const post = () => ledger.http().post(`/v1/filings/${filingId}/copies`).set('authorization', `Bearer ${alice.key}`);
      for (const send of [
        () => post().field('note', 'x'),
        () => post().field('note', 'hi').attach('file', copy, 'copy.png'),
        () => post().attach('file', copy, 'copy.png').field('note', 'hi'),
      ]) {
        const body = await expectRefused(ledger, send, 400, 'unexpected-part');
        expect(body.errors).toEqual([{ field: 'note', message: expect.any(String) }]);
      }
      await expectRefused(
        ledger,
        () => ledger.http().post(`/v1/filings/${filingId}/copies`).set('authorization', `Bearer ${alice.key}`).send({ file: 'x' }),
        415,
        'unsupported-media-type',
      );
    });
  });

  it('leaves a ledger that verifies whole: the copies, their reservations and label checks are as the event catalogue has them, each at its own time', async () => {
    const { result, events } = await verifyWholeLedger(ledger);
    expect(result).toMatchObject({ ok: true, treeSize: events.length });
    expect([...new Set(events.map((e) => e.type))]).toEqual(expect.arrayContaining(['CopyRegistered', 'CopyReserved', 'LabelFileChecked']));
  });
});
