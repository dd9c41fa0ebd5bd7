// Hostile input against every write endpoint the OpenAPI document lists: random JSON, wrong types, huge strings, deep
// nesting, lone surrogates and invalid UTF-8, malformed JSON and multipart, wrong content types, odd path segments.
// Never a 5xx; every refusal is problem+json; a refused request appends nothing.
import { randomBytes, randomUUID } from 'node:crypto';
import * as fc from 'fast-check';
import { startLedger, filingBody, type LedgerApp } from '../support/ledger-app.js';
import {
  assembleCast,
  complaintBody,
  Fixtures,
  labelsBody,
  openApiRoutes,
  routeName,
  isWrite,
  type Cast,
  type DisputeStage,
  type Who,
} from '../support/cast.js';
import { isProblem, multipart, send, type Reply } from '../support/http-client.js';
import { scaled, SEED } from '../support/stress.js';

const RUNS = scaled(50, 500);
const BODY_LIMIT = 16 * 1024;
const UPLOAD_LIMIT = 32 * 1024;

/** How to reach one endpoint with a caller entitled to it, so the input (and not the caller) decides the outcome. */
interface Target {
  who: (cast: Cast) => Who;
  /** The path with real ids; `fresh` asks for a resource not yet changed by an accepted request. */
  path: (fresh: boolean) => Promise<string>;
  /** A body the endpoint accepts, to mutate; undefined when the endpoint takes none. */
  valid?: () => unknown;
  /** The endpoint takes multipart/form-data: its valid body is these bytes, the filing's own. */
  upload?: () => Promise<Buffer>;
}

type Case = {
  body: Buffer | undefined;
  type: string | null;
  chunked: boolean;
  path: string | null;
  idempotencyKey: string | null;
  label: string;
  [fc.toStringMethod]: () => string;
};

// ---- input generators -------------------------------------------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Path = Array<string | number>;

function paths(value: Json, prefix: Path = []): Path[] {
  const out: Path[] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...paths(v, [...prefix, i])));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...paths(v, [...prefix, k]));
  return out;
}

function setAt(value: Json, path: Path, replace: (old: Json | undefined) => Json | undefined): Json {
  if (path.length === 0) return replace(value) ?? null;
  const [head, ...rest] = path;
  const copy: any = Array.isArray(value) ? [...value] : { ...(value as object) };
  const next = setAt(copy[head], rest, replace);
  if (rest.length === 0 && next === undefined) {
    if (Array.isArray(copy)) copy.splice(Number(head), 1);
    else delete copy[head];
  } else copy[head] = next;
  return copy;
}

const deep = (depth: number, kind: 'array' | 'object') =>
  kind === 'array' ? '['.repeat(depth) + '1' + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

/** Strings no validator expects: lone surrogates, controls, bidi overrides, long runs, SQL and path tricks. */
const nastyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '\ud800',
    'a\udc00b',
    '\udfff\ud800',
    '\u0000',
    '\u202e',
    '\ufeff',
    '../../etc/passwd',
    "' OR 1=1 --",
    '__proto__',
    'constructor',
    '%00',
    '${jndi:x}',
    '',
  ),
  fc.integer({ min: 1_000, max: 200_000 }).map((n) => 'x'.repeat(n)),
);
const nastyValue: fc.Arbitrary<Json> = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
  nastyString,
  fc.constantFrom<Json>(null, true, false, 0, -1, 1.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, [], {}, [[]], { __proto__: 1 } as Json),
);

/** Raw bytes that are not valid UTF-8 (overlong, surrogate halves, truncated sequences, 0xFF). */
const BAD_UTF8 = [
  Buffer.from([0xff]),
  Buffer.from([0xc0, 0x80]),
  Buffer.from([0xed, 0xa0, 0x80]),
  Buffer.from([0xe2, 0x82]),
  Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80]),
];

const WRONG_TYPES = [
  'text/plain',
  'application/xml',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'multipart/form-data; boundary=x',
  'application/json; charset=utf-16',
  'application/problem+json',
  'application/json, text/plain',
  'application/octet-stream',
  'APPLICATION/JSON',
  '',
  'ï»¿',
  null,
];

function jsonBodies(valid: Json | undefined): fc.Arbitrary<{ text: Buffer | undefined; type: string | null; label: string }> {
  const json = (v: unknown, label: string) => ({ text: Buffer.from(JSON.stringify(v) ?? 'null', 'utf8'), type: 'application/json', label });
  const base: Json = valid ?? {};
  const pathArb = fc.constantFrom(...paths(base));
  const arbs: Array<fc.Arbitrary<{ text: Buffer | undefined; type: string | null; label: string }>> = [
    fc.jsonValue({ maxDepth: 4 }).map((v) => json(v, 'random JSON')),
    fc.tuple(pathArb, nastyValue).map(([p, v]) =>
      json(
        setAt(base, p, () => v),
        'wrong type',
      ),
    ),
    pathArb.map((p) =>
      json(
        setAt(base, p, () => undefined),
        'missing field',
      ),
    ),
    fc.tuple(pathArb, fc.string({ minLength: 1, maxLength: 12 }), nastyValue).map(([p, k, v]) =>
      json(
        setAt(base, p, (old) => (old !== null && typeof old === 'object' && !Array.isArray(old) ? { ...old, [k]: v } : { [k]: v })),
        'unknown field',
      ),
    ),
    fc.tuple(pathArb, fc.integer({ min: 1_000, max: 100_000 })).map(([p, n]) =>
      json(
        setAt(base, p, () => 'é'.repeat(n)),
        'huge string',
      ),
    ),
    fc.tuple(pathArb, fc.integer({ min: 100, max: 5_000 })).map(([p, n]) =>
      json(
        setAt(base, p, () => Array.from({ length: n }, (_, i) => i)),
        'huge array',
      ),
    ),
    fc.tuple(pathArb, fc.integer({ min: 20, max: 3_000 }), fc.constantFrom<'array' | 'object'>('array', 'object')).map(([p, d, k]) => {
      const marker = `"@@deep${randomBytes(4).toString('hex')}@@"`;
      return {
        text: Buffer.from(JSON.stringify(setAt(base, p, () => JSON.parse(marker))).replace(marker, deep(d, k)), 'utf8'),
        type: 'application/json',
        label: 'deep nesting',
      };
    }),
    fc
      .tuple(fc.integer({ min: 1_000, max: 8_000 }), fc.constantFrom<'array' | 'object'>('array', 'object'))
      .map(([d, k]) => ({ text: Buffer.from(deep(d, k)), type: 'application/json', label: 'deep nesting' })),
    // A lone surrogate as a JSON escape (valid JSON, invalid Unicode) in some string of the body.
    fc.tuple(pathArb, fc.constantFrom('\\ud800', '\\udc00x', 'a\\udbff', '\\u0000')).map(([p, esc]) => {
      const marker = `@@esc${randomBytes(4).toString('hex')}@@`;
      return {
        text: Buffer.from(JSON.stringify(setAt(base, p, () => marker)).replace(marker, esc), 'utf8'),
        type: 'application/json',
        label: 'lone surrogate',
      };
    }),
    // Invalid UTF-8 bytes inside a JSON string, or a BOM in front of the document.
    fc.tuple(pathArb, fc.constantFrom(...BAD_UTF8)).map(([p, bad]) => {
      const marker = `@@utf${randomBytes(4).toString('hex')}@@`;
      const [before, after] = JSON.stringify(setAt(base, p, () => marker)).split(marker);
      return {
        text: Buffer.concat([Buffer.from(before, 'utf8'), bad, Buffer.from(after ?? '', 'utf8')]),
        type: 'application/json',
        label: 'invalid UTF-8',
      };
    }),
    fc.constant({
      text: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(base))]),
      type: 'application/json',
      label: 'BOM',
    }),
    fc
      .integer({ min: 0, max: 200 })
      .map((n) => ({ text: Buffer.from(JSON.stringify(base).slice(0, n)), type: 'application/json', label: 'truncated JSON' })),
    fc.uint8Array({ maxLength: 200 }).map((b) => ({ text: Buffer.from(b), type: 'application/json', label: 'random bytes' })),
    fc
      .constantFrom('', 'null', '"x"', '1e400', '-', 'true', '[]', '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"x":1}}}')
      .map((t) => ({ text: Buffer.from(t), type: 'application/json', label: 'odd JSON' })),
    fc.constantFrom(...WRONG_TYPES).map((type) => ({ text: Buffer.from(JSON.stringify(base)), type, label: 'wrong content type' })),
  ];
  if (valid === undefined) arbs.push(fc.constant({ text: undefined, type: null, label: 'no body' }));
  return fc.oneof(...arbs);
}

function uploadBodies(bytes: Buffer): fc.Arbitrary<{ text: Buffer | undefined; type: string | null; label: string }> {
  const form = (parts: Parameters<typeof multipart>[0], label: string) => {
    const m = multipart(parts);
    return { text: m.body, type: m.type, label };
  };
  return fc.oneof(
    fc.constant(form([{ name: 'file', filename: 'work.bin', data: bytes }], 'the filed bytes')),
    fc.uint8Array({ maxLength: 2_000 }).map((b) => form([{ name: 'file', filename: 'other.bin', data: Buffer.from(b) }], 'other bytes')),
    fc
      .integer({ min: UPLOAD_LIMIT + 1, max: UPLOAD_LIMIT * 3 })
      .map((n) => form([{ name: 'file', filename: 'big.bin', data: Buffer.alloc(n, 7) }], 'file over the limit')),
    fc.constant(form([{ name: 'note', data: 'no file here' }], 'no file part')),
    fc.constant(
      form(
        [
          { name: 'file', filename: 'a.bin', data: bytes },
          { name: 'file', filename: 'b.bin', data: bytes },
        ],
        'two files',
      ),
    ),
    fc.constant(
      form(
        [
          { name: 'field', data: 'x'.repeat(5_000) },
          { name: 'file', filename: 'a.bin', data: bytes },
        ],
        'huge field',
      ),
    ),
    fc.constant(
      form(
        Array.from({ length: 20 }, (_, i) => ({ name: `f${i}`, data: 'v' })),
        'too many parts',
      ),
    ),
    nastyString.map((name) => form([{ name: 'file', filename: name.slice(0, 300).replace(/["\r\n]/g, ''), data: bytes }], 'odd filename')),
    fc.integer({ min: 0, max: 300 }).map((n) => ({
      text: form([{ name: 'file', filename: 'w.bin', data: bytes }], '').text.subarray(0, n),
      type: 'multipart/form-data; boundary=----ledger-cut',
      label: 'truncated multipart',
    })),
    fc
      .uint8Array({ maxLength: 500 })
      .map((b) => ({ text: Buffer.from(b), type: 'multipart/form-data; boundary=xyz', label: 'random bytes as multipart' })),
    fc.constant({ text: Buffer.from('--x\r\n\r\n--x--'), type: 'multipart/form-data', label: 'multipart without boundary' }),
    fc.constant({
      text: Buffer.from(JSON.stringify({ file: bytes.toString('base64') })),
      type: 'application/json',
      label: 'JSON instead of multipart',
    }),
    fc
      .constantFrom(...WRONG_TYPES)
      .map((type) => ({ text: form([{ name: 'file', filename: 'w.bin', data: bytes }], '').text, type, label: 'wrong content type' })),
  );
}

/** A path segment a router and an id parser do not expect, percent-encoded byte by byte where needed. */
const nastySegment = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 60 }).map((b) => [...b].map((x) => `%${x.toString(16).padStart(2, '0')}`).join('')),
  fc.constantFrom(
    '%ED%A0%80',
    '%C0%AF',
    '..%2F..%2Fetc',
    '%00',
    '00000000-0000-0000-0000-000000000000',
    'ffffffff-ffff-ffff-ffff-ffffffffffff',
    'x'.repeat(300),
    '%25',
    '%2e%2e',
    '01A2253D-E865-744D-BC21-9AA3DAE3B8F5',
  ),
  fc.uuid().map((u) => u),
);

/** `arb` with probability `p`, else null. */
const sometimes = <T>(arb: fc.Arbitrary<T>, p: number): fc.Arbitrary<T | null> =>
  fc.oneof({ weight: Math.round((1 - p) * 100), arbitrary: fc.constant(null) }, { weight: Math.round(p * 100), arbitrary: arb });

// ---- the run ----------------------------------------------------------------------------------------------------

describe('fuzzing every write endpoint', () => {
  let ledger: LedgerApp;
  let cast: Cast;
  let f: Fixtures;
  const report: string[] = [];

  beforeAll(async () => {
    ledger = await startLedger({ bodyLimit: BODY_LIMIT, uploadLimit: UPLOAD_LIMIT, publicRateLimit: 100_000 });
    cast = await assembleCast(ledger.url, ledger.adminKey);
    f = new Fixtures(ledger.url, cast);
  });
  afterAll(async () => {
    console.log(`fuzz (seed ${SEED}, ${RUNS} cases per endpoint):\n${report.join('\n')}`);
    await ledger.close();
  });

  /** A resource per endpoint, rebuilt after an accepted request changed it. */
  const cached = <T>(make: () => Promise<T>) => {
    let current: Promise<T> | null = null;
    return (fresh: boolean) => {
      if (fresh || current === null) current = make();
      return current;
    };
  };
  const disputeAt = (stage: DisputeStage) => cached(() => f.dispute(stage));
  let policies = 0;

  /** `complaintTarget`: a filing of the creator, so that a valid complaint is accepted. */
  const targets = (complaintTarget: string): Record<string, Target> => {
    const filing = cached(() => f.filing());
    const principal = cached(() => f.principal());
    const labelled = cached(() => f.filing());
    const uploadable = cached(() => f.filing());
    const opened = disputeAt('opened');
    const assigned = disputeAt('assigned');
    const answered = disputeAt('answered');
    const decided = disputeAt('decided');
    const appealed = disputeAt('appealed');
    const toWithdraw = disputeAt('opened');
    return {
      'POST /v1/principals': {
        who: (c) => c.admin,
        path: async () => '/v1/principals',
        valid: () => ({ name: 'Fuzzed Person', roles: ['creator'] }),
      },
      'POST /v1/principals/{id}/keys': { who: (c) => c.admin, path: async (fresh) => `/v1/principals/${(await principal(fresh)).id}/keys` },
      'DELETE /v1/keys/{keyId}': { who: (c) => c.admin, path: async (fresh) => `/v1/keys/${(await principal(fresh)).keyId}` },
      'POST /v1/me/keys': {
        who: (c) => c.creator,
        path: async () => '/v1/me/keys',
        valid: () => ({ expiresAt: new Date(Date.now() + 86_400_000).toISOString() }),
      },
      'DELETE /v1/me/keys/{keyId}': { who: (c) => c.creator, path: async () => `/v1/me/keys/${await f.spareKey(cast.creator)}` },
      'POST /v1/filings': { who: (c) => c.creator, path: async () => '/v1/filings', valid: () => filingBody() },
      'POST /v1/filings/{id}/withdraw': {
        who: (c) => c.creator,
        path: async (fresh) => `/v1/filings/${(await filing(fresh)).filingId}/withdraw`,
        valid: () => ({ reason: 'filed by mistake' }),
      },
      'POST /v1/filings/{id}/labels': {
        who: (c) => c.creator,
        path: async (fresh) => `/v1/filings/${(await labelled(fresh)).filingId}/labels`,
        valid: () => labelsBody(`gen-${randomBytes(4).toString('hex')}`),
      },
      'POST /v1/filings/{id}/labels/verify': {
        // Checking a file again is allowed: the same filing (and its bytes, which the generator holds) serves every case.
        who: (c) => c.creator,
        path: async () => `/v1/filings/${(await uploadable(false)).filingId}/labels/verify`,
        upload: async () => (await uploadable(false)).bytes,
      },
      // The filing was filed by JSON (no computed perceptual hash): no case is accepted, every one must be refused cleanly.
      'POST /v1/filings/{id}/copies': {
        who: (c) => c.creator,
        path: async () => `/v1/filings/${(await uploadable(false)).filingId}/copies`,
        upload: async () => (await uploadable(false)).bytes,
      },
      'POST /v1/inspect': { who: (c) => c.reviewer, path: async () => '/v1/inspect', upload: async () => (await uploadable(false)).bytes },
      'POST /v1/disputes': { who: (c) => c.complainant, path: async () => '/v1/disputes', valid: () => complaintBody(complaintTarget) },
      'POST /v1/disputes/{id}/assign': {
        who: (c) => c.assignedReviewer,
        path: async (fresh) => `/v1/disputes/${await opened(fresh)}/assign`,
        valid: () => ({ reviewerId: cast.assignedReviewer.id }),
      },
      'POST /v1/disputes/{id}/response': {
        who: (c) => c.creator,
        path: async (fresh) => `/v1/disputes/${await assigned(fresh)}/response`,
        valid: () => ({ statement: 'It is mine.', evidence: [{ sha256: 'a'.repeat(64), description: 'draft' }] }),
      },
      'POST /v1/disputes/{id}/decision': {
        who: (c) => c.assignedReviewer,
        path: async (fresh) => `/v1/disputes/${await answered(fresh)}/decision`,
        valid: () => ({ outcome: 'upheld', remedy: 'suspend', reasoning: 'Shown.' }),
      },
      'POST /v1/disputes/{id}/appeal': {
        who: (c) => c.complainant,
        path: async (fresh) => `/v1/disputes/${await decided(fresh)}/appeal`,
        valid: () => ({ grounds: 'Unfair.' }),
      },
      'POST /v1/disputes/{id}/appeal-decision': {
        who: (c) => c.reviewer,
        path: async (fresh) => `/v1/disputes/${await appealed(fresh)}/appeal-decision`,
        valid: () => ({ ruling: 'affirm', reasoning: 'Sound.' }),
      },
      'POST /v1/disputes/{id}/withdraw': {
        who: (c) => c.complainant,
        path: async (fresh) => `/v1/disputes/${await toWithdraw(fresh)}/withdraw`,
        valid: () => ({ reason: 'settled' }),
      },
      'POST /v1/policy': {
        who: (c) => c.admin,
        path: async () => '/v1/policy',
        valid: () => ({
          effectiveFrom: new Date(Date.now() + 400 * 86_400_000 + (policies += 1) * 60_000).toISOString(),
          parameters: { labelGraceDays: 9, similarity: { phash64: 6 }, repeatInfringer: { upheld: 4 } },
        }),
      },
      'POST /v1/settlements': { who: (c) => c.admin, path: async () => '/v1/settlements', valid: () => ({}) },
      'POST /v1/filings/{id}/similarity-clearance': {
        who: (c) => c.reviewer,
        path: async (fresh) => `/v1/filings/${(await filing(fresh)).filingId}/similarity-clearance`,
        valid: () => ({ flag: 'similarityReview', decision: 'cleared', reasoning: 'Not alike.' }),
      },
    };
  };

  it(
    'lists the write endpoints from the OpenAPI document and fuzzes each of them',
    async () => {
      const known = targets((await f.filing()).filingId);
      const writes = (await openApiRoutes(ledger.url)).filter(isWrite).map(routeName);
      expect(writes.length).toBeGreaterThanOrEqual(17);

      for (const name of writes) {
        const method = name.split(' ')[0];
        // An endpoint that landed after this suite was written is still fuzzed, as an admin with made-up ids.
        const t: Target = known[name] ?? {
          who: (c) => c.admin,
          path: async () => name.split(' ')[1].replace(/\{[^}]+\}/g, () => randomUUID()),
        };
        const who = t.who(cast);
        const statuses = new Map<number, number>();
        let stale = false;
        const bodies = t.upload ? uploadBodies(await t.upload()) : jsonBodies(t.valid?.() as Json | undefined);
        const cases: fc.Arbitrary<Case> = fc
          .record({
            body: bodies,
            chunked: fc.boolean(),
            path: sometimes(nastySegment, 1 / 8),
            idempotencyKey: sometimes(fc.oneof(fc.string({ maxLength: 20 }), fc.constant('k'.repeat(300)), fc.constant('ключ')), 1 / 8),
          })
          .map(({ body, chunked, path, idempotencyKey }): Case => ({
            body: body.text,
            type: body.type,
            chunked,
            path,
            idempotencyKey,
            label: body.label,
            // A counterexample is printed short: the kind of input, its size and its first bytes.
            [fc.toStringMethod]: () =>
              `${body.label}: ${body.text?.length ?? 0} bytes ${JSON.stringify(body.text?.subarray(0, 120).toString('latin1') ?? '')}… as ${body.type}` +
              `${chunked ? ', chunked' : ''}${path !== null ? `, path segment ${path.slice(0, 80)}` : ''}${idempotencyKey !== null ? `, Idempotency-Key ${JSON.stringify(idempotencyKey.slice(0, 40))}` : ''}`,
          }));

        await fc.assert(
          fc.asyncProperty(cases, async (c) => {
            let path = await t.path(stale);
            stale = false;
            if (c.path !== null) {
              // Replace the id (or the last segment) with something no id parser expects.
              const parts = path.split('/');
              const at = /\{/.test(name)
                ? name
                    .split(' ')[1]
                    .split('/')
                    .findIndex((s) => s.startsWith('{'))
                : parts.length - 1;
              parts[at] = c.path;
              path = parts.join('/');
            }
            const headers: Record<string, string> = { authorization: `Bearer ${who.key}` };
            if (c.type !== null) headers['content-type'] = c.type;
            // Any bytes but CR, LF and other controls (which no HTTP client can send in a header): UTF-8 goes out as raw octets.
            if (c.idempotencyKey !== null)
              headers['idempotency-key'] = Buffer.from(
                c.idempotencyKey.replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, ''),
                'utf8',
              ).toString('latin1');
            const before = await ledger.store.count();
            const res: Reply = await send(ledger.url, { method, path, headers, body: c.body, chunked: c.chunked });
            const after = await ledger.store.count();
            statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
            const where = `${name} [${c.label}${c.chunked ? ', chunked' : ''}] → ${res.status} ${res.text.slice(0, 300)}`;
            expect({ where, serverError: res.status >= 500 }).toEqual({ where, serverError: false });
            if (res.status >= 400) {
              expect({ where, problem: isProblem(res) }).toEqual({ where, problem: true });
              expect({ where, appended: after - before }).toEqual({ where, appended: 0 });
            } else stale = true;
          }),
          { numRuns: RUNS, seed: SEED, endOnFailure: true },
        );

        const histogram = [...statuses.entries()]
          .sort(([a], [b]) => a - b)
          .map(([s, n]) => `${s}×${n}`)
          .join(' ');
        report.push(
          `  ${name}: ${[...statuses.values()].reduce((a, b) => a + b, 0)} cases (${histogram})${known[name] ? '' : " [not in the suite's table: fuzzed generically]"}`,
        );
      }
    },
    scaled(120_000, 900_000),
  );
});
