// What a refused request says: a missing field is required (once), a wrong type names the type or shape expected, a
// wrong content type names what the route accepts; hex arrives in either case and is kept lowercase.
import { createHash } from 'node:crypto';
import { actingAs, filingBody, principal, startLedger, type LedgerApp } from '../support/ledger-app.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('messages that help', () => {
  let ledger: LedgerApp;
  let alice: { id: string; key: string };
  const admin = () => ({ authorization: `Bearer ${ledger.adminKey}` });
  const creator = () => ({ authorization: `Bearer ${alice.key}` });

  beforeAll(async () => {
    ledger = await startLedger();
    alice = await principal(ledger, 'Alice', ['creator']);
  });
  afterAll(() => ledger.close());

  /** The problem's field errors, after checking it is a 400 validation-failed that appended nothing. */
  async function fieldErrors(send: () => PromiseLike<{ status: number; body: { type: string; errors?: unknown } }>) {
    const before = await ledger.store.count();
    const res = await send();
    expect({ status: res.status, type: res.body.type }).toEqual({ status: 400, type: 'urn:sandbox-ledger:problem:validation-failed' });
    expect(await ledger.store.count()).toBe(before);
    return res.body.errors;
  }

  it('a missing field is required, once', async () => {
    expect(await fieldErrors(() => ledger.http().post('/v1/principals').set(admin()).send({ name: 'Bob' }))).toEqual([
      { field: 'roles', message: 'roles is required' },
    ]);
    const { title: _title, ...untitled } = filingBody();
    expect(await fieldErrors(() => ledger.http().post('/v1/filings').set(creator()).send(untitled))).toEqual([
      { field: 'title', message: 'title is required' },
    ]);
    const body = filingBody();
    const { tool: _tool, ...generation } = body.generation as Record<string, unknown>;
    expect(
      await fieldErrors(() =>
        ledger
          .http()
          .post('/v1/filings')
          .set(creator())
          .send({ ...body, generation }),
      ),
    ).toEqual([{ field: 'generation.tool', message: 'generation.tool is required' }]);
  });

  it('a value of the wrong type says what was expected, and nothing about its length or range', async () => {
    const body = filingBody();
    const generation = body.generation as Record<string, unknown>;
    expect(
      await fieldErrors(() =>
        ledger
          .http()
          .post('/v1/filings')
          .set(creator())
          .send({ ...body, generation: { ...generation, tool: 'Midjourney', iterations: 'many' } }),
      ),
    ).toEqual([
      { field: 'generation.tool', message: 'generation.tool must be an object {name, version?, provider?}' },
      { field: 'generation.iterations', message: 'generation.iterations must be an integer number' },
    ]);
    expect(
      await fieldErrors(() =>
        ledger
          .http()
          .post('/v1/filings')
          .set(creator())
          .send({ ...filingBody(), title: 42, processEvidence: {} }),
      ),
    ).toEqual([
      { field: 'title', message: 'title must be a string' },
      { field: 'processEvidence', message: 'processEvidence must be an array of objects {sha256, kind, description?, createdAt?}' },
    ]);
    expect(await fieldErrors(() => ledger.http().post('/v1/principals').set(admin()).send({ name: 'Bob', roles: 'creator' }))).toEqual([
      { field: 'roles', message: 'roles must be an array of roles, e.g. ["creator"] (creator, reviewer, auditor, admin)' },
    ]);
    expect(
      await fieldErrors(() =>
        ledger
          .http()
          .post('/v1/filings')
          .set(creator())
          .send({ ...filingBody(), processEvidence: ['draft.png'] }),
      ),
    ).toEqual([
      { field: 'processEvidence', message: 'each item of processEvidence must be an object {sha256, kind, description?, createdAt?}' },
    ]);
  });

  it('an optional field given null is read as left out, in every command', async () => {
    const admin = actingAs(ledger, { key: ledger.adminKey });
    const creator = actingAs(ledger, alice);
    // Passed on as a value, null settled as of 1970 (new Date(null)), or failed in a command as the server's error.
    const settled = await admin.post('/v1/settlements', { asOf: null });
    expect(settled.status).toBe(201);
    expect(Date.parse(settled.body.asOf)).toBeGreaterThan(Date.now() - 60_000);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
    const published = await admin.post('/v1/policy', {
      effectiveFrom: tomorrow,
      parameters: { labelGraceDays: null, similarity: null, repeatInfringer: { upheld: null, windowDays: 100 } },
    });
    expect(published.status).toBe(201);
    expect(published.body.parameters).toMatchObject({ labelGraceDays: 7, repeatInfringer: { upheld: 3, windowDays: 100 } });
    const filed = await creator.post('/v1/filings', filingBody({ processEvidence: null }));
    expect(filed.status).toBe(201);
    const amended = await creator.post(`/v1/filings/${filed.body.filingId}/amend`, { title: 'Renamed', processEvidence: null });
    expect(amended.status).toBe(200);
    const read = await creator.get(`/v1/filings/${filed.body.filingId}`);
    expect({ title: read.body.title, processEvidence: read.body.processEvidence }).toEqual({ title: 'Renamed', processEvidence: [] });
  });

  it('values of the right type get every rule they break, named by their path', async () => {
    const body = filingBody();
    expect(
      await fieldErrors(() =>
        ledger
          .http()
          .post('/v1/filings')
          .set(creator())
          .send({ ...body, processEvidence: [{ sha256: 'abc', kind: 'magic' }], owner: 'me' }),
      ),
    ).toEqual([
      { field: 'owner', message: 'owner is not a field of this request (unknown fields are refused)' },
      { field: 'processEvidence.0.sha256', message: 'processEvidence.0.sha256 must be a SHA-256: 64 hex characters' },
      {
        field: 'processEvidence.0.kind',
        message:
          'processEvidence.0.kind must be one of the following values: prompt, negative-prompt, parameters, draft, iteration, selection, edit, reference, other',
      },
    ]);
  });

  // Number() read `0x10` as 16, `1e1` as 10, ` 5` as 5 and an empty parameter as 0 (a proof for leaf 0), and rounded
  // what is past 2^53 to a neighbour.
  it('a whole number in a query string is plain decimal digits in the safe-integer range, else it is named', async () => {
    const filed = await ledger.http().post('/v1/filings').set(creator()).send(filingBody());
    expect(filed.status).toBe(201);
    const size = await ledger.store.count();
    const cases: Array<[string, string, string]> = [
      ['/v1/filings?limit=0x10', 'limit', 'limit must be a whole number in decimal digits, from 1 to 100'],
      ['/v1/filings?limit=1e1', 'limit', 'limit must be a whole number in decimal digits, from 1 to 100'],
      ['/v1/filings?limit=%205', 'limit', 'limit must be a whole number in decimal digits, from 1 to 100'],
      ['/v1/filings?limit=-1', 'limit', 'limit must be a whole number in decimal digits, from 1 to 100'],
      ['/v1/filings?limit=2.0', 'limit', 'limit must be a whole number in decimal digits, from 1 to 100'],
      [
        `/v1/ledger/proof/inclusion?leafIndex=&treeSize=${size}`,
        'leafIndex',
        'leafIndex must be a whole number in decimal digits, from 0 to 9007199254740991',
      ],
      [
        '/v1/ledger/proof/inclusion?leafIndex=0&treeSize=9007199254740993',
        'treeSize',
        'treeSize must be a whole number in decimal digits, from 0 to 9007199254740991',
      ],
      [
        '/v1/ledger/checkpoints?cursor=99999999999999999999999',
        'cursor',
        'cursor must be a whole number in decimal digits, from 1 to 9007199254740991',
      ],
    ];
    for (const [path, field, message] of cases)
      expect([path, await fieldErrors(() => ledger.http().get(path).set(creator()))]).toEqual([path, [{ field, message }]]);
    // Digits are taken as they are, a leading zero too.
    const proof = await ledger.http().get(`/v1/ledger/proof/inclusion?leafIndex=00&treeSize=${size}`);
    expect(proof.status).toBe(200);
    expect((await ledger.http().get('/v1/filings?limit=100').set(creator())).status).toBe(200);
  });

  it('an instant whose + a query string read as a space is told to write it %2B', async () => {
    const told = (field: string) =>
      `${field} must be an ISO-8601 instant with a time zone, in the years 0000 to 9999, e.g. 2027-01-01T00:00:00Z` +
      ' (a + in a URL query reads as a space: write it %2B)';
    expect(await fieldErrors(() => ledger.http().get('/v1/policy?at=2027-01-01T08:00:00+08:00'))).toEqual([
      { field: 'at', message: told('at') },
    ]);
    expect((await ledger.http().get('/v1/policy?at=2027-01-01T08:00:00%2B08:00')).status).toBe(200);
    // Any other malformed instant is told the form alone.
    expect(await fieldErrors(() => ledger.http().get('/v1/policy?at=2027-01-01T08:00:00 08'))).toEqual([
      { field: 'at', message: 'at must be an ISO-8601 instant with a time zone, in the years 0000 to 9999, e.g. 2027-01-01T00:00:00Z' },
    ]);
  });

  it('a member named by the empty string is told as a field without a name, in a body and in a query', async () => {
    const body = { '': 1, effectiveFrom: new Date(Date.now() + 86_400_000).toISOString(), parameters: { '': 2 } };
    expect(await fieldErrors(() => ledger.http().post('/v1/policy').set(admin()).send(body))).toEqual([
      { field: '', message: 'a field without a name is not a field of this request (unknown fields are refused)' },
      { field: 'parameters.', message: 'a field without a name in parameters is not a field of this request (unknown fields are refused)' },
    ]);
    expect(await fieldErrors(() => ledger.http().get('/v1/rights?=x').set(creator()))).toEqual([
      { field: '', message: 'a field without a name is not a field of this request (unknown fields are refused)' },
    ]);
  });

  // `limit=0` was told that it must not be less than 1, `limit=-1` that it must be a whole number from 1 to 100.
  it('a limit out of its range is refused in one wording that names the range, on every list that takes one', async () => {
    const document = (await ledger.http().get('/docs/openapi.json')).body as {
      paths: Record<
        string,
        { get?: { parameters?: Array<{ name: string; in: string; schema?: { minimum?: number; maximum?: number } }> } }
      >;
    };
    const lists = Object.entries(document.paths).flatMap(([path, item]) => {
      const limit = item.get?.parameters?.find((p) => p.in === 'query' && p.name === 'limit');
      return limit ? [{ path, min: limit.schema?.minimum, max: limit.schema?.maximum }] : [];
    });
    expect(lists.map((l) => l.path).sort()).toEqual([
      '/v1/disputes',
      '/v1/filings',
      '/v1/ledger/checkpoints',
      '/v1/principals',
      '/v1/rights',
      '/v1/settlements',
    ]);
    for (const { path, min, max } of lists) {
      expect([path, min, typeof max]).toEqual([path, 1, 'number']);
      const message = `limit must be a whole number in decimal digits, from ${min} to ${max}`;
      for (const limit of ['0', '-1', String(max! + 1), '00', '1.5', ''])
        expect([path, limit, await fieldErrors(() => ledger.http().get(`${path}?limit=${limit}`).set(admin()))]).toEqual([
          path,
          limit,
          [{ field: 'limit', message }],
        ]);
      for (const limit of [min, max])
        expect([path, limit, (await ledger.http().get(`${path}?limit=${limit}`).set(admin())).status]).toEqual([path, limit, 200]);
    }
  });

  // Ids were validated in either case but looked up as given: an uppercase id was not found, or not the caller's.
  it('an id in uppercase finds what its lowercase finds: paths, queries and bodies', async () => {
    const bob = await principal(ledger, 'Bob', ['creator']);
    const filed = await ledger.http().post('/v1/filings').set(creator()).send(filingBody());
    expect(filed.status).toBe(201);
    const id: string = filed.body.filingId;
    const upper = id.toUpperCase();
    expect(upper).not.toBe(id);
    const own = await ledger.http().get(`/v1/filings/${upper}`).set(creator());
    expect([own.status, own.body.filingId]).toEqual([200, id]);
    expect((await ledger.http().get(`/v1/public/filings/${upper}`)).body.filingId).toBe(id);
    const listed = await ledger.http().get(`/v1/filings?creator=${alice.id.toUpperCase()}`).set(creator());
    expect(listed.status).toBe(200);
    expect(listed.body.items.map((f: { filingId: string }) => f.filingId)).toContain(id);
    const complaint = await ledger
      .http()
      .post('/v1/disputes')
      .set('authorization', `Bearer ${bob.key}`)
      .send({ type: 'infringement', filingId: upper, claim: 'Copied.', evidence: [] });
    expect([complaint.status, complaint.body.filingId]).toEqual([201, id]);
    const against = await ledger.http().get(`/v1/disputes?respondent=${alice.id.toUpperCase()}`).set(creator());
    expect([against.status, against.body.items.map((d: { disputeId: string }) => d.disputeId)]).toEqual([200, [complaint.body.disputeId]]);
    const dispute = await ledger
      .http()
      .get(`/v1/disputes/${String(complaint.body.disputeId).toUpperCase()}`)
      .set(creator());
    expect([dispute.status, dispute.body.disputeId]).toEqual([200, complaint.body.disputeId]);
  });

  it('an id in the path that is not a UUID is named, with the form it must have', async () => {
    for (const [path, name] of [
      ['/v1/public/filings/not-a-uuid', 'id'],
      ['/v1/rights/12345', 'filingId'],
    ]) {
      const res = await ledger.http().get(path).set(creator());
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({
        type: 'urn:sandbox-ledger:problem:bad-request',
        detail: `${name} in the path must be a UUID (8-4-4-4-12 hexadecimal digits)`,
        pathParameter: name,
      });
    }
  });

  it('a body of a type the route does not take is told what the route accepts', async () => {
    const refused = async (path: string, headers: Record<string, string>, body: string | Buffer) => {
      const before = await ledger.store.count();
      const res = await ledger.http().post(path).set(headers).send(body);
      expect({ status: res.status, type: res.body.type }).toEqual({
        status: 415,
        type: 'urn:sandbox-ledger:problem:unsupported-media-type',
      });
      expect(await ledger.store.count()).toBe(before);
      return res.body.detail as string;
    };
    const png = Buffer.from('89504e470d0a1a0a', 'hex');
    expect(await refused('/v1/filings', { ...creator(), 'content-type': 'application/octet-stream' }, png)).toBe(
      'content type application/octet-stream is not accepted here; send application/json (the filing) or multipart/form-data ' +
        '(a field `metadata` with the filing as JSON (contentHash may be left out), then a part `file` with the work)',
    );
    expect(await refused('/v1/inspect', { ...creator(), 'content-type': 'image/png' }, png)).toBe(
      'content type image/png is not accepted here; send multipart/form-data (one part `file` with the file)',
    );
    expect(await refused('/v1/inspect', { ...creator(), 'content-type': 'application/json' }, '{}')).toBe(
      'content type application/json is not accepted here; send multipart/form-data (one part `file` with the file)',
    );
    expect(await refused('/v1/principals', { ...admin(), 'content-type': 'text/plain' }, 'hello')).toBe(
      'content type text/plain is not accepted here; send application/json (a JSON object)',
    );
    const form = '--x\r\ncontent-disposition: form-data; name="name"\r\n\r\nBob\r\n--x--\r\n';
    expect(await refused('/v1/principals', { ...admin(), 'content-type': 'multipart/form-data; boundary=x' }, form)).toBe(
      'content type multipart/form-data is not accepted here; send application/json (a JSON object)',
    );
  });

  it('hex in either case is accepted and kept lowercase: bodies, path parameters, query strings', async () => {
    const content = sha256(`uppercase ${Date.now()}`);
    const prompt = sha256('a harbour at dusk');
    const body = filingBody({ contentHash: content.toUpperCase() });
    const generation = { ...(body.generation as Record<string, unknown>), promptHash: prompt.toUpperCase() };
    const perceptualHash = { scheme: 'phash64', value: 'ABCDEF0123456789' };
    const filed = await ledger
      .http()
      .post('/v1/filings')
      .set(creator())
      .send({ ...body, generation, perceptualHash });
    expect(filed.status).toBe(201);
    const view = await ledger.http().get(`/v1/filings/${filed.body.filingId}`).set(creator());
    expect(view.body).toMatchObject({
      contentHash: content,
      generation: { promptHash: prompt },
      perceptualHash: { scheme: 'phash64', value: 'abcdef0123456789' },
    });
    const [event] = (await ledger.http().get(`/v1/filings/${filed.body.filingId}/history`).set(creator())).body.events;
    expect(event.data).toMatchObject({ contentHash: content, generation: { promptHash: prompt } });

    const lookup = await ledger.http().get(`/v1/public/content/${content.toUpperCase()}`);
    expect(lookup.status).toBe(200);
    expect(lookup.body).toMatchObject({ filingId: filed.body.filingId, contentHash: content });

    const again = await ledger
      .http()
      .post('/v1/filings')
      .set(creator())
      .send(filingBody({ contentHash: content }));
    expect({ status: again.status, type: again.body.type }).toEqual({ status: 409, type: 'urn:sandbox-ledger:problem:duplicate-content' });

    const bad = await ledger.http().get(`/v1/public/content/${'G'.repeat(64)}`);
    expect({ status: bad.status, detail: bad.body.detail }).toEqual({
      status: 400,
      detail: 'sha256 must be a SHA-256: 64 hex characters (either case)',
    });
  });

  it('the filings list filters by content hash, in either case', async () => {
    const wanted = filingBody();
    const filed = await ledger.http().post('/v1/filings').set(creator()).send(wanted);
    await ledger.http().post('/v1/filings').set(creator()).send(filingBody());
    for (const hash of [wanted.contentHash as string, (wanted.contentHash as string).toUpperCase()]) {
      const res = await ledger.http().get(`/v1/filings?contentHash=${hash}`).set(creator());
      expect(res.status).toBe(200);
      expect(res.body.items.map((f: { filingId: string }) => f.filingId)).toEqual([filed.body.filingId]);
    }
    const none = await ledger
      .http()
      .get(`/v1/filings?contentHash=${sha256('never filed')}`)
      .set(creator());
    expect(none.body).toEqual({ items: [], nextCursor: null });
    expect(await fieldErrors(() => ledger.http().get('/v1/filings?contentHash=abc').set(creator()))).toEqual([
      { field: 'contentHash', message: 'contentHash must be a SHA-256: 64 hex characters' },
    ]);
  });
});
