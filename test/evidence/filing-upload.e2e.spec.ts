// Filing a work with its file (multipart): the ledger hashes it, reads its type from its bytes and computes the
// perceptual hash of an image itself, so a copy is screened whatever its filer declares. Real pictures, made with sharp.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectRefused, filingBody, principal, startLedger, type LedgerApp } from '../support/ledger-app.js';
import { sha256, tEXt } from '../support/files.js';
import { claimedSizePng, resizedJpeg, scenePng, withPngChunks } from '../support/images.js';
import { hammingDistanceHex } from '../../src/inspection/phash.js';

const UPLOAD_LIMIT = 512 * 1024;
const PIXEL_LIMIT = 2_000_000;

describe('filing a work with its file', () => {
  let ledger: LedgerApp;
  let alice: { id: string; key: string };
  let bob: { id: string; key: string };

  beforeAll(async () => {
    ledger = await startLedger({ uploadLimit: UPLOAD_LIMIT, imagePixelLimit: PIXEL_LIMIT });
    alice = await principal(ledger, 'Alice', ['creator']);
    bob = await principal(ledger, 'Bob', ['creator']);
  });
  afterAll(() => ledger.close());

  /** The filing's JSON without the hashes the ledger takes from the file. */
  const metadata = (overrides: Record<string, unknown> = {}) => {
    const { contentHash: _contentHash, perceptualHash: _perceptualHash, ...body } = filingBody(overrides);
    return { ...body, ...overrides };
  };
  const fileWith = (who: { key: string }, meta: unknown, bytes: Buffer, name = 'work.png', type = 'application/octet-stream') =>
    ledger
      .http()
      .post('/v1/filings')
      .set('authorization', `Bearer ${who.key}`)
      .field('metadata', JSON.stringify(meta))
      .attach('file', bytes, { filename: name, contentType: type });
  const history = async (id: string, who = alice) =>
    (await ledger.http().get(`/v1/filings/${id}/history`).set('authorization', `Bearer ${who.key}`)).body.events as Array<
      Record<string, any>
    >;

  it("records the content hash, the perceptual hash computed from the pixels (source computed), and the file's provenance", async () => {
    const png = await scenePng(101, 400, 300);
    const res = await fileWith(alice, metadata(), png);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      contentHash: sha256(png),
      perceptualHash: { scheme: 'phash64', value: expect.stringMatching(/^[0-9a-f]{16}$/), source: 'computed' },
      file: { sha256: sha256(png), size: png.length, sniffedType: 'image/png', image: { width: 400, height: 300 }, aiSignals: [] },
    });
    const [filed] = await history(res.body.filingId);
    expect(filed.type).toBe('WorkFiled');
    expect(filed.data).toMatchObject({
      contentHash: sha256(png),
      perceptualHash: res.body.perceptualHash,
      file: { sniffedType: 'image/png', declaredPerceptualHash: null },
    });
    const view = (await ledger.http().get(`/v1/filings/${res.body.filingId}`).set('authorization', `Bearer ${alice.key}`)).body;
    expect(view).toMatchObject({ perceptualHash: res.body.perceptualHash, file: { sniffedType: 'image/png' } });
    // The public lookup finds the content by the hash the ledger computed.
    expect((await ledger.http().get(`/v1/public/content/${sha256(png)}`)).body).toMatchObject({ filingId: res.body.filingId });
  });

  it('a resized, re-encoded copy filed by another creator without any perceptual hash is flagged for similarity review', async () => {
    const original = await scenePng(102, 400, 300);
    const first = await fileWith(alice, metadata(), original);
    expect(first.status).toBe(201);
    const copy = await resizedJpeg(original, 300, 225, 70);
    const second = await fileWith(bob, metadata({ contentType: 'image/jpeg' }), copy, 'copy.jpg', 'image/jpeg');
    expect(second.status).toBe(201);
    expect(hammingDistanceHex(second.body.perceptualHash.value, first.body.perceptualHash.value)).toBeLessThanOrEqual(8);
    expect(second.body.right.flags).toContain('similarityReview');
    const events = await history(second.body.filingId, bob);
    expect(events.map((e) => e.type)).toEqual(['WorkFiled', 'NearDuplicatesFound']);
    expect(events[1].data.candidates).toEqual([expect.objectContaining({ filingId: first.body.filingId, creator: alice.id })]);
  });

  it('a declared perceptual hash within the threshold is kept for the record; the computed one is filed', async () => {
    const png = await scenePng(103);
    const probe = await fileWith(alice, metadata(), png);
    const computed: string = probe.body.perceptualHash.value;
    await ledger.http().post(`/v1/filings/${probe.body.filingId}/withdraw`).set('authorization', `Bearer ${alice.key}`).send({});
    const near = (parseInt(computed[15], 16) ^ 1).toString(16);
    const declared = { scheme: 'phash64', value: computed.slice(0, 15) + near };
    const res = await fileWith(alice, { ...metadata(), contentHash: sha256(png), perceptualHash: declared }, png);
    expect(res.status).toBe(201);
    expect(res.body.perceptualHash).toEqual({ scheme: 'phash64', value: computed, source: 'computed' });
    expect(res.body.file.declaredPerceptualHash).toEqual({ ...declared, source: 'declared' });
  });

  it('a JSON filing records its perceptual hash as declared', async () => {
    const body = filingBody();
    const res = await ledger.http().post('/v1/filings').set('authorization', `Bearer ${alice.key}`).send(body);
    expect(res.status).toBe(201);
    expect((await history(res.body.filingId))[0].data.perceptualHash).toEqual({ ...(body.perceptualHash as object), source: 'declared' });
  });

  it("records the AIGC label it finds in the file among the file's AI signals", async () => {
    const png = withPngChunks(await scenePng(104), [
      tEXt(
        'AIGC',
        JSON.stringify({
          Label: '1',
          ContentProducer: 'ACME',
          ProduceID: 'x',
          ReservedCode1: '',
          ContentPropagator: '',
          PropagateID: '',
          ReservedCode2: '',
        }),
      ),
    ]);
    const res = await fileWith(alice, metadata(), png);
    expect(res.status).toBe(201);
    expect(res.body.file.aiSignals).toEqual([{ signal: 'aigc-label', location: 'png:tEXt:AIGC', label: '1' }]);
  });

  it("records each of the Adobe Firefly image's C2PA AI signals once", async () => {
    const firefly = readFileSync(join(import.meta.dirname, '..', 'fixtures', 'c2pa', 'firefly-trained-ai.jpg'));
    const res = await fileWith(alice, metadata({ contentType: 'image/jpeg' }), firefly, 'firefly.jpg', 'image/jpeg');
    expect(res.status).toBe(201);
    const signals: Array<Record<string, string>> = res.body.file.aiSignals;
    expect(signals.map((s) => [s.signal, s.digitalSourceType.split('/').pop(), s.validationState]).sort()).toEqual([
      ['c2pa-digital-source-type', 'compositeWithTrainedAlgorithmicMedia', 'Valid'],
      ['c2pa-digital-source-type', 'trainedAlgorithmicMedia', 'Valid'],
    ]);
    const [filed] = await history(res.body.filingId);
    expect(filed.data.file.aiSignals).toEqual(signals);
    const view = (await ledger.http().get(`/v1/filings/${res.body.filingId}`).set('authorization', `Bearer ${alice.key}`)).body;
    expect(view.file.aiSignals).toEqual(signals);
  });

  describe('refuses, with a problem and nothing appended', () => {
    let png: Buffer;
    beforeAll(async () => {
      png = await scenePng(105);
    });

    it('a file whose SHA-256 is not the declared contentHash (422)', async () => {
      await expectRefused(ledger, () => fileWith(alice, { ...metadata(), contentHash: 'a'.repeat(64) }, png), 422, 'content-hash-mismatch');
    });

    it('a file whose bytes are not the declared content type (422)', async () => {
      await expectRefused(ledger, () => fileWith(alice, metadata({ contentType: 'image/jpeg' }), png), 422, 'content-type-mismatch');
      await expectRefused(
        ledger,
        () => fileWith(alice, metadata({ contentType: 'image/png' }), Buffer.from('not a picture at all, just text')),
        422,
        'content-type-mismatch',
      );
      await expectRefused(ledger, () => fileWith(alice, metadata({ contentType: 'text/plain' }), png), 422, 'content-type-mismatch');
    });

    it('a declared perceptual hash far from the computed one, or of another scheme (422)', async () => {
      const res = await fileWith(alice, metadata(), await scenePng(106));
      const far = res.body.perceptualHash.value.replace(/[0-9a-f]/g, (c: string) => (15 - parseInt(c, 16)).toString(16));
      await expectRefused(
        ledger,
        () => fileWith(bob, { ...metadata(), perceptualHash: { scheme: 'phash64', value: far } }, png),
        422,
        'perceptual-hash-mismatch',
      );
      await expectRefused(
        ledger,
        () => fileWith(bob, { ...metadata(), perceptualHash: { scheme: 'simhash64', value: '0'.repeat(16) } }, png),
        422,
        'perceptual-hash-mismatch',
      );
    });

    it('a truncated or corrupt image (422)', async () => {
      await expectRefused(ledger, () => fileWith(alice, metadata(), png.subarray(0, png.length >> 1)), 422, 'image-unreadable');
      await expectRefused(
        ledger,
        () => fileWith(alice, metadata(), Buffer.concat([png.subarray(0, 64), Buffer.alloc(2048, 0x33)])),
        422,
        'image-unreadable',
      );
    });

    it('an image whose dimensions would decompress to an absurd size (422)', async () => {
      await expectRefused(ledger, () => fileWith(alice, metadata(), claimedSizePng(50_000, 50_000)), 422, 'image-too-large');
    });

    it('a file over the upload limit (413), and a second file (413)', async () => {
      await expectRefused(
        ledger,
        () => fileWith(alice, metadata({ contentType: 'application/octet-stream' }), Buffer.alloc(UPLOAD_LIMIT + 1, 7)),
        413,
        'file-too-large',
      );
      const two = () =>
        ledger
          .http()
          .post('/v1/filings')
          .set('authorization', `Bearer ${alice.key}`)
          .field('metadata', JSON.stringify(metadata()))
          .attach('file', png, 'a.png')
          .attach('file', png, 'b.png');
      await expectRefused(ledger, two, 413, 'too-many-files');
    });

    it('metadata that is missing, after the file, not JSON or not a valid filing (400)', async () => {
      const post = () => ledger.http().post('/v1/filings').set('authorization', `Bearer ${alice.key}`);
      await expectRefused(ledger, () => post().attach('file', png, 'w.png'), 400, 'metadata-required');
      await expectRefused(
        ledger,
        () => post().attach('file', png, 'w.png').field('metadata', JSON.stringify(metadata())),
        400,
        'metadata-required',
      );
      await expectRefused(ledger, () => post().field('metadata', '{"title":').attach('file', png, 'w.png'), 400, 'malformed-json');
      // Valid JSON with a member no request may have: named as such, as in a JSON body.
      const proto = JSON.stringify(metadata()).replace('{', '{"__proto__":{"admin":true},');
      await expectRefused(ledger, () => post().field('metadata', proto).attach('file', png, 'w.png'), 400, 'reserved-name');
      await expectRefused(
        ledger,
        () =>
          post()
            .field('metadata', JSON.stringify(metadata({ title: '' })))
            .attach('file', png, 'w.png'),
        400,
        'validation-failed',
      );
      await expectRefused(
        ledger,
        () =>
          post()
            .field('metadata', JSON.stringify({ ...metadata(), extra: 1 }))
            .attach('file', png, 'w.png'),
        400,
        'validation-failed',
      );
    });

    // The parser decoded the field as text itself, laxly: a byte that is not UTF-8 became U+FFFD in the filed title.
    it('metadata that is not UTF-8 (400 invalid-unicode); UTF-8 text is taken, whether or not the part says it is JSON', async () => {
      const png = await scenePng(107);
      const boundary = 'ledger-boundary';
      const raw = (json: Buffer, type?: string) =>
        ledger
          .http()
          .post('/v1/filings')
          .set('authorization', `Bearer ${alice.key}`)
          .set('content-type', `multipart/form-data; boundary=${boundary}`)
          .send(
            Buffer.concat([
              Buffer.from(
                `--${boundary}\r\ncontent-disposition: form-data; name="metadata"\r\n${type ? `content-type: ${type}\r\n` : ''}\r\n`,
              ),
              json,
              Buffer.from(`\r\n--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="w.png"\r\n\r\n`),
              png,
              Buffer.from(`\r\n--${boundary}--\r\n`),
            ]),
          );
      const [before, after] = JSON.stringify(metadata({ title: 'Ev@e' })).split('@');
      const invalid = Buffer.concat([Buffer.from(before), Buffer.from([0xff, 0xfe]), Buffer.from(after)]);
      for (const type of [undefined, 'application/json', 'text/plain; charset=utf-8']) {
        const body = await expectRefused(ledger, () => raw(invalid, type), 400, 'invalid-unicode');
        expect(body.detail).toBe('the field "metadata" is not valid UTF-8: send its text encoded in UTF-8');
      }
      const filed = await raw(Buffer.from(JSON.stringify(metadata({ title: '山水 Évora' }))), 'application/json');
      expect(filed.status).toBe(201);
      const view = await ledger.http().get(`/v1/filings/${filed.body.filingId}`).set('authorization', `Bearer ${alice.key}`);
      expect(view.body.title).toBe('山水 Évora');
    });

    it('a field besides the metadata, before or after the file (400 unexpected-part, naming it)', async () => {
      const post = () =>
        ledger.http().post('/v1/filings').set('authorization', `Bearer ${alice.key}`).field('metadata', JSON.stringify(metadata()));
      for (const send of [
        () => post().field('note', 'hi').attach('file', png, 'w.png'),
        () => post().attach('file', png, 'w.png').field('note', 'hi'),
      ]) {
        const body = await expectRefused(ledger, send, 400, 'unexpected-part');
        expect(body.errors).toEqual([{ field: 'note', message: expect.any(String) }]);
      }
    });

    it('metadata without a file (400)', async () => {
      await expectRefused(
        ledger,
        () => ledger.http().post('/v1/filings').set('authorization', `Bearer ${alice.key}`).field('metadata', JSON.stringify(metadata())),
        400,
        'file-required',
      );
    });

    it('the same content filed again (409), after the file was read', async () => {
      const first = await fileWith(alice, metadata(), png);
      expect(first.status).toBe(201);
      await expectRefused(ledger, () => fileWith(bob, metadata(), png), 409, 'duplicate-content');
    });
  });
});
