// The web console: the files `npm run build:web` bundled into web/dist, served by this server as they are. Only the
// console's own paths get routes (index.html for each client-side route, one route per bundled file under /assets/):
// no catch-all and no hook, so /v1 requests and unknown API paths (404 problem+json) are untouched.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** The client-side routes of web/src/app.tsx; a reload or a shared link of any of them loads the console. */
export const CONSOLE_ROUTES = ['/', '/certificate/:filingId', '/creator', '/reviewer', '/auditor'] as const;

/** web/dist beside src/ and dist/ (this file runs from either). */
export const CONSOLE_DIR = join(import.meta.dirname, '..', '..', 'web', 'dist');

/** Registers the console's routes; returns false (and registers nothing) when the console has not been built. */
export async function registerConsole(fastify: FastifyInstance, dir: string = CONSOLE_DIR): Promise<boolean> {
  const indexFile = join(dir, 'index.html');
  if (!existsSync(indexFile)) return false;
  // Read once: the page is a few hundred bytes and names its assets by content hash, so it changes only with a build.
  const indexHtml = readFileSync(indexFile);
  for (const url of CONSOLE_ROUTES)
    fastify.get(url, (_request, reply) => {
      void reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(indexHtml);
    });
  // Bundled files carry their content hash in their names, so they never change: cache them for good.
  await fastify.register(fastifyStatic, {
    root: join(dir, 'assets'),
    prefix: '/assets/',
    wildcard: false,
    index: false,
    decorateReply: false,
    immutable: true,
    maxAge: '365d',
  });
  return true;
}
