// Size limits (413), the public rate limit (429 with Retry-After, whatever the spelling of the path) and helmet's headers
// on every kind of response.
import { filingBody, startLedger, type LedgerApp } from '../support/ledger-app.js';
import { assembleCast, Fixtures, isWrite, openApiRoutes, routeName, type Cast } from '../support/cast.js';
import { connect } from 'node:net';
import { call, isProblem, multipart, send, type Reply } from '../support/http-client.js';

const BODY_LIMIT = 4 * 1024;
const UPLOAD_LIMIT = 8 * 1024;

describe('body size limits', () => {
  let ledger: LedgerApp;
  let cast: Cast;
  let f: Fixtures;

  beforeAll(async () => {
    ledger = await startLedger({ bodyLimit: BODY_LIMIT, uploadLimit: UPLOAD_LIMIT, publicRateLimit: 100_000 });
    cast = await assembleCast(ledger.url, ledger.adminKey);
    f = new Fixtures(ledger.url, cast);
  });
  afterAll(() => ledger.close());

  it('refuses a JSON body over the limit on every write endpoint with 413, by Content-Length and chunked, and appends nothing', async () => {
    const writes = (await openApiRoutes(ledger.url)).filter(isWrite);
    expect(writes.length).toBeGreaterThanOrEqual(14);
    const { filingId } = await f.filing();
    const seen: string[] = [];
    for (const route of writes) {
      const path = route.path.replace(/\{[^}]+\}/g, filingId);
      for (const chunked of [false, true]) {
        const before = await ledger.store.count();
        const body = JSON.stringify({ ...filingBody(), title: 'x'.repeat(BODY_LIMIT) });
        const res = await send(ledger.url, {
          method: route.method,
          path,
          headers: { authorization: `Bearer ${ledger.adminKey}`, 'content-type': 'application/json' },
          body,
          chunked,
        });
        seen.push(`${routeName(route)}${chunked ? ' chunked' : ''}: ${res.status}`);
        // An upload-only route refuses a JSON body for its type before reading it (its uploads' limit is tested below).
        expect({ route: routeName(route), chunked, status: res.status, problem: isProblem(res) }).toEqual({
          route: routeName(route),
          chunked,
          status: route.consumes.length === 0 || route.consumes.includes('application/json') ? 413 : 415,
          problem: true,
        });
        expect(await ledger.store.count()).toBe(before);
      }
    }
    expect(seen).toHaveLength(writes.length * 2);
  });

  it('accepts a body just under the limit', async () => {
    const body = filingBody();
    const room = BODY_LIMIT - Buffer.byteLength(JSON.stringify(body)) - 64;
    const res = await call(ledger.url, 'POST', '/v1/filings', cast.creator.key, {
      ...body,
      generation: { ...(body.generation as object), humanContribution: 'y'.repeat(room) },
    });
    expect(res.status).toBe(201);
  });

  it('refuses an upload over the upload limit with 413, appends nothing, and closes the connection; one at the limit is read', async () => {
    const { filingId, bytes } = await f.filing();
    for (const chunked of [false, true]) {
      const before = await ledger.store.count();
      const form = multipart([{ name: 'file', filename: 'big.bin', data: Buffer.alloc(UPLOAD_LIMIT * 4, 1) }]);
      const res = await send(ledger.url, {
        method: 'POST',
        path: `/v1/filings/${filingId}/labels/verify`,
        headers: { authorization: `Bearer ${cast.creator.key}`, 'content-type': form.type },
        body: form.body,
        chunked,
      });
      expect([res.status, isProblem(res), res.headers.connection]).toEqual([413, true, 'close']);
      expect(await ledger.store.count()).toBe(before);
    }
    const exact = multipart([{ name: 'file', filename: 'work.bin', data: bytes }]);
    const res = await send(ledger.url, {
      method: 'POST',
      path: `/v1/filings/${filingId}/labels/verify`,
      headers: { authorization: `Bearer ${cast.creator.key}`, 'content-type': exact.type },
      body: exact.body,
    });
    expect(res.status).toBe(200);
  });

  it("says the status on the status line as the problem's title does: RFC 9110's names for 413 and 422", async () => {
    const { filingId } = await f.filing();
    const key = { authorization: `Bearer ${ledger.adminKey}`, 'content-type': 'application/json' };
    const big = JSON.stringify({ ...filingBody(), title: 'x'.repeat(BODY_LIMIT) });
    const upload = multipart([{ name: 'file', filename: 'big.bin', data: Buffer.alloc(UPLOAD_LIMIT * 4, 1) }]);
    const answers: Array<[number, Promise<Reply>]> = [
      [413, send(ledger.url, { method: 'POST', path: '/v1/filings', headers: key, body: big })],
      [413, send(ledger.url, { method: 'POST', path: '/v1/filings', headers: key, body: big, chunked: true })],
      [
        413,
        send(ledger.url, {
          method: 'POST',
          path: `/v1/filings/${filingId}/labels/verify`,
          headers: { authorization: `Bearer ${cast.creator.key}`, 'content-type': upload.type },
          body: upload.body,
        }),
      ],
      [422, call(ledger.url, 'POST', '/v1/settlements', ledger.adminKey, { asOf: '2999-01-01T00:00:00Z' })],
      [404, send(ledger.url, { method: 'GET', path: '/v1/nothing-here' })],
      [405, send(ledger.url, { method: 'PUT', path: '/v1/filings' })],
    ];
    const lines: string[] = [];
    for (const [status, pending] of answers) {
      const res = await pending;
      expect([res.status, isProblem(res)]).toEqual([status, true]);
      lines.push(`${res.status} ${res.statusMessage} / ${res.json.title}`);
    }
    expect(lines).toEqual([
      '413 Content Too Large / Content Too Large',
      '413 Content Too Large / Content Too Large',
      '413 Content Too Large / Content Too Large',
      '422 Unprocessable Content / Unprocessable Content',
      '404 Not Found / Not Found',
      '405 Method Not Allowed / Method Not Allowed',
    ]);
  });
});

describe('public rate limit', () => {
  const LIMIT = 3;
  // Each public route, and spellings of it that the router resolves to the same handler.
  const PUBLIC: Array<[string, string[]]> = [
    [
      `/v1/public/content/${'a'.repeat(64)}`,
      [`/v1/%70ublic/content/${'a'.repeat(64)}`, `/v1/public/%63ontent/${'a'.repeat(64)}`, `/v1/public/content/${'a'.repeat(64)}?x=1`],
    ],
    ['/v1/ledger/checkpoint', ['/v1/ledger/%63heckpoint', '/v1/%6Cedger/checkpoint']],
    ['/v1/ledger/checkpoints', ['/v1/ledger/checkpoint%73']],
    ['/v1/ledger/key', ['/v1/ledger/%6bey', '/v1/ledger/ke%79?a=b']],
    ['/v1/ledger/proof/inclusion?leafIndex=0&treeSize=1', ['/v1/ledger/%70roof/inclusion?leafIndex=0&treeSize=1']],
    ['/v1/ledger/proof/consistency?from=1&to=1', ['/%761/ledger/proof/consistency?from=1&to=1']],
    ['/v1/policy', ['/v1/%70olicy', '/v1/policy?at=2030-01-01T00:00:00Z']],
    ['/v1/public/filings/00000000-0000-7000-8000-000000000000', ['/v1/public/%66ilings/00000000-0000-7000-8000-000000000000']],
    ['/metrics', ['/m%65trics']],
    ['/docs/openapi.json', ['/docs', '/%64ocs/openapi.json']],
  ];

  it.each(PUBLIC)(
    'limits %s per client, with 429 problem+json and Retry-After, under every spelling of its path',
    async (path, spellings) => {
      const ledger = await startLedger({ publicRateLimit: LIMIT });
      try {
        const replies: Reply[] = [];
        for (let i = 0; i < LIMIT; i++) replies.push(await send(ledger.url, { method: 'GET', path }));
        expect(replies.map((r) => r.status)).not.toContain(429);
        const limited = await send(ledger.url, { method: 'GET', path });
        expect([limited.status, isProblem(limited), limited.json.type]).toEqual([429, true, 'urn:sandbox-ledger:problem:rate-limited']);
        expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
        for (const spelling of spellings) {
          const res = await send(ledger.url, { method: 'GET', path: spelling });
          expect({ spelling, status: res.status }).toEqual({ spelling, status: 429 });
        }
        // An authenticated caller is accountable to a key and not held to the public budget.
        expect((await call(ledger.url, 'GET', '/v1/filings', ledger.adminKey)).status).toBe(200);
      } finally {
        await ledger.close();
      }
    },
  );
});

describe('security headers', () => {
  let ledger: LedgerApp;
  let cast: Cast;

  beforeAll(async () => {
    ledger = await startLedger({ bodyLimit: BODY_LIMIT, publicRateLimit: 2 });
    cast = await assembleCast(ledger.url, ledger.adminKey);
  });
  afterAll(() => ledger.close());

  const HELMET: Record<string, RegExp> = {
    'x-content-type-options': /^nosniff$/,
    'x-frame-options': /^SAMEORIGIN$/,
    'strict-transport-security': /^max-age=\d{7,}; includeSubDomains$/,
    'content-security-policy': /default-src 'self'.*frame-ancestors 'self'.*object-src 'none'/,
    'referrer-policy': /^no-referrer$/,
    'cross-origin-opener-policy': /^same-origin$/,
    'cross-origin-resource-policy': /^same-origin$/,
    'x-dns-prefetch-control': /^off$/,
    'x-download-options': /^noopen$/,
    'x-permitted-cross-domain-policies': /^none$/,
    'x-xss-protection': /^0$/,
    'origin-agent-cluster': /^\?1$/,
  };

  it("sends helmet's headers on every kind of response, and nothing that names the server", async () => {
    const key = { authorization: `Bearer ${cast.creator.key}` };
    const responses: Array<[string, Promise<Reply>]> = [
      ['JSON 200', send(ledger.url, { method: 'GET', path: '/v1/filings', headers: key })],
      ['JSON 201', call(ledger.url, 'POST', '/v1/filings', cast.creator.key, filingBody())],
      ['text/plain checkpoint', send(ledger.url, { method: 'GET', path: '/v1/ledger/checkpoint' })],
      [
        'NDJSON export',
        send(ledger.url, { method: 'GET', path: '/v1/ledger/export', headers: { authorization: `Bearer ${ledger.adminKey}` } }),
      ],
      ['HTML docs', send(ledger.url, { method: 'GET', path: '/docs' })],
      ['metrics', send(ledger.url, { method: 'GET', path: '/metrics' })],
      ['401', send(ledger.url, { method: 'GET', path: '/v1/filings' })],
      ['403', call(ledger.url, 'POST', '/v1/principals', cast.creator.key, { name: 'x', roles: ['admin'] })],
      ['400 validation', call(ledger.url, 'POST', '/v1/filings', cast.creator.key, { title: 1 })],
      [
        '400 malformed JSON',
        send(ledger.url, { method: 'POST', path: '/v1/filings', headers: { ...key, 'content-type': 'application/json' }, body: '{"a":' }),
      ],
      ['404 unknown route', send(ledger.url, { method: 'GET', path: '/v1/nothing-here' })],
      ['400 undecodable URL', send(ledger.url, { method: 'GET', path: '/v1/public/filings/%zz' })],
      [
        '413',
        send(ledger.url, {
          method: 'POST',
          path: '/v1/filings',
          headers: { ...key, 'content-type': 'application/json' },
          body: JSON.stringify({ t: 'x'.repeat(BODY_LIMIT) }),
        }),
      ],
      ['415', send(ledger.url, { method: 'POST', path: '/v1/filings', headers: { ...key, 'content-type': 'text/plain' }, body: 'hello' })],
    ];
    const failures: string[] = [];
    for (const [name, pending] of responses) {
      const res = await pending;
      const status = /^\d{3}/.exec(name)?.[0];
      if (status !== undefined && String(res.status) !== status) failures.push(`${name}: answered ${res.status}`);
      for (const [header, pattern] of Object.entries(HELMET)) {
        if (!pattern.test(String(res.headers[header] ?? '')))
          failures.push(`${name} (${res.status}): ${header} = ${String(res.headers[header])}`);
      }
      for (const header of ['x-powered-by', 'server'])
        if (res.headers[header] !== undefined) failures.push(`${name}: ${header} = ${String(res.headers[header])}`);
    }
    // 429 last: it spends the public budget.
    for (let i = 0; i < 3; i++) await send(ledger.url, { method: 'GET', path: '/v1/ledger/key' });
    const limited = await send(ledger.url, { method: 'GET', path: '/v1/ledger/key' });
    expect(limited.status).toBe(429);
    for (const [header, pattern] of Object.entries(HELMET))
      if (!pattern.test(String(limited.headers[header] ?? ''))) failures.push(`429: ${header} = ${String(limited.headers[header])}`);
    expect(failures).toEqual([]);
  });
});

describe('requests the HTTP parser refuses', () => {
  let ledger: LedgerApp;
  beforeAll(async () => {
    ledger = await startLedger();
  });
  afterAll(() => ledger.close());

  /** Sends raw bytes and reads the answer until the server closes the connection. */
  const raw = (bytes: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = connect(Number(new URL(ledger.url).port), '127.0.0.1');
      let answer = '';
      socket.setEncoding('utf8');
      socket.on('data', (d: string) => (answer += d));
      socket.on('end', () => resolve(answer));
      socket.on('error', reject);
      socket.write(bytes);
    });
  const parse = (answer: string) => {
    const [head, body] = answer.split('\r\n\r\n');
    const [status, ...headers] = head.split('\r\n');
    const fields = Object.fromEntries(headers.map((h) => [h.slice(0, h.indexOf(':')).toLowerCase(), h.slice(h.indexOf(':') + 1).trim()]));
    return { status, headers: fields, body: JSON.parse(body) as Record<string, unknown> };
  };

  it.each([
    [
      'headers over 16 KiB',
      `GET /v1/me HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer ${'a'.repeat(20_000)}\r\n\r\n`,
      431,
      'headers-too-large',
    ],
    [
      'a control character in a header',
      'POST /v1/filings HTTP/1.1\r\nHost: a\r\nIdempotency-Key: a\u0001b\r\nContent-Length: 0\r\n\r\n',
      400,
      'bad-request',
    ],
    ['two Content-Lengths', 'POST /v1/filings HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}', 400, 'bad-request'],
    [
      'Content-Length beside Transfer-Encoding',
      'POST /v1/filings HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n{}',
      400,
      'bad-request',
    ],
    ['a request line that is not HTTP', 'HELLO\r\n\r\n', 400, 'bad-request'],
    ['a request line without a version (HTTP/0.9)', 'GET /health\r\n\r\n', 400, 'bad-request'],
    ['a request line of HTTP/2.0', 'GET /health HTTP/2.0\r\nHost: a\r\n\r\n', 400, 'bad-request'],
    ['an HTTP/1.1 request without Host', 'GET /health HTTP/1.1\r\n\r\n', 400, 'bad-request'],
  ])('answers %s with a problem document and closes the connection, appending nothing', async (_, bytes, status, code) => {
    const before = await ledger.store.count();
    const answer = parse(await raw(bytes));
    // The status line's reason phrase is the problem's title.
    expect(answer.status).toBe(`HTTP/1.1 ${status} ${String(answer.body.title)}`);
    expect(answer.headers).toMatchObject({
      'content-type': expect.stringMatching(/^application\/problem\+json/),
      connection: 'close',
      'x-content-type-options': 'nosniff',
    });
    expect(answer.body).toMatchObject({ type: `urn:sandbox-ledger:problem:${code}`, status });
    expect(typeof answer.body.detail).toBe('string');
    expect(await ledger.store.count()).toBe(before);
  });
});
