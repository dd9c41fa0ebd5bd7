// The OpenAPI document of the compiled server (built by `npm test`'s pretest step, with the Nest CLI's schema plugin) is
// complete enough for a client generator, and a TypeScript client generated from it with openapi-typescript type-checks
// against real calls and runs them against the real server.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { getMetadataStorage } from 'class-validator';
import '../../src/app.module.js'; // every controller, and the query classes their routes take
import { ROOT } from '../../src/bench/processes.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';

type Schema = { $ref?: string; type?: string; properties?: Record<string, Schema>; allOf?: Schema[]; additionalProperties?: unknown };
type Operation = {
  summary?: string;
  security?: unknown[];
  parameters?: Array<{ name: string; in: string }>;
  requestBody?: { content: Record<string, { schema: Schema }> };
  responses: Record<string, { content?: Record<string, { schema: Schema }>; headers?: Record<string, unknown> }>;
};
type Document = {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; securitySchemes: Record<string, Record<string, string>> };
};

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

const adminKey = 'slk_' + randomBytes(32).toString('base64url');

describe('the OpenAPI document and a client generated from it', () => {
  let dataDir: string;
  let work: string;
  let server: ServerProcess;
  let document: Document;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ledger-openapi-'));
    work = mkdtempSync(join(tmpdir(), 'ledger-client-'));
    // Waited for as long as a loaded machine needs to start it (loading sharp and the C2PA reader).
    server = await startServerProcess({ LEDGER_DATA_DIR: dataDir, LEDGER_BOOTSTRAP_ADMIN_KEY: adminKey, LOG_LEVEL: 'warn' }, 90_000);
    document = (await (await fetch(`${server.url}/docs/openapi.json`)).json()) as Document;
  }, 120_000);
  afterAll(async () => {
    server?.child.kill('SIGTERM');
    await server?.exited;
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });

  const resolve = (s: Schema): Schema => (s.$ref ? document.components.schemas[s.$ref.replace('#/components/schemas/', '')] : s);
  const operations = () =>
    Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item)
        .filter(([method]) => METHODS.includes(method))
        .map(([method, op]) => ({ name: `${method.toUpperCase()} ${path}`, method, op })),
    );

  it('gives every operation a summary, its request schema, its success schema and its problem responses', () => {
    const ops = operations();
    expect(ops.length).toBeGreaterThanOrEqual(48);
    const gaps: string[] = [];
    for (const { name, method, op } of ops) {
      if (!op.summary?.trim()) gaps.push(`${name}: no summary`);
      if (method === 'post') {
        const content = Object.entries(op.requestBody?.content ?? {});
        if (content.length === 0) gaps.push(`${name}: no request body`);
        for (const [media, { schema }] of content)
          if (!resolve(schema)?.properties) gaps.push(`${name}: the ${media} request schema has no properties`);
      }
      const success = Object.entries(op.responses).filter(([status]) => status.startsWith('2'));
      if (success.length === 0) gaps.push(`${name}: no success response`);
      for (const [status, response] of success) {
        const content = Object.entries(response.content ?? {});
        if (content.length === 0) gaps.push(`${name}: ${status} has no body schema`);
        for (const [media, { schema }] of content) {
          const s = resolve(schema);
          if (!s || (/[/+]json$/.test(media) && !s.properties && s.type !== 'array'))
            gaps.push(`${name}: ${status} ${media} has no schema`);
        }
      }
      const problems = Object.entries(op.responses).filter(([status]) => /^[45]/.test(status));
      if (problems.length === 0 && name !== 'GET /metrics') gaps.push(`${name}: no problem responses`);
      for (const [status, response] of problems) {
        const schema = response.content?.['application/problem+json']?.schema;
        if (schema?.allOf?.[0]?.$ref !== '#/components/schemas/Problem') gaps.push(`${name}: ${status} is not a problem+json Problem`);
      }
      const statuses = problems.map(([status]) => status);
      const expected = [
        ...(op.security?.length ? ['401', '403'] : []),
        ...(op.requestBody ? ['400', '413', '415'] : []),
        ...(!op.security?.length && /^\/v1\/(public|ledger\/(proof|checkpoint|key)|policy)/.test(name.split(' ')[1]) && method === 'get'
          ? ['429']
          : []),
      ];
      for (const status of expected) if (!statuses.includes(status)) gaps.push(`${name}: no ${status} problem response`);
    }
    expect(gaps).toEqual([]);
  });

  it('documents every query parameter a route takes, with the bounds of a whole number', () => {
    const documented = new Set(operations().flatMap(({ op }) => (op.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name)));
    const storage = getMetadataStorage() as unknown as { validationMetadatas: Map<unknown, Array<{ propertyName: string }>> };
    const queryClasses = [...storage.validationMetadatas.entries()].filter(([c]) => typeof c === 'function' && /Query$/.test(c.name));
    expect(queryClasses.length).toBeGreaterThanOrEqual(10);
    const missing = queryClasses.flatMap(([c, metas]) =>
      [...new Set(metas.map((m) => m.propertyName))].filter((p) => !documented.has(p)).map((p) => `${(c as { name: string }).name}.${p}`),
    );
    expect(missing).toEqual([]);
    const parameter = (path: string, name: string) =>
      (document.paths[path].get.parameters as Array<{ name: string; schema?: Record<string, unknown> }>).find((p) => p.name === name);
    expect(parameter('/v1/ledger/proof/inclusion', 'leafIndex')).toMatchObject({ required: true, schema: { type: 'integer', minimum: 0 } });
    expect(parameter('/v1/ledger/entries', 'end')).toMatchObject({ required: true });
    expect(parameter('/v1/ledger/checkpoints', 'limit')).toMatchObject({ required: false, schema: { minimum: 1, maximum: 1000 } });
    expect(parameter('/v1/filings', 'limit')).toMatchObject({ schema: { type: 'integer', minimum: 1, maximum: 100 } });
    const creator = parameter('/v1/filings', 'creator')!.schema!;
    for (const ok of ['me', '0190A8B2-0000-7000-8000-000000000001']) expect(ok).toMatch(new RegExp(creator.pattern as string));
    expect('-'.repeat(36)).not.toMatch(new RegExp(creator.pattern as string));
  });

  it('types every whole number a request body takes as an integer, with its bounds, as the server checks it', () => {
    const storage = getMetadataStorage() as unknown as {
      validationMetadatas: Map<unknown, Array<{ propertyName: string; name?: string; constraints?: unknown[] }>>;
    };
    const wholeNumbers = [...storage.validationMetadatas.entries()].flatMap(([c, metas]) => {
      const name = (c as { name: string }).name;
      const schema = document.components.schemas[name] as Schema | undefined;
      if (!schema?.properties || /Query$/.test(name)) return [];
      return [...new Set(metas.filter((m) => m.name === 'isInt').map((m) => m.propertyName))].map((property) => {
        const bound = (kind: string) => metas.find((m) => m.propertyName === property && m.name === kind)?.constraints?.[0];
        return { at: `${name}.${property}`, documented: schema.properties![property], checked: { min: bound('min'), max: bound('max') } };
      });
    });
    expect(wholeNumbers.map((n) => n.at)).toEqual(
      expect.arrayContaining(['GenerationDto.iterations', 'PolicyParametersDto.labelGraceDays']),
    );
    const wrong = wholeNumbers.filter(
      ({ documented, checked }) =>
        (documented as Record<string, unknown>).type !== 'integer' ||
        (documented as Record<string, unknown>).minimum !== checked.min ||
        (documented as Record<string, unknown>).maximum !== checked.max,
    );
    expect(wrong).toEqual([]);
  });

  it("names every route's minimum position, a write's Idempotency-Key and Ledger-Position, and Retry-After where it comes", () => {
    const gaps: string[] = [];
    for (const { name, method, op } of operations()) {
      const parameters = (op.parameters ?? []).map((p) => `${p.in} ${p.name}`);
      for (const wanted of ['header Min-Position', 'query minPosition'])
        if (!parameters.includes(wanted)) gaps.push(`${name}: no ${wanted} parameter`);
      const write = (op.security?.length ?? 0) > 0 && method !== 'get';
      if (write !== parameters.includes('header Idempotency-Key')) gaps.push(`${name}: Idempotency-Key ${write ? 'missing' : 'on a read'}`);
      for (const [status, response] of Object.entries(op.responses)) {
        if (write && status.startsWith('2') && !response.headers?.['Ledger-Position'])
          gaps.push(`${name}: ${status} without Ledger-Position`);
        if ((status === '429' || status === '503') && !response.headers?.['Retry-After'])
          gaps.push(`${name}: ${status} without Retry-After`);
      }
      if (!op.responses['503']) gaps.push(`${name}: no 503 (read-models-behind)`);
    }
    expect(gaps).toEqual([]);
  });

  it('lists each problem type with its status, and every object schema names its fields', () => {
    const filing = document.paths['/v1/filings'].post.responses;
    const types = (status: string) =>
      (filing[status].content!['application/problem+json'].schema.allOf![1].properties!.type as { enum: string[] }).enum;
    expect(types('409')).toEqual(expect.arrayContaining(['urn:sandbox-ledger:problem:duplicate-content']));
    expect(types('422')).toEqual(expect.arrayContaining(['urn:sandbox-ledger:problem:content-hash-mismatch']));
    expect(types('400')).toEqual(expect.arrayContaining(['urn:sandbox-ledger:problem:validation-failed']));
    expect(types('401')).toEqual(['missing-key', 'invalid-key', 'key-expired'].map((c) => `urn:sandbox-ledger:problem:${c}`));

    const empty = Object.entries(document.components.schemas)
      .filter(([, s]) => s.type === 'object' && !s.properties && !s.additionalProperties)
      .map(([name]) => name);
    expect(empty).toEqual([]);
    expect(Object.keys(document.components.schemas.CreatePrincipalDto.properties!)).toEqual(['name', 'roles']);
    expect(Object.keys(document.paths['/v1/filings'].post.requestBody!.content).sort()).toEqual([
      'application/json',
      'multipart/form-data',
    ]);
    expect(Object.keys(resolve(document.paths['/v1/filings'].post.requestBody!.content['multipart/form-data'].schema).properties!)).toEqual(
      ['metadata', 'file'],
    );

    const [scheme] = Object.values(document.components.securitySchemes);
    expect(scheme).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: expect.stringMatching(/^slk_/) });
  });

  /** Type-checks (and emits) the TypeScript files in `work` against the generated types; the diagnostics, formatted. */
  function typeCheck(files: string[]): string[] {
    const program = ts.createProgram(
      files.map((f) => join(work, f)),
      {
        strict: true,
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.NodeNext,
        moduleResolution: ts.ModuleResolutionKind.NodeNext,
        types: ['node'],
        lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'],
        skipLibCheck: true,
        outDir: join(work, 'out'),
      },
    );
    const emitted = program.emit();
    return [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics].map((d) =>
      ts.flattenDiagnosticMessageText(d.messageText, '\n').slice(0, 300),
    );
  }

  it('generates a TypeScript client that type-checks against real calls and runs them against the server', async () => {
    const types = astToString(await openapiTS(document as never));
    writeFileSync(join(work, 'api.d.ts'), types);
    writeFileSync(join(work, 'package.json'), JSON.stringify({ type: 'module' }));
    mkdirSync(join(work, 'out'), { recursive: true });
    writeFileSync(join(work, 'out', 'package.json'), JSON.stringify({ type: 'module' }));
    symlinkSync(join(ROOT, 'node_modules'), join(work, 'node_modules'), 'dir');
    writeFileSync(join(work, 'client.ts'), CLIENT_PROGRAM);

    expect(typeCheck(['client.ts'])).toEqual([]);

    const run = await new Promise<{ code: number | null; out: string }>((done) => {
      const child = spawn(process.execPath, [join(work, 'out', 'client.js')], {
        env: { PATH: process.env.PATH ?? '', LEDGER_URL: server.url, ADMIN_KEY: adminKey },
      });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      child.on('exit', (code) => done({ code, out }));
    });
    expect(run).toMatchObject({ code: 0 });
    const answers = JSON.parse(run.out) as Record<string, unknown>;
    expect(answers).toEqual({
      creator: { status: 201, keyPrefix: 'slk_', roles: ['creator'] },
      filed: { status: 201, filingId: expect.stringMatching(/^[0-9a-f-]{36}$/), leafIndex: expect.any(Number) },
      read: { status: 200, title: 'Harbour at dusk', contentHash: answers.contentHash, holder: 'Alice', labelState: 'none' },
      listed: { status: 200, ids: [(answers.filed as { filingId: string }).filingId] },
      lookup: { status: 200, match: 'content', filingId: (answers.filed as { filingId: string }).filingId },
      refused: { status: 409, type: 'urn:sandbox-ledger:problem:duplicate-content', detail: expect.stringContaining('filed first') },
      invalid: {
        status: 400,
        type: 'urn:sandbox-ledger:problem:validation-failed',
        errors: [{ field: 'title', message: 'title is required' }],
      },
      contentHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  it('fails to type-check a client that reads a field the document does not have, or sends a body it does not take', () => {
    writeFileSync(
      join(work, 'wrong.ts'),
      `import createClient from 'openapi-fetch';
import type { paths } from './api.js';
const client = createClient<paths>({ baseUrl: 'http://127.0.0.1:1' });
export async function wrong() {
  const { data } = await client.POST('/v1/principals', { body: { name: 'Bob', roles: ['creator'] } });
  const secret: string | undefined = data?.apiKey.secret;
  await client.POST('/v1/principals', { body: { name: 'Bob', roles: ['owner'] } });
  const { data: filing } = await client.GET('/v1/filings/{id}', { params: { path: { id: 'x' } } });
  const size: number | undefined = filing?.title;
  return [secret, size];
}
`,
    );
    const errors = typeCheck(['wrong.ts']).join('\n');
    expect(errors).toMatch(/Property 'secret' does not exist/);
    expect(errors).toMatch(/"owner"/);
    expect(errors).toMatch(/Type 'string' is not assignable to type 'number'/);
  });
});

/** The client program: typed with the generated `paths`, calling the real server; prints what it got as JSON. */
const CLIENT_PROGRAM = `import { createHash } from 'node:crypto';
import createClient from 'openapi-fetch';
import type { components, paths } from './api.js';

const client = createClient<paths>({ baseUrl: process.env.LEDGER_URL });
const as = (key: string) => ({ authorization: 'Bearer ' + key });
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const registered = await client.POST('/v1/principals', {
  headers: as(process.env.ADMIN_KEY!),
  body: { name: 'Alice', roles: ['creator'] },
});
if (!registered.data) throw new Error('no principal: ' + JSON.stringify(registered.error));
const key: string = registered.data.apiKey.key;

const contentHash = sha256('my artwork bytes ' + Date.now());
const work: components['schemas']['FileWorkDto'] = {
  contentHash: contentHash.toUpperCase(),
  contentType: 'image/png',
  title: 'Harbour at dusk',
  generation: {
    digitalSourceType: 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia',
    tool: { name: 'Stable Diffusion', version: '3.5' },
    promptHash: sha256('a harbour at dusk'),
    seed: 1234,
    iterations: 12,
    humanContribution: 'Wrote the prompt, chose 1 of 48 candidates, repainted the sky.',
  },
};
const filed = await client.POST('/v1/filings', { headers: as(key), body: work });
if (!filed.data) throw new Error('not filed: ' + JSON.stringify(filed.error));
const filingId: string = filed.data.filingId;

const read = await client.GET('/v1/filings/{id}', { headers: as(key), params: { path: { id: filingId } } });
const listed = await client.GET('/v1/filings', { headers: as(key), params: { query: { contentHash } } });
const lookup = await client.GET('/v1/public/content/{sha256}', { params: { path: { sha256: contentHash } } });
const again = await client.POST('/v1/filings', { headers: as(key), body: { ...work, title: 'Again' } });
const { title: _title, ...untitled } = work;
const invalid = await client.POST('/v1/filings', { headers: as(key), body: untitled as typeof work });

console.log(
  JSON.stringify({
    creator: { status: registered.response.status, keyPrefix: key.slice(0, 4), roles: registered.data.roles },
    filed: { status: filed.response.status, filingId, leafIndex: filed.data.leafIndex },
    read: {
      status: read.response.status,
      title: read.data?.title,
      contentHash: read.data?.contentHash,
      holder: read.data?.holder.name,
      labelState: read.data?.labels.state,
    },
    listed: { status: listed.response.status, ids: listed.data?.items.map((f) => f.filingId) },
    lookup: { status: lookup.response.status, match: lookup.data?.match, filingId: lookup.data?.filingId },
    refused: { status: again.response.status, type: again.error?.type, detail: again.error?.detail },
    invalid: { status: invalid.response.status, type: invalid.error?.type, errors: invalid.error?.errors },
    contentHash,
  }),
);
`;
