// Secrets at rest and in logs: the compiled server, as a child process at debug level, creates its key files 0600 in a
// 0700 data dir, and nothing it prints ever holds an API key, the signing key or an Authorization header.
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { filingBody, tempDir } from '../support/ledger-app.js';
import { labelsBody } from '../support/cast.js';
import { call, multipart, send } from '../support/http-client.js';
import { startServerProcess } from '../support/server-process.js';

const mode = (path: string) => statSync(path).mode & 0o777;

describe('secrets', () => {
  const parent = tempDir('ledger-secrets-');
  afterAll(() => rmSync(parent, { recursive: true, force: true }));

  it('creates the data dir 0700 and the generated admin and signing keys 0600, and never prints a key or an authorization header', async () => {
    const dataDir = join(parent, 'data'); // does not exist yet: the server creates it
    const server = await startServerProcess({ LEDGER_DATA_DIR: dataDir, LOG_LEVEL: 'debug' });
    const secrets: Array<[string, string]> = [];
    try {
      expect(mode(dataDir)).toBe(0o700);
      expect(mode(join(dataDir, 'admin.key'))).toBe(0o600);
      expect(mode(join(dataDir, 'log-signing.key'))).toBe(0o600);
      expect(mode(join(dataDir, 'log-mldsa.key'))).toBe(0o600);
      const admin = readFileSync(join(dataDir, 'admin.key'), 'utf8').trim();
      expect(admin).toMatch(/^slk_[A-Za-z0-9_-]{43}$/);
      secrets.push(
        ['admin key', admin],
        ['signing key', readFileSync(join(dataDir, 'log-signing.key'), 'utf8').trim()],
        ['ML-DSA-44 key', readFileSync(join(dataDir, 'log-mldsa.key'), 'utf8').trim()],
      );
      const url = server.url;

      // Principals of every role, a second key, a revoked key: each used for allowed, refused and malformed requests.
      const register = async (name: string, roles: string[]) => {
        const res = await call(url, 'POST', '/v1/principals', admin, { name, roles });
        expect(res.status).toBe(201);
        secrets.push([`${name}'s key`, res.json.apiKey.key]);
        return { id: res.json.principalId as string, key: res.json.apiKey.key as string, keyId: res.json.apiKey.keyId as string };
      };
      const creator = await register('Alice', ['creator']);
      const reviewer = await register('Rita', ['reviewer']);
      const auditor = await register('Audrey', ['auditor']);
      const extra = await call(url, 'POST', `/v1/principals/${creator.id}/keys`, admin);
      expect(extra.status).toBe(201);
      secrets.push(['second key', extra.json.key]);

      const filed = await call(url, 'POST', '/v1/filings', creator.key, filingBody(), { 'idempotency-key': 'first-filing' });
      expect(filed.status).toBe(201);
      expect((await call(url, 'POST', '/v1/filings', creator.key, filingBody(), { 'idempotency-key': 'first-filing' })).status).toBe(422);
      expect((await call(url, 'POST', `/v1/filings/${filed.json.filingId}/labels`, extra.json.key, labelsBody())).status).toBe(201);
      const upload = multipart([{ name: 'file', filename: 'w.bin', data: Buffer.from('not the work') }]);
      expect(
        (
          await send(url, {
            method: 'POST',
            path: `/v1/filings/${filed.json.filingId}/labels/verify`,
            headers: { authorization: `Bearer ${creator.key}`, 'content-type': upload.type },
            body: upload.body,
          })
        ).status,
      ).toBe(422);
      expect((await call(url, 'GET', `/v1/filings/${filed.json.filingId}/receipt`, auditor.key)).status).toBe(200);
      expect((await call(url, 'GET', '/v1/ledger/export', auditor.key)).status).toBe(200);
      expect((await call(url, 'POST', '/v1/filings', reviewer.key, filingBody())).status).toBe(403);
      expect((await call(url, 'POST', '/v1/principals', creator.key, { name: 'Eve', roles: ['admin'] })).status).toBe(403);
      expect((await call(url, 'DELETE', `/v1/keys/${extra.json.keyId}`, admin)).status).toBe(200);
      expect((await call(url, 'GET', '/v1/filings', extra.json.key)).status).toBe(401);
      // The scheme in lowercase is the same scheme (RFC 9110 §11.1); its key is no more printed than the others.
      expect((await send(url, { method: 'GET', path: '/v1/filings', headers: { authorization: `bearer ${creator.key}` } })).status).toBe(
        200,
      );
      // Keys where they do not belong: query string, path, another header, a JSON field name and value.
      expect(
        (await send(url, { method: 'GET', path: `/v1/filings?key=${creator.key}`, headers: { authorization: `Bearer ${creator.key}` } }))
          .status,
      ).toBe(400);
      expect((await call(url, 'GET', `/v1/filings/${creator.key}`, creator.key)).status).toBe(400);
      expect((await send(url, { method: 'GET', path: '/v1/filings', headers: { 'x-api-key': creator.key } })).status).toBe(401);
      expect((await call(url, 'POST', '/v1/filings', creator.key, { [creator.key]: creator.key })).status).toBe(400);
      expect((await call(url, 'GET', '/v1/filings', `slk_${'A'.repeat(43)}`)).status).toBe(401);
      secrets.push(['unknown key', `slk_${'A'.repeat(43)}`]);
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    const printed = server.output();
    // Not vacuous: debug logging was on and every request above was logged.
    expect(printed).toMatch(/"route":"\/v1\/filings"/);
    expect(printed.match(/"context":"http"/g)?.length ?? 0).toBeGreaterThanOrEqual(20);
    const leaks = secrets.filter(([, secret]) => printed.includes(secret)).map(([name]) => name);
    expect(leaks).toEqual([]);
    expect(printed).not.toMatch(/authorization/i);
    expect(printed).not.toMatch(/bearer/i);
    expect(printed).not.toMatch(/slk_[A-Za-z0-9_-]{20,}/);
  });

  it('keeps an existing admin key file and registers no second admin on restart', async () => {
    const dataDir = tempDir('ledger-boot-');
    try {
      const first = await startServerProcess({ LEDGER_DATA_DIR: dataDir });
      const key = readFileSync(join(dataDir, 'admin.key'), 'utf8').trim();
      first.child.kill('SIGTERM');
      await first.exited;
      const again = await startServerProcess({ LEDGER_DATA_DIR: dataDir });
      expect(readFileSync(join(dataDir, 'admin.key'), 'utf8').trim()).toBe(key);
      expect(mode(join(dataDir, 'admin.key'))).toBe(0o600);
      expect((await call(again.url, 'GET', '/v1/filings', key)).status).toBe(200);
      const principals = (await call(again.url, 'GET', '/v1/ledger/export', key)).text
        .split('\n')
        .filter((l) => l.includes('"PrincipalRegistered"'));
      again.child.kill('SIGTERM');
      await again.exited;
      expect(principals).toHaveLength(1);
      expect(again.output()).not.toContain(key);
      expect(first.output()).not.toContain(key);
      expect(first.output()).toContain('admin.key');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
