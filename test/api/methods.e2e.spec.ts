// A method the routes of a known path do not take is 405 method-not-allowed with Allow naming those they take and
// OPTIONS (RFC 9110 §15.5.6), and OPTIONS is 204 with the same Allow (§9.3.7); either is answered before the request's
// key, type or body is looked at, and changes nothing; a path no route takes stays 404. The same with the console, whose
// catch-all takes every GET no other route takes, and without it.
import { openApiRoutes } from '../support/cast.js';
import { isProblem, send } from '../support/http-client.js';
import { filingBody, principal, startLedger, type LedgerApp } from '../support/ledger-app.js';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const NOT_ALLOWED = 'urn:sandbox-ledger:problem:method-not-allowed';
const NOT_FOUND = 'urn:sandbox-ledger:problem:not-found';

describe.each([
  ['with the console', true],
  ['without the console', false],
])('%s', (_, console) => {
  let ledger: LedgerApp;
  let filingId: string;

  beforeAll(async () => {
    ledger = await startLedger({ console });
    const alice = await principal(ledger, 'Alice', ['creator']);
    const filed = await ledger.http().post('/v1/filings').set('authorization', `Bearer ${alice.key}`).send(filingBody());
    expect(filed.status).toBe(201);
    filingId = filed.body.filingId;
  });
  afterAll(() => ledger.close());

  it('answers each method a documented path does not take with 405 and Allow (OPTIONS with 204), with a key and a body or without, appending nothing', async () => {
    const taken = new Map<string, Set<string>>();
    for (const route of await openApiRoutes(ledger.url)) taken.set(route.path, (taken.get(route.path) ?? new Set()).add(route.method));
    expect(taken.size).toBeGreaterThan(30);
    const before = await ledger.store.count();
    const failures: string[] = [];
    let refused = 0;
    for (const [template, methods] of taken) {
      const path = template.replace(/\{[^}]+\}/g, filingId);
      if (methods.has('GET')) methods.add('HEAD');
      const allow = [...methods, 'OPTIONS'].sort();
      for (const method of METHODS.filter((m) => !methods.has(m))) {
        // The admin's key with a body that is not even JSON, a key that is not one, or nothing: the method is refused first.
        const bodied = method !== 'GET' && method !== 'HEAD';
        const tries: Array<{ headers: Record<string, string>; body?: string }> = [
          bodied
            ? { headers: { authorization: `Bearer ${ledger.adminKey}`, 'content-type': 'application/json' }, body: '{"a":' }
            : { headers: { authorization: `Bearer ${ledger.adminKey}` } },
          { headers: { authorization: 'Bearer nonsense' } },
          { headers: {} },
        ];
        for (const { headers, body } of tries) {
          const res = await send(ledger.url, { method, path, headers, body });
          refused++;
          const options = method === 'OPTIONS';
          const got = {
            status: res.status,
            allow: String(res.headers.allow ?? '')
              .split(', ')
              .sort(),
            type: method === 'HEAD' ? NOT_ALLOWED : options ? res.text : res.json?.type,
            problem: method === 'HEAD' || options || isProblem(res),
            position: res.headers['ledger-position'],
          };
          const wanted = { status: options ? 204 : 405, allow, type: options ? '' : NOT_ALLOWED, problem: true, position: undefined };
          if (JSON.stringify(got) !== JSON.stringify(wanted)) failures.push(`${method} ${template}: ${JSON.stringify(got)}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(refused).toBeGreaterThan(100);
    expect(await ledger.store.count()).toBe(before);
  });

  it('names the path, the method and those it takes, in the order of the router', async () => {
    const res = await send(ledger.url, { method: 'DELETE', path: '/v1/filings?limit=5' });
    expect([res.status, res.headers.allow]).toEqual([405, 'GET, HEAD, POST, OPTIONS']);
    expect(res.json).toEqual({
      type: NOT_ALLOWED,
      title: 'Method Not Allowed',
      status: 405,
      detail: '/v1/filings does not take DELETE; it takes GET, HEAD, POST, OPTIONS',
    });
    // A GET of a route that takes POST only, which the console's catch-all would have taken.
    const get = await send(ledger.url, { method: 'GET', path: `/v1/filings/${filingId}/amend` });
    expect([get.status, get.headers.allow, get.json?.type]).toEqual([405, 'POST, OPTIONS', NOT_ALLOWED]);
    // OPTIONS: no body, the security headers as on every answer.
    const options = await send(ledger.url, { method: 'OPTIONS', path: `/v1/filings/${filingId}?x=1` });
    expect([options.status, options.headers.allow, options.text, options.headers['x-content-type-options']]).toEqual([
      204,
      'GET, HEAD, OPTIONS',
      '',
      'nosniff',
    ]);
  });

  it('leaves a path no route takes 404, whatever the method', async () => {
    const paths = ['/v1/nothing', `/v1/filings/${filingId}/nothing`, '/nothing', '/assets/nothing.js', '/creator/extra'];
    const requests = paths.flatMap((path) => ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'].map((method) => [method, path]));
    // A parameter longer than the router reads, under methods that have no route there (other methods answer 414, below).
    for (const method of ['PUT', 'DELETE']) requests.push([method, `/v1/filings/${'a'.repeat(300)}/amend`]);
    // An empty segment where a route has a parameter (the router matches `/v1/filings/` as `/v1/filings/:id`).
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) requests.push([method, '/v1/filings/'], [method, '/v1/disputes/']);
    const failures: string[] = [];
    for (const [method, path] of requests) {
      const res = await send(ledger.url, { method, path });
      const got = { status: res.status, allow: res.headers.allow, type: res.json?.type };
      if (got.status !== 404 || got.allow !== undefined || got.type !== NOT_FOUND)
        failures.push(`${method} ${path}: ${JSON.stringify(got)}`);
    }
    expect(failures).toEqual([]);
  });

  it('answers a path segment too long for the router 414 uri-too-long on the routes that take it, GET as well, its status line and title alike', async () => {
    const long = 'a'.repeat(300);
    const requests = [
      ['POST', `/v1/filings/${long}/amend`],
      ['DELETE', `/v1/keys/${long}`],
      ['GET', `/v1/filings/${long}`],
      ['GET', `/v1/filings/${long}/amend`],
      ['HEAD', `/v1/filings/${long}`],
      ['GET', `/v1/filings/${long}/history`],
      ['GET', `/v1/disputes/${long}`],
      ['GET', `/v1/rights/${long}`],
      ['GET', `/v1/public/content/${long}?x=1`],
    ];
    const before = await ledger.store.count();
    const answers: unknown[] = [];
    for (const [method, path] of requests) {
      const res = await send(ledger.url, { method, path });
      answers.push([method, path.slice(0, 20), res.status, res.statusMessage, res.json?.type, res.json?.title, res.json?.detail]);
    }
    const detail = "a path segment is longer than the 200 characters a route's parameter takes";
    expect(answers).toEqual(
      requests.map(([method, path]) => [
        method,
        path.slice(0, 20),
        414,
        'URI Too Long',
        ...(method === 'HEAD' ? [undefined, undefined, undefined] : ['urn:sandbox-ledger:problem:uri-too-long', 'URI Too Long', detail]),
      ]),
    );
    // A segment as long under a path no route takes stays 404.
    const nowhere = await send(ledger.url, { method: 'GET', path: `/v1/nothing/${long}` });
    expect([nowhere.status, nowhere.json?.type]).toEqual([404, NOT_FOUND]);
    expect(await ledger.store.count()).toBe(before);
  });
});
