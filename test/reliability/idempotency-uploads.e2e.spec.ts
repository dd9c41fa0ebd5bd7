// An Idempotency-Key on an upload covers what was uploaded: a retry of the same upload (a new multipart boundary, the
// same fields and files) gets the first answer again and appends nothing; the key sent with another file, or other
// metadata, is refused as reused and appends nothing. Each route that takes an upload and writes, and the inspection,
// which writes nothing and keeps no answer.
import { expectRefused, filingBody, principal, startLedger, type LedgerApp } from '../support/ledger-app.js';
import { iTXt, sha256 } from '../support/files.js';
import { scenePng, withPngChunks } from '../support/images.js';
import { send } from '../support/http-client.js';

let ledger: LedgerApp;
let alice: { id: string; key: string };
let bob: { id: string; key: string };
let picture: Buffer;
let other: Buffer;
let filingId: string;
let aigcJson: string;

const metadata = () => {
  const { contentHash: _c, perceptualHash: _p, ...meta } = filingBody();
  return meta;
};
/** One file, in the part `file`, posted by Alice to `path` under the Idempotency-Key `key`. */
const uploadTo = (path: string, key: string, bytes: Buffer, name: string) =>
  ledger.http().post(path).set('authorization', `Bearer ${alice.key}`).set('idempotency-key', key).attach('file', bytes, name);
const fileWith = (key: string | null, meta: Record<string, unknown>, bytes: Buffer, name = 'work.png') => {
  const req = ledger.http().post('/v1/filings').set('authorization', `Bearer ${alice.key}`);
  if (key) req.set('idempotency-key', key);
  return req.field('metadata', JSON.stringify(meta)).attach('file', bytes, name);
};

beforeAll(async () => {
  ledger = await startLedger();
  [alice, bob] = await Promise.all([principal(ledger, 'Alice', ['creator']), principal(ledger, 'Bob', ['creator'])]);
  [picture, other] = await Promise.all([scenePng(501, 320, 240), scenePng(502, 320, 240)]);
  const filed = await fileWith(null, metadata(), await scenePng(503, 320, 240));
  expect(filed.status).toBe(201);
  filingId = filed.body.filingId;
  const labels = {
    explicit: { text: 'AI生成', placement: ['bottom-right'], textHeightRatio: 0.06 },
    implicit: { AIGC: { Label: '1', ContentProducer: 'ACME', ProduceID: 'p', ReservedCode1: '', ReservedCode2: '' } },
  };
  const declared = await ledger.http().post(`/v1/filings/${filingId}/labels`).set('authorization', `Bearer ${alice.key}`).send(labels);
  expect(declared.status).toBe(201);
  aigcJson = declared.body.aigcJson;
});
afterAll(() => ledger.close());

describe('Idempotency-Key on uploads', () => {
  it('a filing by upload: the same upload again is answered as the first, another file or other metadata is refused, nothing appended', async () => {
    const meta = metadata();
    const first = await fileWith('upload-1', meta, picture);
    expect(first.status).toBe(201);
    expect(first.body.contentHash).toBe(sha256(picture));
    const size = await ledger.store.count();

    const again = await fileWith('upload-1', meta, picture);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    const refused = await expectRefused(ledger, () => fileWith('upload-1', meta, other), 422, 'idempotency-key-reused');
    expect(refused.detail).toBe('this Idempotency-Key was used with a different request');
    await expectRefused(ledger, () => fileWith('upload-1', { ...meta, title: 'Another title' }, picture), 422, 'idempotency-key-reused');
    await expectRefused(ledger, () => fileWith('upload-1', meta, picture, 'renamed.png'), 422, 'idempotency-key-reused');
    expect(await ledger.store.count()).toBe(size);
    // The other file was never filed: the refusal did not pass it off as the first one.
    expect((await ledger.http().get(`/v1/public/content/${sha256(other)}`)).status).toBe(404);
  });

  it('an upload refused before it is read to the end claims nothing: the key then carries a valid upload out', async () => {
    const meta = metadata();
    await expectRefused(ledger, () => fileWith('upload-2', { ...meta, title: '' }, other), 400, 'validation-failed');
    const filed = await fileWith('upload-2', meta, other);
    expect(filed.status).toBe(201);
    expect(filed.body.contentHash).toBe(sha256(other));
  });

  it('a copy, a label check and a complaint with evidence: each replayed for the same upload and refused for another file', async () => {
    const copy = withPngChunks(await scenePng(503, 320, 240), [iTXt('AIGC', aigcJson)]);
    const register = (bytes: Buffer) => uploadTo(`/v1/filings/${filingId}/copies`, 'copy-1', bytes, 'copy.png');
    const verify = (bytes: Buffer) => uploadTo(`/v1/filings/${filingId}/labels/verify`, 'verify-1', bytes, 'copy.png');
    const complaint = {
      type: 'infringement',
      filingId,
      claim: 'This copies my picture.',
      evidence: [{ file: 'mine.png', description: 'my picture', declaredAiGenerated: false }],
    };
    const complain = (bytes: Buffer) =>
      ledger
        .http()
        .post('/v1/disputes')
        .set('authorization', `Bearer ${bob.key}`)
        .set('idempotency-key', 'complaint-1')
        .field('metadata', JSON.stringify(complaint))
        .attach('evidence', bytes, { filename: 'mine.png', contentType: 'image/png' });
    const otherCopy = withPngChunks(copy, [iTXt('Comment', 'another file')]);

    for (const [name, send, bytes, changed, status] of [
      ['copy', register, copy, otherCopy, 201],
      ['label check', verify, copy, otherCopy, 200],
      ['complaint', complain, picture, other, 201],
    ] as const) {
      const size = await ledger.store.count();
      const first = await send(bytes);
      expect([name, first.status]).toEqual([name, status]);
      const after = await ledger.store.count();
      expect(after).toBeGreaterThan(size); // each appends its event
      const again = await send(bytes);
      expect([name, again.status, again.body]).toEqual([name, status, first.body]);
      await expectRefused(ledger, () => send(changed), 422, 'idempotency-key-reused');
      expect([name, await ledger.store.count()]).toEqual([name, after]);
    }
  });

  it('a multipart type on a route that takes no upload is compared at once: an empty body under a used key is not carried out again', async () => {
    const issue = () =>
      send(ledger.url, {
        method: 'POST',
        path: '/v1/me/keys',
        headers: {
          authorization: `Bearer ${alice.key}`,
          'idempotency-key': 'empty-multipart-1',
          'content-type': 'multipart/form-data; boundary=x',
          'content-length': '0',
        },
      });
    const first = await issue();
    expect(first.status).toBe(201);
    const size = await ledger.store.count();
    const again = await issue();
    expect(again.status).toBe(409);
    expect(JSON.parse(again.text)).toMatchObject({ type: 'urn:sandbox-ledger:problem:idempotency-key-applied' });
    expect(await ledger.store.count()).toBe(size);
  });

  it('the same upload sent twice at once under one key is carried out once', async () => {
    const meta = metadata();
    const bytes = await scenePng(504, 320, 240);
    const size = await ledger.store.count();
    const answers = await Promise.all([
      fileWith('upload-3', meta, bytes),
      fileWith('upload-3', meta, bytes),
      fileWith('upload-3', meta, bytes),
    ]);
    const filed = answers.filter((a) => a.status === 201);
    expect(filed.length).toBeGreaterThanOrEqual(1);
    expect(new Set(filed.map((a) => a.body.filingId)).size).toBe(1);
    for (const a of answers.filter((x) => x.status !== 201))
      expect(a.body.type).toBe('urn:sandbox-ledger:problem:idempotency-key-in-progress');
    const events = await ledger.store.readAll(size, { limit: 100 });
    expect(events.filter((e) => e.type === 'WorkFiled')).toHaveLength(1);
  });

  it('an inspection, which writes nothing, answers each file with its own reading under one key', async () => {
    const inspect = (bytes: Buffer) => uploadTo('/v1/inspect', 'inspect-1', bytes, 'a.png');
    const size = await ledger.store.count();
    const a = await inspect(picture);
    const b = await inspect(other);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect([a.body.sha256, b.body.sha256]).toEqual([sha256(picture), sha256(other)]);
    expect(await ledger.store.count()).toBe(size);
  });
});
