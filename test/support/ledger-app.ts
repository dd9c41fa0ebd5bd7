// Starts the real application on a real port with its own data directory.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { createApp } from '../../src/app.factory.js';
import { loadConfig, type AppConfig } from '../../src/config.js';
import type { EventStore } from '../../src/ledger/event-store/event-store.port.js';
import { EVENT_STORE } from '../../src/ledger/ledger.tokens.js';
import { dropSchema, freshSchema } from './pg-schema.js';

export interface LedgerApp {
  app: NestFastifyApplication;
  url: string;
  config: AppConfig;
  store: EventStore;
  adminKey: string;
  http: () => ReturnType<typeof request>;
  close: () => Promise<void>;
}

export const tempDir = (prefix = 'ledger-', parent = tmpdir()) => mkdtempSync(join(parent, prefix));
export const strongKey = () => 'slk_' + randomBytes(32).toString('base64url');

/**
 * TEST_LEDGER_STORE=postgres (with TEST_DATABASE_URL) runs every suite that does not pick a store itself on
 * PostgreSQL, each app in a fresh schema dropped on close: the read-model migrations and queries' portability check.
 * Suites that give a data dir are about that directory's files (restarts, tampering) and stay on SQLite.
 */
function storeUnderTest(overrides: Partial<AppConfig>): { store: Partial<AppConfig>; drop?: string } {
  if (overrides.store || overrides.dataDir || process.env.TEST_LEDGER_STORE !== 'postgres' || !process.env.TEST_DATABASE_URL)
    return { store: {} };
  const databaseSchema = freshSchema('test_e2e');
  return { store: { store: 'postgres', databaseUrl: process.env.TEST_DATABASE_URL, databaseSchema }, drop: databaseSchema };
}

/** `tempRoot`: where the data directory is made when `overrides` gives none (the system's temporary directory). */
export async function startLedger(overrides: Partial<AppConfig> = {}, { tempRoot }: { tempRoot?: string } = {}): Promise<LedgerApp> {
  const dataDir = overrides.dataDir ?? tempDir('ledger-', tempRoot);
  const adminKey = overrides.bootstrapAdminKey ?? strongKey();
  const { store, drop } = storeUnderTest(overrides);
  // What this call made is removed if the app does not start, as close() removes it after.
  const cleanUp = async () => {
    if (!overrides.dataDir) rmSync(dataDir, { recursive: true, force: true });
    if (drop) await dropSchema(drop);
  };
  let config: AppConfig;
  let app: NestFastifyApplication;
  try {
    config = loadConfig(
      {},
      { dataDir, bootstrapAdminKey: adminKey, logLevel: 'silent', port: 0, host: '127.0.0.1', ...store, ...overrides },
    );
    app = await createApp(config);
  } catch (err) {
    await cleanUp();
    throw err;
  }
  try {
    await app.listen(0, '127.0.0.1');
  } catch (err) {
    await app.close().catch(() => undefined);
    await cleanUp();
    throw err;
  }
  const address = app.getHttpServer().address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    app,
    url,
    config,
    adminKey,
    store: app.get<EventStore>(EVENT_STORE),
    http: () => request(url),
    close: async () => {
      await app.close();
      await cleanUp();
    },
  };
}

/** Registers a principal through the admin API and returns its id and key. */
export async function principal(ledger: LedgerApp, name: string, roles: string[]): Promise<{ id: string; key: string; keyId: string }> {
  const res = await request(ledger.url).post('/v1/principals').set('authorization', `Bearer ${ledger.adminKey}`).send({ name, roles });
  if (res.status !== 201) throw new Error(`principal ${name}: ${res.status} ${res.text}`);
  return { id: res.body.principalId, key: res.body.apiKey.key, keyId: res.body.apiKey.keyId };
}

let counter = 0;
/** A valid filing body for distinct content. */
export function filingBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const contentHash = randomBytes(32).toString('hex');
  counter += 1;
  return {
    contentHash,
    contentType: 'image/png',
    title: `Work ${counter}`,
    generation: {
      digitalSourceType: 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia',
      tool: { name: 'Stable Diffusion', version: '3.5', provider: 'Stability AI' },
      promptHash: randomBytes(32).toString('hex'),
      negativePromptHash: randomBytes(32).toString('hex'),
      parameters: { steps: 30, cfg: 7.5, sampler: 'euler' },
      seed: '18446744073709551615',
      iterations: 14,
      humanContribution: 'Wrote and refined the prompt over 14 iterations, selected one of 56 candidates and repainted the sky.',
    },
    processEvidence: [
      { sha256: randomBytes(32).toString('hex'), kind: 'draft', description: 'first draft', createdAt: '2024-11-28T10:00:00Z' },
    ],
    perceptualHash: { scheme: 'phash64', value: randomBytes(8).toString('hex') },
    ...overrides,
  };
}

/** GET /v1/ledger/export with `key`, the whole NDJSON body read as text. */
export function fetchExport(ledger: LedgerApp, key: string) {
  return ledger
    .http()
    .get('/v1/ledger/export')
    .set('authorization', `Bearer ${key}`)
    .buffer(true)
    .parse((r, cb) => {
      let text = '';
      r.on('data', (d: Buffer) => {
        text += d.toString();
      });
      r.on('end', () => cb(null, text));
    });
}

type Answer = { status: number; headers: Record<string, string>; body: any };

/** Asserts that a refused request answers problem+json with this status and problem code, and appends nothing. */
export async function expectRefused(
  ledger: LedgerApp,
  send: () => PromiseLike<Answer>,
  status: number,
  code: string,
): Promise<Record<string, unknown>> {
  const before = await ledger.store.count();
  const res = await send();
  expect({ status: res.status, type: res.body.type }).toEqual({ status, type: `urn:sandbox-ledger:problem:${code}` });
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(await ledger.store.count()).toBe(before);
  return res.body as Record<string, unknown>;
}

/** Requests to `ledger` made with `who`'s key. */
export const actingAs = (ledger: LedgerApp, who: { key: string }) => ({
  post: (path: string, body: object = {}) => ledger.http().post(path).set('authorization', `Bearer ${who.key}`).send(body),
  get: (path: string, query: Record<string, string | number> = {}) =>
    ledger.http().get(path).query(query).set('authorization', `Bearer ${who.key}`),
});
