// The console built again while the server runs (`npm run build:web`): the page is read again once its file changed,
// and the new bundled files are served, where the page used to name files the server had never listed (a blank page).
import { mkdtempSync, mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerConsole } from '../../src/console/console.routes.js';

const page = (script: string) => `<!doctype html><script type="module" src="/assets/${script}"></script>`;
let dir: string;
let fastify: FastifyInstance;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'console-rebuild-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), page('index-first.js'));
  writeFileSync(join(dir, 'assets', 'index-first.js'), 'console.log(1)');
  fastify = Fastify();
  expect(await registerConsole(fastify, dir)).toBe(true);
  await fastify.ready();
});
afterAll(async () => {
  await fastify.close();
  rmSync(dir, { recursive: true, force: true });
});

it('serves the page and the files of a build made after the server started', async () => {
  expect((await fastify.inject('/creator')).body).toBe(page('index-first.js'));
  writeFileSync(join(dir, 'assets', 'index-second.js'), 'console.log(2)');
  writeFileSync(join(dir, 'index.html'), page('index-second.js'));
  utimesSync(join(dir, 'index.html'), new Date(), new Date(Date.now() + 5_000)); // a time of its own, whatever the clock's grain
  const reloaded = await fastify.inject('/creator');
  expect([reloaded.statusCode, reloaded.body]).toEqual([200, page('index-second.js')]);
  const script = await fastify.inject('/assets/index-second.js');
  expect([script.statusCode, script.body]).toEqual([200, 'console.log(2)']);
  expect(script.headers['cache-control']).toBe('public, max-age=31536000, immutable');
});

it('keeps the last page while the file is gone mid-build, and serves nothing outside the assets', async () => {
  rmSync(join(dir, 'index.html'));
  expect((await fastify.inject('/')).body).toBe(page('index-second.js'));
  for (const path of ['/assets/../index.html', '/assets/%2e%2e/index.html', '/assets/nothing.js'])
    expect([path, (await fastify.inject(path)).statusCode]).toEqual([path, 404]);
});
