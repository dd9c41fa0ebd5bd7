// The console is served beside the API without changing it: its pages and bundled files, a strict CSP on every page,
// and the API's own answers (404 problem+json, /docs, /health) as before. LEDGER_CONSOLE=off leaves the API alone.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config.js';
import { CONSOLE_DIR } from '../../src/console/console.routes.js';
import { send } from '../support/http-client.js';
import { filingBody, principal, startLedger, type LedgerApp } from '../support/ledger-app.js';

let ledger: LedgerApp;
beforeAll(async () => {
  ledger = await startLedger();
});
afterAll(() => ledger.close());

const cspOf = (headers: Record<string, string | string[] | undefined>) => String(headers['content-security-policy']);

it.each(['/', '/creator', '/reviewer', '/auditor', '/certificate/0b6f3c52-1d7e-4a53-9d40-3f1f1b6c2a10'])(
  '%s answers the console page, revalidated on every load',
  async (path) => {
    const res = await send(ledger.url, { method: 'GET', path });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.text).toMatch(/<script type="module" crossorigin src="\/assets\/index-[\w-]+\.js"><\/script>/);
    // Nothing inline for a script to hide in.
    expect(res.text).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
  },
);

it('sends a CSP with scripts from this origin only, nothing from another origin and no upgrade-insecure-requests, on the console, the API and /docs', async () => {
  for (const path of ['/', '/v1/ledger/checkpoint', '/docs', '/v1/nothing-here']) {
    const csp = cspOf((await send(ledger.url, { method: 'GET', path })).headers);
    expect(csp).toContain("script-src 'self';");
    // No scheme-wide source (https:, http:, *) in any directive: every fetch stays on this origin (or is data:/blob:).
    for (const directive of csp.split(';'))
      expect(directive.trim().split(/\s+/).slice(1)).not.toContainEqual(expect.stringMatching(/^(https?:|\*)/));
    expect(csp).toContain("script-src-attr 'none'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
  }
  // Only Swagger UI, which writes inline styles, may use them.
  expect(cspOf((await send(ledger.url, { method: 'GET', path: '/' })).headers)).toContain("style-src 'self';");
  expect(cspOf((await send(ledger.url, { method: 'GET', path: '/docs' })).headers)).toContain("style-src 'self' 'unsafe-inline'");
});

it('serves each bundled file with its type and a cache that never revalidates; an unknown one is a 404 problem', async () => {
  const files = readdirSync(join(CONSOLE_DIR, 'assets'));
  const script = files.find((f) => /^index-.*\.js$/.test(f))!;
  const style = files.find((f) => f.endsWith('.css'))!;
  const js = await send(ledger.url, { method: 'GET', path: `/assets/${script}` });
  expect(js.status).toBe(200);
  expect(js.headers['content-type']).toMatch(/^(text|application)\/javascript/);
  expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  const css = await send(ledger.url, { method: 'GET', path: `/assets/${style}` });
  expect(css.status).toBe(200);
  expect(css.headers['content-type']).toMatch(/^text\/css/);
  const missing = await send(ledger.url, { method: 'GET', path: '/assets/nothing.js' });
  expect(missing.status).toBe(404);
  expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
  const traversal = await send(ledger.url, { method: 'GET', path: '/assets/..%2Findex.html' });
  expect(traversal.status).toBe(404);
});

it('leaves the API as it was: unknown API paths, health, docs and metrics', async () => {
  const unknown = await send(ledger.url, { method: 'GET', path: '/v1/nothing-here' });
  expect(unknown.status).toBe(404);
  expect(unknown.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(unknown.json).toMatchObject({ status: 404 });
  // A path under a console route is not the console.
  expect((await send(ledger.url, { method: 'GET', path: '/creator/extra' })).status).toBe(404);
  expect((await send(ledger.url, { method: 'GET', path: '/health' })).status).toBe(200);
  const docs = await send(ledger.url, { method: 'GET', path: '/docs' });
  expect(docs.status).toBe(200);
  expect(docs.text).toContain('swagger-ui');
  expect((await send(ledger.url, { method: 'GET', path: '/metrics' })).status).not.toBe(404);
  // The console's routes are GET only: a write to them is no page, but a method they do not take.
  const write = await send(ledger.url, { method: 'POST', path: '/' });
  expect([write.status, write.headers.allow, write.json?.type]).toEqual([
    405,
    'GET, HEAD, OPTIONS',
    'urn:sandbox-ledger:problem:method-not-allowed',
  ]);
});

describe('LEDGER_CONSOLE=off', () => {
  it('is read from the environment: on by default, off turns the console off, anything else stops the start', () => {
    expect(loadConfig({}).console).toBe(true);
    expect(loadConfig({ LEDGER_CONSOLE: 'on' }).console).toBe(true);
    expect(loadConfig({ LEDGER_CONSOLE: 'off' }).console).toBe(false);
    expect(() => loadConfig({ LEDGER_CONSOLE: 'no' })).toThrow('LEDGER_CONSOLE must be on or off');
  });

  it('serves no console: its pages and files are 404 problems, and the API answers as before', async () => {
    const bare = await startLedger({ console: false });
    try {
      const script = readdirSync(join(CONSOLE_DIR, 'assets')).find((f) => /^index-.*\.js$/.test(f))!;
      for (const path of ['/', '/creator', '/auditor', `/assets/${script}`]) {
        const res = await send(bare.url, { method: 'GET', path });
        expect([path, res.status]).toEqual([path, 404]);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.json).toMatchObject({ status: 404 });
      }
      expect((await send(bare.url, { method: 'GET', path: '/health' })).status).toBe(200);
      expect((await send(bare.url, { method: 'GET', path: '/docs' })).status).toBe(200);
      const creator = await principal(bare, 'Alice Painter', ['creator']);
      const filed = await bare.http().post('/v1/filings').set('authorization', `Bearer ${creator.key}`).send(filingBody());
      expect(filed.status).toBe(201);
      const checkpoint = await send(bare.url, { method: 'GET', path: '/v1/ledger/checkpoint' });
      expect(checkpoint.status).toBe(200);
    } finally {
      await bare.close();
    }
  });
});
