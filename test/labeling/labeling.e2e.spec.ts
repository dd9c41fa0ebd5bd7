// Labelling end to end through HTTP on the real SQLite store, with real PNG and JPEG files.
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import { expectRefused, filingBody, principal, startLedger, type LedgerApp } from '../support/ledger-app.js';
import { app1Xmp, iTXt, jpeg, png, sha256, tEXt, xmpPacket } from '../support/files.js';

const PLATFORM = 'TEST-PLATFORM';
const UPLOAD_LIMIT = 64 * 1024;

const hashOf = (e: Record<string, unknown>) =>
  createHash('sha256')
    .update(
      canonicalize({
        v: e.v,
        id: e.id,
        stream: e.stream,
        revision: e.revision,
        type: e.type,
        data: e.data,
        meta: e.meta,
        recordedAt: e.recordedAt,
        prevHash: e.prevHash,
      })!,
    )
    .digest('hex');

const producer = { Label: '1', ContentProducer: 'ACME-AI', ProduceID: 'gen-0001', ReservedCode1: 'r1', ReservedCode2: '' };
/** What a generator embeds before the work is filed: the propagation elements are still empty. */
const asGenerated = (p: Record<string, string> = producer) => JSON.stringify({ ...p, ContentPropagator: '', PropagateID: '' });
const imageLabels = (aigc: Record<string, unknown> = producer, explicit: Record<string, unknown> = {}) => ({
  explicit: { text: 'AI生成', placement: ['bottom-right'], textHeightRatio: 0.06, ...explicit },
  implicit: { AIGC: aigc },
});

describe('labelling a filed work', () => {
  let ledger: LedgerApp;
  let alice: { id: string; key: string };
  let bob: { id: string; key: string };
  let rita: { id: string; key: string };

  beforeAll(async () => {
    ledger = await startLedger({ platformCode: PLATFORM, uploadLimit: UPLOAD_LIMIT });
    alice = await principal(ledger, 'Alice', ['creator']);
    bob = await principal(ledger, 'Bob', ['creator']);
    rita = await principal(ledger, 'Rita', ['reviewer']);
  });
  afterAll(() => ledger.close());

  const as = (who: { key: string }) => `Bearer ${who.key}`;
  async function file(bytes: Buffer, contentType = 'image/png', who = alice): Promise<string> {
    const res = await ledger
      .http()
      .post('/v1/filings')
      .set('authorization', as(who))
      .send(filingBody({ contentHash: sha256(bytes), contentType }));
    expect(res.status).toBe(201);
    return res.body.filingId;
  }
  const declare = (id: string, body: unknown, who = alice) =>
    ledger
      .http()
      .post(`/v1/filings/${id}/labels`)
      .set('authorization', as(who))
      .send(body as object);
  const upload = (id: string, bytes: Buffer, name = 'work.png', who = alice) =>
    ledger
      .http()
      .post(`/v1/filings/${id}/labels/verify`)
      .set('authorization', as(who))
      .attach('file', bytes, { filename: name, contentType: 'application/octet-stream' });
  const filing = async (id: string) => (await ledger.http().get(`/v1/filings/${id}`).set('authorization', as(alice))).body;
  const history = async (id: string) =>
    (await ledger.http().get(`/v1/filings/${id}/history`).set('authorization', as(alice))).body.events as Array<Record<string, any>>;

  function expectChained(events: Array<Record<string, any>>, id: string) {
    let prev = '0'.repeat(64);
    events.forEach((e, i) => {
      expect(e).toMatchObject({ revision: i, stream: `filing-${id}`, prevHash: prev });
      expect(hashOf(e)).toBe(e.hash);
      prev = e.hash;
    });
    for (let i = 1; i < events.length; i++) expect(events[i].leafIndex).toBeGreaterThan(events[i - 1].leafIndex);
  }

  it('declares labels, verifies a labelled PNG (tier 1), amends them, and keeps the whole history hash-chained', async () => {
    const work = png({ before: [tEXt('AIGC', asGenerated()), iTXt('XML:com.adobe.xmp', xmpPacket({ aigc: asGenerated() }))] });
    const id = await file(work);
    expect((await filing(id)).labels).toMatchObject({ state: 'none', tier: null, declared: null });

    const declared = await declare(id, imageLabels());
    expect(declared.status).toBe(201);
    const complete = {
      Label: '1',
      ContentProducer: 'ACME-AI',
      ProduceID: 'gen-0001',
      ReservedCode1: 'r1',
      ContentPropagator: PLATFORM,
      PropagateID: id,
      ReservedCode2: '',
    };
    expect(declared.body).toMatchObject({
      filingId: id,
      version: 1,
      modality: 'image',
      implicit: { AIGC: complete },
      labels: { state: 'declared', tier: '2' },
    });
    // The exact JSON to embed, in the standard's field order.
    expect(declared.body.aigcJson).toBe(JSON.stringify(complete));
    expect(Object.keys(JSON.parse(declared.body.aigcJson))).toEqual([
      'Label',
      'ContentProducer',
      'ProduceID',
      'ReservedCode1',
      'ContentPropagator',
      'PropagateID',
      'ReservedCode2',
    ]);

    const afterDeclare = await filing(id);
    expect(afterDeclare.labels).toMatchObject({
      state: 'declared',
      tier: '2',
      declared: { version: 1, modality: 'image', implicit: { AIGC: complete } },
    });
    expect(Date.parse(afterDeclare.labels.labelDueAt) - Date.parse(afterDeclare.filedAt)).toBe(7 * 86_400_000);
    expect((await ledger.http().get(`/v1/public/content/${sha256(work)}`)).body).toMatchObject({ labelState: 'declared', labelTier: '2' });

    const before = await ledger.store.count();
    const checked = await upload(id, work);
    expect(checked.status).toBe(200);
    expect(checked.body).toMatchObject({
      filingId: id,
      outcome: 'found',
      tier: '1',
      declarationVersion: 1,
      differences: [],
      labels: { state: 'verified', tier: '1' },
      file: { sha256: sha256(work), size: work.length, format: 'png' },
    });
    expect(checked.body.found.map((f: { location: string }) => f.location)).toEqual(['png:tEXt:AIGC', 'xmp:TC260:AIGC']);
    expect(await ledger.store.count()).toBe(before + 1);

    expect((await filing(id)).labels).toMatchObject({
      state: 'verified',
      tier: '1',
      lastCheck: { outcome: 'found', tier: '1', leafIndex: checked.body.leafIndex },
    });
    expect((await ledger.http().get(`/v1/public/content/${sha256(work)}`)).body).toMatchObject({ labelState: 'verified', labelTier: '1' });

    // Amending appends version 2 and needs a new check; versions 1 and the check stay in the history.
    const amended = await declare(id, imageLabels(producer, { text: 'AI generated', placement: ['top-left', 'bottom-right'] }));
    expect(amended.status).toBe(201);
    expect(amended.body).toMatchObject({ version: 2, labels: { state: 'declared', tier: '2' } });
    const same = await declare(id, imageLabels(producer, { text: 'AI generated', placement: ['top-left', 'bottom-right'] }));
    expect(same.status).toBe(409);

    const events = await history(id);
    expect(events.map((e) => e.type)).toEqual(['WorkFiled', 'LabelsDeclared', 'LabelFileChecked', 'LabelsDeclared']);
    expect(events.map((e) => e.data.version ?? null)).toEqual([null, 1, null, 2]);
    expect(events.slice(1).every((e) => e.meta.actor === alice.id)).toBe(true);
    expect(events[2].hash).toBe(checked.body.eventHash);
    expectChained(events, id);
  });

  it("reads the label from a JPEG's XMP (APP1)", async () => {
    const work = jpeg({ segments: [app1Xmp(xmpPacket({ aigc: asGenerated(), element: true }))] });
    const id = await file(work, 'image/jpeg');
    expect((await declare(id, imageLabels())).status).toBe(201);
    const checked = await upload(id, work, 'work.jpg');
    expect(checked.status).toBe(200);
    expect(checked.body).toMatchObject({ outcome: 'found', tier: '1', file: { format: 'jpeg' }, labels: { state: 'verified' } });
    expect(checked.body.found).toEqual([
      { location: 'xmp:TC260:AIGC', aigc: { ...producer, ContentPropagator: '', PropagateID: '' }, problems: [], excerpt: null },
    ]);
  });

  it('reads an iTXt chunk keyed AIGC', async () => {
    const work = png({ after: [iTXt('AIGC', asGenerated(), true)] });
    const id = await file(work);
    await declare(id, imageLabels());
    const checked = await upload(id, work);
    expect(checked.body).toMatchObject({ outcome: 'found', tier: '1' });
    expect(checked.body.found.map((f: { location: string }) => f.location)).toEqual(['png:iTXt:AIGC']);
  });

  it('declared but not in the file: tier 2, still "declared"', async () => {
    const work = png();
    const id = await file(work);
    await declare(id, imageLabels());
    const checked = await upload(id, work);
    expect(checked.status).toBe(200);
    expect(checked.body).toMatchObject({ outcome: 'not-found', tier: '2', found: [], labels: { state: 'declared', tier: '2' } });
    expect((await filing(id)).labels).toMatchObject({ state: 'declared', tier: '2', lastCheck: { outcome: 'not-found' } });
  });

  it('a label in the file that differs from the declaration is recorded field by field', async () => {
    const work = png({ before: [tEXt('AIGC', asGenerated({ ...producer, Label: '2', ProduceID: 'gen-9999' }))] });
    const id = await file(work);
    await declare(id, imageLabels());
    const checked = await upload(id, work);
    expect(checked.body).toMatchObject({
      outcome: 'differs',
      tier: '1',
      labels: { state: 'declared', tier: '1' },
      differences: [
        { location: 'png:tEXt:AIGC', field: 'Label', expected: '1', found: '2' },
        { location: 'png:tEXt:AIGC', field: 'ProduceID', expected: 'gen-0001', found: 'gen-9999' },
      ],
    });
  });

  it('neither declared nor labelled, but the XMP names generative AI: tier 3', async () => {
    const work = png({
      before: [
        iTXt(
          'XML:com.adobe.xmp',
          xmpPacket({ digitalSourceType: 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia' }),
        ),
      ],
    });
    const id = await file(work);
    const checked = await upload(id, work);
    expect(checked.body).toMatchObject({ outcome: 'not-found', tier: '3', declarationVersion: null, labels: { state: 'none', tier: '3' } });
    expect(checked.body.traces).toHaveLength(1);
    expect((await ledger.http().get(`/v1/public/content/${sha256(work)}`)).body).toMatchObject({ labelState: 'none', labelTier: '3' });
  });

  it('a malformed label in the file is recorded as invalid', async () => {
    const work = png({ before: [tEXt('AIGC', '{"Label":"1","ContentProducer":"ACME AI"}')] });
    const id = await file(work);
    await declare(id, imageLabels());
    const checked = await upload(id, work);
    expect(checked.body).toMatchObject({ outcome: 'invalid', tier: '2', found: [{ location: 'png:tEXt:AIGC', aigc: null }] });
    expect(checked.body.found[0].problems).toEqual(
      expect.arrayContaining(['ProduceID is missing', expect.stringMatching(/^ContentProducer may contain only/)]),
    );
  });

  it('labels audio with the rhythm cue, and a model/* work as a virtual scene', async () => {
    const audio = await file(Buffer.from(`audio ${Math.random()}`), 'audio/mpeg');
    const rhythm = await declare(audio, {
      explicit: { placement: ['start'], audioCue: 'rhythm', rhythm: 'short-long-short-short' },
      implicit: { AIGC: producer },
    });
    expect(rhythm.status).toBe(201);
    expect(rhythm.body.modality).toBe('audio');
    const scene = await file(Buffer.from(`scene ${Math.random()}`), 'model/gltf-binary');
    const declared = await declare(scene, {
      explicit: { text: 'AI合成', placement: ['start'], displaySeconds: 2.5 },
      implicit: { AIGC: producer },
    });
    expect(declared.status).toBe(201);
    expect(declared.body.modality).toBe('virtual-scene');
  });

  it('refuses a label whose digital source type is not AI-generated on a work filed as AI-generated, and appends nothing', async () => {
    const id = await file(png({ before: [tEXt('note', String(Math.random()))] }));
    const iptc = 'http://cv.iptc.org/newscodes/digitalsourcetype/';
    const refused = await expectRefused(
      ledger,
      () => declare(id, { ...imageLabels(), digitalSourceType: `${iptc}digitalCapture` }),
      422,
      'label-rules-not-met',
    );
    expect(refused.errors).toEqual([
      {
        field: 'digitalSourceType',
        message: `the work was filed as ${iptc}trainedAlgorithmicMedia: its label's digitalSourceType must be an AI-generated type too (trainedAlgorithmicMedia, compositeWithTrainedAlgorithmicMedia, algorithmicMedia, compositeSynthetic)`,
      },
    ]);
    const composite = await declare(id, { ...imageLabels(), digitalSourceType: `${iptc}compositeWithTrainedAlgorithmicMedia` });
    expect(composite.status).toBe(201);
  });

  it('replays a declaration retried with the same Idempotency-Key: one event', async () => {
    const id = await file(png());
    const before = await ledger.store.count();
    const send = () =>
      ledger
        .http()
        .post(`/v1/filings/${id}/labels`)
        .set('authorization', as(alice))
        .set('idempotency-key', `labels-${id}`)
        .send(imageLabels());
    const first = await send();
    const again = await send();
    expect([first.status, again.status]).toEqual([201, 201]);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await ledger.store.count()).toBe(before + 1);
  });

  describe('refused declarations append nothing', () => {
    let id: string;
    let withdrawnId: string;
    beforeAll(async () => {
      id = await file(png());
      withdrawnId = await file(png());
      await ledger.http().post(`/v1/filings/${withdrawnId}/withdraw`).set('authorization', as(alice)).send({});
    });

    const { ProduceID: _, ...missing } = producer;
    // Every row has four elements: jest would pass `done` in place of a missing fourth.
    const cases: Array<[string, () => { body: unknown; who?: { key: string }; path?: () => string }, number, string | undefined]> = [
      ['an AIGC object with a field missing', () => ({ body: imageLabels(missing) }), 400, 'implicit.AIGC.ProduceID'],
      [
        'an AIGC object with an extra field',
        () => ({ body: imageLabels({ ...producer, Watermark: 'x' }) }),
        400,
        'implicit.AIGC.Watermark',
      ],
      [
        'a space in an AIGC value',
        () => ({ body: imageLabels({ ...producer, ContentProducer: 'ACME AI' }) }),
        400,
        'implicit.AIGC.ContentProducer',
      ],
      ['a double quote in an AIGC value', () => ({ body: imageLabels({ ...producer, ProduceID: 'a"b' }) }), 400, 'implicit.AIGC.ProduceID'],
      [
        'a backslash in an AIGC value',
        () => ({ body: imageLabels({ ...producer, ReservedCode1: 'a\\b' }) }),
        400,
        'implicit.AIGC.ReservedCode1',
      ],
      ['a non-ASCII AIGC value', () => ({ body: imageLabels({ ...producer, ReservedCode2: '生成' }) }), 400, 'implicit.AIGC.ReservedCode2'],
      ['a Label other than "1", "2" or "3"', () => ({ body: imageLabels({ ...producer, Label: '4' }) }), 400, 'implicit.AIGC.Label'],
      ['a Label sent as a number', () => ({ body: imageLabels({ ...producer, Label: 1 }) }), 400, 'implicit.AIGC.Label'],
      [
        "a ContentPropagator other than the ledger's",
        () => ({ body: imageLabels({ ...producer, ContentPropagator: 'OTHER' }) }),
        422,
        'implicit.AIGC.ContentPropagator',
      ],
      [
        'a PropagateID other than the filing id',
        () => ({ body: imageLabels({ ...producer, PropagateID: 'mine' }) }),
        422,
        'implicit.AIGC.PropagateID',
      ],
      [
        'an image label under 5 % of the shortest side',
        () => ({ body: imageLabels(producer, { textHeightRatio: 0.03 }) }),
        422,
        'explicit.textHeightRatio',
      ],
      [
        'an image label without its height',
        () => ({ body: imageLabels(producer, { textHeightRatio: undefined }) }),
        422,
        'explicit.textHeightRatio',
      ],
      ['a display duration on an image', () => ({ body: imageLabels(producer, { displaySeconds: 3 }) }), 422, 'explicit.displaySeconds'],
      ['a label text that does not say AI-generated', () => ({ body: imageLabels(producer, { text: 'hello' }) }), 422, 'explicit.text'],
      ['an unknown placement', () => ({ body: imageLabels(producer, { placement: ['somewhere'] }) }), 400, 'explicit.placement'],
      ['an unknown top-level field', () => ({ body: { ...imageLabels(), tier: '1' } }), 400, 'tier'],
      [
        'a digital source type that is not an IPTC URI',
        () => ({ body: { ...imageLabels(), digitalSourceType: 'ai' } }),
        400,
        'digitalSourceType',
      ],
      ['virtual-scene asked for an image', () => ({ body: { ...imageLabels(), modality: 'virtual-scene' } }), 422, 'modality'],
      ["another creator's filing", () => ({ body: imageLabels(), who: bob }), 403, undefined],
      ['a reviewer', () => ({ body: imageLabels(), who: rita }), 403, undefined],
      ['a withdrawn filing', () => ({ body: imageLabels(), path: () => `/v1/filings/${withdrawnId}/labels` }), 409, undefined],
      [
        'a filing that does not exist',
        () => ({ body: imageLabels(), path: () => '/v1/filings/01a2253d-e865-744d-bc21-9aa3dae3b8f5/labels' }),
        404,
        undefined,
      ],
    ];

    it.each(cases)('refuses %s', async (_name, make, status, field) => {
      const c = make();
      const before = await ledger.store.count();
      const res = await ledger
        .http()
        .post(c.path?.() ?? `/v1/filings/${id}/labels`)
        .set('authorization', as(c.who ?? alice))
        .send(c.body as object);
      expect(res.status).toBe(status);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ type: expect.stringMatching(/^urn:sandbox-ledger:problem:/), status, detail: expect.any(String) });
      if (field) {
        expect(res.body.errors).toEqual(expect.arrayContaining([{ field, message: expect.any(String) }]));
        expect(res.body.errors.every((e: { field: string }) => e.field === field)).toBe(true);
      }
      expect(await ledger.store.count()).toBe(before);
    });

    it('left the filing without labels', async () => {
      expect((await history(id)).map((e) => e.type)).toEqual(['WorkFiled']);
      expect((await filing(id)).labels).toMatchObject({ state: 'none', tier: null });
    });
  });

  describe('refused uploads record nothing', () => {
    let id: string;
    let work: Buffer;
    beforeAll(async () => {
      work = png({ before: [tEXt('AIGC', asGenerated())] });
      id = await file(work);
      await declare(id, imageLabels());
    });

    const refused = async (res: { status: number; headers: Record<string, string>; body: any }, status: number, before: number) => {
      expect(res.status).toBe(status);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(await ledger.store.count()).toBe(before);
    };

    it("a file whose SHA-256 is not the filing's contentHash (422)", async () => {
      const before = await ledger.store.count();
      const other = png({ before: [tEXt('AIGC', asGenerated())] });
      const res = await upload(id, other);
      await refused(res, 422, before);
      expect(res.body).toMatchObject({
        type: 'urn:sandbox-ledger:problem:content-hash-mismatch',
        expected: sha256(work),
        actual: sha256(other),
        errors: [{ field: 'file', message: expect.any(String) }],
      });
    });

    it('a file over the upload limit (413 file-too-large, as every upload route answers it)', async () => {
      const body = await expectRefused(ledger, () => upload(id, Buffer.concat([work, Buffer.alloc(UPLOAD_LIMIT)])), 413, 'file-too-large');
      expect(body.detail).toBe(`the file "work.png" is larger than the upload limit of ${UPLOAD_LIMIT} bytes`);
    });

    describe('anything but one part "file", refused as the other upload routes refuse it', () => {
      const post = () => ledger.http().post(`/v1/filings/${id}/labels/verify`).set('authorization', as(alice));
      const big = () => Buffer.concat([work, Buffer.alloc(UPLOAD_LIMIT)]);

      it('a second file after the work, even one over the limit (413 too-many-files)', async () => {
        await expectRefused(ledger, () => post().attach('file', work, 'work.png').attach('file', big(), 'big.png'), 413, 'too-many-files');
        await expectRefused(ledger, () => post().attach('file', work, 'work.png').attach('file', work, 'again.png'), 413, 'too-many-files');
      });

      it('a field before or after the file (400 unexpected-part, naming it)', async () => {
        for (const send of [
          () => post().field('note', 'hi').attach('file', work, 'work.png'),
          () => post().attach('file', work, 'work.png').field('note', 'hi'),
        ]) {
          const body = await expectRefused(ledger, send, 400, 'unexpected-part');
          expect(body.errors).toEqual([{ field: 'note', message: expect.any(String) }]);
          expect(body.detail).toContain('"note"');
        }
      });

      it('the file in a part not named "file" (400 file-required)', async () => {
        const body = await expectRefused(ledger, () => post().attach('image', work, 'work.png'), 400, 'file-required');
        expect(body.errors).toEqual([{ field: 'file', message: expect.any(String) }]);
      });
    });

    it('another creator (403), before the upload is read', async () => {
      const before = await ledger.store.count();
      const res = await upload(id, work, 'work.png', bob);
      await refused(res, 403, before);
      expect(res.body.type).toBe('urn:sandbox-ledger:problem:not-owner');
    });

    it('no key (401)', async () => {
      const before = await ledger.store.count();
      await refused(await ledger.http().post(`/v1/filings/${id}/labels/verify`).attach('file', work, 'work.png'), 401, before);
    });

    it('a JSON body instead of multipart (415) and a multipart body without a file (400)', async () => {
      const before = await ledger.store.count();
      await refused(
        await ledger.http().post(`/v1/filings/${id}/labels/verify`).set('authorization', as(alice)).send({ file: 'x' }),
        415,
        before,
      );
      const boundary = 'ledger-boundary';
      const noFile = await ledger
        .http()
        .post(`/v1/filings/${id}/labels/verify`)
        .set('authorization', as(alice))
        .set('content-type', `multipart/form-data; boundary=${boundary}`)
        .send(`--${boundary}--\r\n`);
      await refused(noFile, 400, before);
      expect(noFile.body).toMatchObject({ type: 'urn:sandbox-ledger:problem:file-required' });
      expect(noFile.body.errors).toEqual([{ field: 'file', message: expect.any(String) }]);
    });

    it('then the right file is still accepted', async () => {
      const before = await ledger.store.count();
      const res = await upload(id, work);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ outcome: 'found', tier: '1' });
      expect(await ledger.store.count()).toBe(before + 1);
      expect((await history(id)).map((e) => e.type)).toEqual(['WorkFiled', 'LabelsDeclared', 'LabelFileChecked']);
    });
  });
});
