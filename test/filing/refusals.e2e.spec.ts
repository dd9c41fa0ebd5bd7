// Every refused request answers problem+json and leaves the store unchanged.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { MERKLE_TREE_STORE, type MerkleTreeStore } from '../../src/ledger/log/merkle-tree.store.js';
import { expectRefused, filingBody, principal, startLedger, type LedgerApp } from '../support/ledger-app.js';

describe('refused requests change nothing', () => {
  let ledger: LedgerApp;
  let alice: { id: string; key: string };
  let bob: { id: string; key: string };
  let reviewer: { id: string; key: string };
  let aliceFiling: string;

  beforeAll(async () => {
    ledger = await startLedger({ bodyLimit: 16 * 1024 });
    alice = await principal(ledger, 'Alice', ['creator']);
    bob = await principal(ledger, 'Bob', ['creator']);
    reviewer = await principal(ledger, 'Rita', ['reviewer']);
    aliceFiling = (await ledger.http().post('/v1/filings').set('authorization', `Bearer ${alice.key}`).send(filingBody())).body.filingId;
  });
  afterAll(() => ledger.close());

  const base = filingBody();
  /** Sent with a query parameter (refused), then without one (filed). */
  const unfiled = filingBody();
  const gen = base.generation as Record<string, unknown>;
  const cases: Array<
    [string, () => { key?: () => string; body?: unknown; raw?: string; type?: string; path?: () => string }, number, string?]
  > = [
    ['an unknown top-level field', () => ({ body: { ...filingBody(), owner: 'me' } }), 400, 'owner'],
    [
      'an unknown nested field',
      () => ({ body: { ...filingBody(), generation: { ...gen, temperature: 1 } } }),
      400,
      'generation.temperature',
    ],
    ['a contentHash of the wrong length', () => ({ body: { ...filingBody(), contentHash: 'ab'.repeat(31) } }), 400, 'contentHash'],
    ['a contentHash that is not hex', () => ({ body: { ...filingBody(), contentHash: 'gh'.repeat(32) } }), 400, 'contentHash'],
    ['a number where a string belongs', () => ({ body: { ...filingBody(), title: 42 } }), 400, 'title'],
    ['a string where an object belongs', () => ({ body: { ...filingBody(), generation: 'sd' } }), 400, 'generation'],
    [
      'a missing required field',
      () => {
        const b = filingBody();
        delete b.contentType;
        return { body: b };
      },
      400,
      'contentType',
    ],
    [
      'a digital source type that is not an IPTC URI',
      () => ({ body: { ...filingBody(), generation: { ...gen, digitalSourceType: 'ai' } } }),
      400,
      'generation.digitalSourceType',
    ],
    [
      'a perceptual hash of the wrong length for its scheme',
      () => ({ body: { ...filingBody(), perceptualHash: { scheme: 'pdq256', value: 'ab'.repeat(8) } } }),
      400,
      'perceptualHash.value',
    ],
    ['a negative seed', () => ({ body: { ...filingBody(), generation: { ...gen, seed: -1 } } }), 400, 'generation.seed'],
    ['a control character in the title', () => ({ body: { ...filingBody(), title: 'a\u0000b' } }), 400, 'title'],
    ['a blank title', () => ({ body: { ...filingBody(), title: ' \t ' } }), 400, 'title'],
    ['a title over two lines', () => ({ body: { ...filingBody(), title: 'Sunrise\nStatus: verified' } }), 400, 'title'],
    ['a title with a tab', () => ({ body: { ...filingBody(), title: 'Sunrise\tover the bay' } }), 400, 'title'],
    ['a title with a line separator', () => ({ body: { ...filingBody(), title: 'Sunrise\u2028Status: verified' } }), 400, 'title'],
    [
      'an amended title over two lines',
      () => ({ body: { title: 'a\r\nb' }, path: () => `/v1/filings/${aliceFiling}/amend` }),
      400,
      'title',
    ],
    ['a title with a right-to-left override', () => ({ body: { ...filingBody(), title: 'Alice\u202e gpj.exe' } }), 400, 'title'],
    ['an amended title that is blank', () => ({ body: { title: '\u3000' }, path: () => `/v1/filings/${aliceFiling}/amend` }), 400, 'title'],
    [
      'a blank human contribution',
      () => ({ body: { ...filingBody(), generation: { ...gen, humanContribution: ' \n\u200b ' } } }),
      400,
      'generation.humanContribution',
    ],
    ['a blank tool name', () => ({ body: { ...filingBody(), generation: { ...gen, tool: { name: '  ' } } } }), 400, 'generation.tool.name'],
    [
      'a tool name over two lines',
      () => ({ body: { ...filingBody(), generation: { ...gen, tool: { name: 'SD\nverified: yes' } } } }),
      400,
      'generation.tool.name',
    ],
    [
      'a tool provider with a right-to-left override',
      () => ({ body: { ...filingBody(), generation: { ...gen, tool: { name: 'SD', provider: 'a\u202eb' } } } }),
      400,
      'generation.tool.provider',
    ],
    [
      'an evidence item whose description is blank',
      () => ({ body: { ...filingBody(), processEvidence: [{ sha256: 'a'.repeat(64), kind: 'draft', description: ' \t' }] } }),
      400,
      'processEvidence.0.description',
    ],
    [
      'a withdrawal whose reason is blank',
      () => ({ body: { reason: '   ' }, path: () => `/v1/filings/${aliceFiling}/withdraw` }),
      400,
      'reason',
    ],
    [
      'an amended contribution note that is blank',
      () => ({ body: { humanContributionNote: '   ' }, path: () => `/v1/filings/${aliceFiling}/amend` }),
      400,
      'humanContributionNote',
    ],
    ...['2026-01-01T10:00:00', '2026-W01-1', '20260101T000000Z', '2026-01-01T24:00Z'].map((createdAt): (typeof cases)[number] => [
      `an evidence item made at ${createdAt}, no instant with a time zone`,
      () => ({ body: { ...filingBody(), processEvidence: [{ sha256: 'a'.repeat(64), kind: 'draft', createdAt }] } }),
      400,
      'processEvidence.0.createdAt',
    ]),
    [
      'an evidence item with an unknown kind',
      () => ({ body: { ...filingBody(), processEvidence: [{ sha256: 'a'.repeat(64), kind: 'magic' }] } }),
      400,
      'processEvidence.0.kind',
    ],
    ['a JSON array body', () => ({ raw: '[1,2]' }), 400, 'body'],
    ['a JSON null body', () => ({ raw: 'null' }), 400, 'body'],
    ['a JSON string body', () => ({ raw: '"x"' }), 400, 'body'],
    ['a null body where every field is optional', () => ({ raw: 'null', path: () => '/v1/me/keys' }), 400, 'body'],
    ['malformed JSON', () => ({ raw: '{"contentHash":' }), 400],
    ['an oversized body', () => ({ body: { ...filingBody(), title: 'x'.repeat(20_000) } }), 413],
    ['a non-JSON content type', () => ({ raw: 'contentHash=aa', type: 'application/x-www-form-urlencoded' }), 415],
    ['a JSON body declared in UTF-16', () => ({ raw: JSON.stringify(filingBody()), type: 'application/json; charset=utf-16' }), 415],
    ['no key', () => ({ key: () => '', body: filingBody() }), 401],
    ['an unknown key', () => ({ key: () => 'slk_' + 'x'.repeat(43), body: filingBody() }), 401],
    ['a malformed authorization header', () => ({ key: () => 'Basic abc', body: filingBody() }), 401],
    ['a reviewer filing a work', () => ({ key: () => reviewer.key, body: filingBody() }), 403],
    [
      "a creator withdrawing another creator's filing",
      () => ({ key: () => bob.key, body: {}, path: () => `/v1/filings/${aliceFiling}/withdraw` }),
      403,
    ],
    [
      'withdrawing a filing that does not exist',
      () => ({ body: {}, path: () => '/v1/filings/01a2253d-e865-744d-bc21-9aa3dae3b8f5/withdraw' }),
      404,
    ],
    [
      'withdrawing with an unknown field',
      () => ({ body: { reason: 'x', force: true }, path: () => `/v1/filings/${aliceFiling}/withdraw` }),
      400,
      'force',
    ],
    ['a malformed filing id', () => ({ body: {}, path: () => '/v1/filings/not-a-uuid/withdraw' }), 400],
    [
      'a creator registering principals',
      () => ({ key: () => alice.key, body: { name: 'Eve', roles: ['admin'] }, path: () => '/v1/principals' }),
      403,
    ],
  ];

  it('refuses a body over the limit with 413 body-too-large naming the limit', async () => {
    const big = { ...filingBody(), title: 'x'.repeat(20_000) };
    const post = () => ledger.http().post('/v1/filings').set('authorization', `Bearer ${alice.key}`).send(big);
    const body = await expectRefused(ledger, post, 413, 'body-too-large');
    expect(body.detail).toBe('the request body is larger than the 16384 bytes this route takes');
  });

  it('refuses a compressed body with 415 naming its coding, and says it takes identity; an identity coding is read', async () => {
    const gzipped = gzipSync(JSON.stringify(filingBody()));
    for (const encoding of ['gzip', 'GZIP', 'identity, gzip']) {
      const post = () =>
        ledger
          .http()
          .post('/v1/filings')
          .set('authorization', `Bearer ${alice.key}`)
          .set('content-type', 'application/json')
          .set('content-encoding', encoding)
          .send(gzipped);
      const body = await expectRefused(ledger, post, 415, 'unsupported-media-type');
      expect(body.detail).toBe(
        `content encoding ${encoding} is not accepted: send the body uncompressed (no Content-Encoding, or identity)`,
      );
      expect((await post()).headers['accept-encoding']).toBe('identity');
    }
    // An empty list, or one with empty elements beside identity, names no coding (RFC 9110 §5.6.1).
    for (const encoding of ['identity', '', 'identity,', ', identity', 'Identity']) {
      const plain = await ledger
        .http()
        .post('/v1/filings')
        .set('authorization', `Bearer ${alice.key}`)
        .set('content-encoding', encoding)
        .send(filingBody());
      expect({ encoding, status: plain.status }).toEqual({ encoding, status: 201 });
    }
  });

  it("refuses a JSON body, or an upload's metadata, holding a member twice in one object (400, naming it), spelled alike or not", async () => {
    const body = JSON.stringify(filingBody());
    const texts: Array<[string, string]> = [
      [body.replace('{', '{"title":"first",'), 'title'],
      [body.replace('"title":', '"t\\u0069tle":"first","title":'), 'title'],
      [body.replace('"name":', '"name":"first","name":'), 'name'],
    ];
    for (const [text, field] of texts) {
      expect(() => JSON.parse(text) as unknown).not.toThrow();
      const raw = () => ledger.http().post('/v1/filings').set('authorization', `Bearer ${alice.key}`).type('application/json').send(text);
      const refused = await expectRefused(ledger, raw, 400, 'validation-failed');
      expect(refused.errors).toEqual([{ field, message: `${field} is given more than once in one object of the JSON; give it once` }]);
      const { contentHash: _c, ...meta } = JSON.parse(text) as Record<string, unknown>;
      const upload = () =>
        ledger
          .http()
          .post('/v1/filings')
          .set('authorization', `Bearer ${alice.key}`)
          .field('metadata', text.replace(`"contentHash":"${String(_c)}",`, ''))
          .attach('file', Buffer.from('some words'), 'notes.txt');
      expect(Object.keys(meta)).not.toContain('contentHash');
      const fromUpload = await expectRefused(ledger, upload, 400, 'validation-failed');
      expect(fromUpload.errors).toEqual([{ field, message: expect.stringContaining('more than once') }]);
    }
    // The same member in two objects is no repeat.
    const twoObjects = {
      ...filingBody(),
      processEvidence: [
        { sha256: 'a'.repeat(64), kind: 'draft' },
        { sha256: 'b'.repeat(64), kind: 'draft' },
      ],
    };
    expect((await ledger.http().post('/v1/filings').set('authorization', `Bearer ${alice.key}`).send(twoObjects)).status).toBe(201);
  });

  it('refuses empty content, by its hash or as an uploaded file of no bytes (422 empty-content), and appends nothing', async () => {
    const empty = createHash('sha256').update('').digest('hex');
    const post = () => ledger.http().post('/v1/filings').set('authorization', `Bearer ${alice.key}`);
    const byHash = await expectRefused(
      ledger,
      () => post().send({ ...filingBody(), contentHash: empty, contentType: 'text/plain' }),
      422,
      'empty-content',
    );
    expect(byHash.errors).toEqual([{ field: 'contentHash', message: expect.stringContaining('the content is empty') }]);
    // Uploaded, whatever type it is declared as, and whatever hash: empty first, not a mismatch with what was declared.
    for (const declared of [
      { contentType: 'text/plain' },
      { contentType: 'image/jpeg' },
      { contentType: 'image/png', contentHash: 'a'.repeat(64) },
    ]) {
      const { contentHash: _c, perceptualHash: _p, ...meta } = filingBody({ contentType: declared.contentType });
      const uploaded = await expectRefused(
        ledger,
        () =>
          post()
            .field('metadata', JSON.stringify({ ...meta, ...declared }))
            .attach('file', Buffer.alloc(0), 'empty.bin'),
        422,
        'empty-content',
      );
      expect(uploaded.errors).toEqual([{ field: 'file', message: expect.stringContaining('the content is empty') }]);
    }
  });

  it('refuses process evidence listing a file twice, or made after it is recorded, naming the item, and appends nothing', async () => {
    const post = (path: string, body: object) => () => ledger.http().post(path).set('authorization', `Bearer ${alice.key}`).send(body);
    const draft = (sha: string, createdAt?: string) => ({ sha256: sha.repeat(64), kind: 'draft', ...(createdAt ? { createdAt } : {}) });
    const twice = await expectRefused(
      ledger,
      post('/v1/filings', { ...filingBody(), processEvidence: [draft('1'), draft('2'), draft('1')] }),
      400,
      'duplicate-evidence',
    );
    expect(twice.errors).toEqual([{ field: 'processEvidence.2.sha256', message: expect.stringContaining('listed twice') }]);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
    const later = await expectRefused(
      ledger,
      post('/v1/filings', { ...filingBody(), processEvidence: [draft('1', tomorrow)] }),
      422,
      'evidence-made-later',
    );
    expect(later.errors).toEqual([
      { field: 'processEvidence.0.createdAt', message: expect.stringContaining(`createdAt ${tomorrow} is more than 5 minutes after`) },
    ]);

    // An amendment adds files the filing does not hold yet, made before the amendment.
    const filed = await post('/v1/filings', { ...filingBody(), processEvidence: [draft('3', '2026-01-01T00:00:00Z')] })();
    expect(filed.status).toBe(201);
    const amend = `/v1/filings/${filed.body.filingId as string}/amend`;
    const held = await expectRefused(ledger, post(amend, { processEvidence: [draft('4'), draft('3')] }), 400, 'duplicate-evidence');
    expect(held.errors).toEqual([{ field: 'processEvidence.1.sha256', message: expect.stringContaining('in the filing already') }]);
    await expectRefused(ledger, post(amend, { processEvidence: [draft('4', tomorrow)] }), 422, 'evidence-made-later');
    expect((await post(amend, { processEvidence: [draft('4', new Date().toISOString())] })()).status).toBe(200);
    // A draft stamped by a client whose clock runs a minute ahead of the ledger's is taken: within the 5 minutes allowed.
    const ahead = new Date(Date.now() + 60_000).toISOString();
    expect((await post('/v1/filings', { ...filingBody(), processEvidence: [draft('5', ahead)] })()).status).toBe(201);
    expect((await post(amend, { processEvidence: [draft('6', ahead)] })()).status).toBe(200);
  });

  it('answers a JSON body that does not parse, or is empty, as malformed-json (the type the API documents), on any route', async () => {
    const bodies = ['{"contentHash":', '{"title":"t",}', 'x', '{}x', ''];
    for (const path of ['/v1/filings', '/v1/me/keys']) {
      for (const raw of bodies) {
        const post = () =>
          ledger.http().post(path).set('authorization', `Bearer ${alice.key}`).set('content-type', 'application/json').send(raw);
        const refused = await expectRefused(ledger, post, 400, 'malformed-json');
        expect(refused.detail).toBe(
          raw === '' ? 'the request body is empty: a JSON body was declared (Content-Type)' : 'the request body is not valid JSON',
        );
      }
    }
  });

  // Objects, not argument lists: a short row would make jest pass `done` as the last argument.
  it.each(cases.map(([name, make, status, field]) => ({ name, make, status, field: field ?? null })))(
    'refuses $name',
    async ({ make, status, field }) => {
      const c = make();
      const before = await ledger.store.count();
      let req = ledger.http().post(c.path?.() ?? '/v1/filings');
      const key = c.key ? c.key() : alice.key;
      if (key) req = req.set('authorization', key.startsWith('Basic') ? key : `Bearer ${key}`);
      const res =
        c.raw !== undefined ? await req.set('content-type', c.type ?? 'application/json').send(c.raw) : await req.send(c.body as object);
      expect(res.status).toBe(status);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({
        type: expect.stringMatching(/^urn:sandbox-ledger:problem:/),
        title: expect.any(String),
        status,
        detail: expect.any(String),
      });
      if (field) expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      if (status === 401) expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(await ledger.store.count()).toBe(before);
    },
  );

  // The validation libraries drop such keys without a word: a DTO's toString or constructor passed as if unsent, and a
  // free-form map (the generation's parameters) lost its member, so the filed data differed from the body.
  it.each([
    { name: 'toString as a field', path: '/v1/filings', raw: JSON.stringify({ ...filingBody(), toString: 1 }), member: 'toString' },
    {
      name: 'constructor in the generation parameters',
      path: '/v1/filings',
      raw: JSON.stringify({ ...filingBody(), generation: { ...gen, parameters: { steps: 30, constructor: 'x' } } }),
      member: 'constructor',
    },
    {
      name: '__proto__ as a field',
      path: '/v1/filings',
      raw: JSON.stringify(filingBody()).replace('{', '{"__proto__":{"admin":true},'),
      member: '__proto__',
    },
    { name: 'valueOf beside a key label', path: '/v1/me/keys', raw: '{"label":"ci","valueOf":2}', member: 'valueOf' },
    { name: 'hasOwnProperty in a query string', path: '/v1/filings?hasOwnProperty=1', raw: undefined, member: 'hasOwnProperty' },
  ])('refuses a member named as JavaScript objects name theirs: $name', async ({ path, raw, member }) => {
    const before = await ledger.store.count();
    const res =
      raw === undefined
        ? await ledger.http().get(path).set('authorization', `Bearer ${alice.key}`)
        : await ledger.http().post(path).set('authorization', `Bearer ${alice.key}`).set('content-type', 'application/json').send(raw);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.type).toBe('urn:sandbox-ledger:problem:reserved-name');
    expect(res.body.detail).toContain(`named "${member}"`);
    expect(await ledger.store.count()).toBe(before);
  });

  // Decoded laxly, each byte that is not UTF-8 became U+FFFD, and the name or title was written so.
  it('refuses a JSON body that is not valid UTF-8 (400 invalid-unicode), appending nothing', async () => {
    const withBytes = (json: string, bytes: number[]) => {
      const [before, after] = json.split('@');
      return Buffer.concat([Buffer.from(before), Buffer.from(bytes), Buffer.from(after)]);
    };
    // The bytes as they are: supertest would send a Buffer given with a JSON type as its JSON form.
    const send = (path: string, key: string, body: Buffer) => async () => {
      const res = await fetch(ledger.url + path, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: new Uint8Array(body),
      });
      return { status: res.status, headers: Object.fromEntries(res.headers), body: await res.json() };
    };
    for (const [path, key, body] of [
      ['/v1/principals', ledger.adminKey, withBytes('{"name":"Ev@e","roles":["creator"]}', [0xff])],
      ['/v1/filings', alice.key, withBytes(JSON.stringify(filingBody({ title: '@' })), [0xff, 0xfe])],
      // An overlong encoding of "/" and an encoded surrogate are not UTF-8 either.
      ['/v1/filings', alice.key, withBytes(JSON.stringify(filingBody({ title: 'a@b' })), [0xc0, 0xaf])],
      ['/v1/filings', alice.key, withBytes(JSON.stringify(filingBody({ title: 'a@b' })), [0xed, 0xa0, 0x80])],
    ] as const) {
      const problem = await expectRefused(ledger, send(path, key, body), 400, 'invalid-unicode');
      expect(problem.detail).toBe('the JSON body is not valid UTF-8: send its text encoded in UTF-8');
    }
    const filed = await send('/v1/filings', alice.key, Buffer.from(JSON.stringify(filingBody({ title: '山水 Évora' }))))();
    expect(filed.status).toBe(201);
    const view = await ledger.http().get(`/v1/filings/${filed.body.filingId}`).set('authorization', `Bearer ${alice.key}`);
    expect(view.body.title).toBe('山水 Évora');
  });

  // The scheme's value length was looked up on a plain object: "constructor" found Object's, and the message printed it.
  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])(
    'refuses %s as a perceptual hash scheme, as an unknown scheme',
    async (scheme) => {
      const body = await expectRefused(
        ledger,
        () =>
          ledger
            .http()
            .post('/v1/filings')
            .set('authorization', `Bearer ${alice.key}`)
            .send(filingBody({ perceptualHash: { scheme, value: '0'.repeat(16) } })),
        400,
        'validation-failed',
      );
      expect(body.errors).toEqual([
        {
          field: 'perceptualHash.scheme',
          message: 'perceptualHash.scheme must be one of the following values: phash64, pdq256, simhash64',
        },
      ]);
    },
  );

  it('takes a JSON body declared as UTF-8, in any spelling', async () => {
    for (const type of ['application/json; charset=utf-8', 'application/json;charset="UTF-8"', 'application/json; charset=utf8']) {
      const res = await ledger
        .http()
        .post('/v1/filings')
        .set('authorization', `Bearer ${alice.key}`)
        .set('content-type', type)
        .send(JSON.stringify(filingBody()));
      expect([type, res.status]).toEqual([type, 201]);
    }
  });

  it('names a query parameter given twice', async () => {
    const res = await ledger.http().get('/v1/filings?limit=10&limit=20').set('authorization', `Bearer ${alice.key}`);
    expect(res.status).toBe(400);
    expect(res.body.type).toBe('urn:sandbox-ledger:problem:validation-failed');
    expect(res.body.errors).toEqual([{ field: 'limit', message: 'limit is given more than once; give it once' }]);
  });

  // A route that takes no query parameters answered as if none had been sent; those that take some refuse the others.
  it.each([
    { route: 'GET /v1/me', send: () => ledger.http().get('/v1/me?foo=1').set('authorization', `Bearer ${alice.key}`), names: ['foo'] },
    {
      route: 'POST /v1/filings',
      send: () => ledger.http().post('/v1/filings?x=1&y=2').set('authorization', `Bearer ${alice.key}`).send(unfiled),
      names: ['x', 'y'],
    },
    { route: 'GET /v1/ledger/key (public)', send: () => ledger.http().get('/v1/ledger/key?format=json'), names: ['format'] },
    {
      route: 'GET /v1/filings/:id (given twice)',
      send: () => ledger.http().get(`/v1/filings/${aliceFiling}?full=1&full=2`).set('authorization', `Bearer ${alice.key}`),
      names: ['full'],
    },
  ])('refuses a query parameter on a route that takes none: $route', async ({ send, names }) => {
    const before = await ledger.store.count();
    const res = await send();
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.type).toBe('urn:sandbox-ledger:problem:validation-failed');
    expect(res.body.errors).toEqual(
      names.map((field) => ({ field, message: `${field} is not a query parameter of this route, which takes none` })),
    );
    expect(await ledger.store.count()).toBe(before);
  });

  it('files the body refused for its query parameter once it comes without one; minPosition is taken on every route', async () => {
    const filed = await ledger.http().post('/v1/filings').set('authorization', `Bearer ${alice.key}`).send(unfiled);
    expect(filed.status).toBe(201);
    const me = await ledger
      .http()
      .get(`/v1/me?minPosition=${filed.body.leafIndex + 1}`)
      .set('authorization', `Bearer ${alice.key}`);
    expect([me.status, me.body.principalId]).toEqual([200, alice.id]);
    const unknown = await ledger.http().get('/v1/filings?foo=1').set('authorization', `Bearer ${alice.key}`);
    expect([unknown.status, unknown.body.type, unknown.body.errors.map((e: { field: string }) => e.field)]).toEqual([
      400,
      'urn:sandbox-ledger:problem:validation-failed',
      ['foo'],
    ]);
  });

  it('refuses a revoked key at once, and never lets an auditor write', async () => {
    const dave = await principal(ledger, 'Dave', ['creator']);
    const revoke = await ledger
      .http()
      .delete(`/v1/keys/${(dave as { keyId: string }).keyId}`)
      .set('authorization', `Bearer ${ledger.adminKey}`);
    expect(revoke.status).toBe(200);
    const before = await ledger.store.count();
    const res = await ledger.http().post('/v1/filings').set('authorization', `Bearer ${dave.key}`).send(filingBody());
    expect(res.status).toBe(401);
    const auditor = await principal(ledger, 'Audrey', ['auditor']);
    const after = await ledger.store.count();
    const write = await ledger.http().post('/v1/filings').set('authorization', `Bearer ${auditor.key}`).send(filingBody());
    expect(write.status).toBe(403);
    expect(await ledger.store.count()).toBe(after);
    expect(after).toBe(before + 2); // only the auditor's registration (principal and key events)
  });

  it('lets only the owner, reviewers, auditors and admins read a filing', async () => {
    const path = `/v1/filings/${aliceFiling}`;
    expect((await ledger.http().get(path).set('authorization', `Bearer ${alice.key}`)).status).toBe(200);
    expect((await ledger.http().get(path).set('authorization', `Bearer ${reviewer.key}`)).status).toBe(200);
    expect((await ledger.http().get(path).set('authorization', `Bearer ${ledger.adminKey}`)).status).toBe(200);
    const other = await ledger.http().get(path).set('authorization', `Bearer ${bob.key}`);
    expect(other.status).toBe(403);
    expect((await ledger.http().get(`${path}/history`).set('authorization', `Bearer ${bob.key}`)).status).toBe(403);
    expect((await ledger.http().get(path)).status).toBe(401);
  });

  it("refuses a filing's receipt and evidence bundle to another creator and to reviewers, saying who may fetch each", async () => {
    for (const [route, what] of [
      ['receipt', 'receipt'],
      ['evidence', 'evidence bundle'],
    ]) {
      const path = `/v1/filings/${aliceFiling}/${route}`;
      const other = await expectRefused(ledger, () => ledger.http().get(path).set('authorization', `Bearer ${bob.key}`), 403, 'not-owner');
      expect(other.detail).toBe(`only the filing's creator or holder, auditors and admins may fetch its ${what}`);
      const rita = await expectRefused(
        ledger,
        () => ledger.http().get(path).set('authorization', `Bearer ${reviewer.key}`),
        403,
        'role-required',
      );
      expect(rita.detail).toBe('this action needs the role creator or auditor or admin');
      expect((await ledger.http().get(path).set('authorization', `Bearer ${alice.key}`)).status).toBe(200);
    }
  });

  it('serves the OpenAPI document, health and metrics', async () => {
    const doc = await ledger.http().get('/docs/openapi.json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/v1/filings', '/v1/filings/{id}/history', '/v1/principals']));
    const health = await ledger.http().get('/health');
    expect(health.body).toMatchObject({ status: 'ok', store: 'up', logSize: await ledger.store.count(), sequencer: true });
    // No witness and no TSA configured: nothing said of them.
    expect(Object.keys(health.body).sort()).toEqual(['checkpoint', 'logSize', 'projectedTo', 'sequencer', 'status', 'store']);
    const metrics = await ledger.http().get('/metrics');
    expect(metrics.text).toMatch(/ledger_events_appended_total\{type="WorkFiled"\} [1-9]\d*$/m); // this suite has filed
  });
});

describe('/health when the Merkle tree cannot be read', () => {
  it("is 503 naming the tree's store, not the event store", async () => {
    const ledger = await startLedger();
    try {
      expect((await ledger.http().get('/health')).status).toBe(200);
      await ledger.app.get<MerkleTreeStore>(MERKLE_TREE_STORE).close();
      const res = await ledger.http().get('/health');
      expect([res.status, res.body.detail]).toEqual([503, "the Merkle tree's store does not answer"]);
    } finally {
      await ledger.close().catch(() => undefined);
    }
  });
});

describe('public rate limit', () => {
  it('answers 429 problem+json with Retry-After past the limit', async () => {
    const ledger = await startLedger({ publicRateLimit: 2 });
    try {
      const path = `/v1/public/content/${'a'.repeat(64)}`;
      expect((await ledger.http().get(path)).status).toBe(404);
      expect((await ledger.http().get(path)).status).toBe(404);
      const limited = await ledger.http().get(path);
      expect(limited.status).toBe(429);
      expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      expect(limited.body).toMatchObject({ status: 429, type: 'urn:sandbox-ledger:problem:rate-limited' });
      // Authenticated endpoints are not limited by the public budget.
      expect((await ledger.http().get('/v1/filings').set('authorization', `Bearer ${ledger.adminKey}`)).status).toBe(200);
    } finally {
      await ledger.close();
    }
  });
});
