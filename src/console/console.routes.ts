// The web console: the files `npm run build:web` bundled into web/dist, served by this server as they are. The console's
// own paths get routes (index.html for each client-side route, one route per bundled file under /assets/), and a GET
// that no route takes is a 404 either way: the console's not-found page for a browser's navigation outside /v1, the
// API's problem+json for anything else (/v1 paths, scripts, curl), as without the console; a 405 where routes take its
// path under other methods, and a 414 where a segment is longer than the parameter of a route that takes the path (a
// console page's too: /certificate/<201 characters>). No hook: requests that a route takes are untouched.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import { NotFoundException } from '@nestjs/common';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { answerOtherMethod, answerParamTooLong } from '../common/method-not-allowed.js';
import { sendProblem } from '../common/problem.filter.js';

/** The client-side routes of web/src/app.tsx; a reload or a shared link of any of them loads the console. */
export const CONSOLE_ROUTES = ['/', '/certificate/:filingId', '/creator', '/reviewer', '/auditor'] as const;

/** web/dist beside src/ and dist/ (this file runs from either). */
export const CONSOLE_DIR = join(import.meta.dirname, '..', '..', 'web', 'dist');

/** Registers the console's routes; returns false (and registers nothing) when the console has not been built. */
export async function registerConsole(fastify: FastifyInstance, dir: string = CONSOLE_DIR): Promise<boolean> {
  const indexFile = join(dir, 'index.html');
  if (!existsSync(indexFile)) return false;
  // The page names its assets by content hash, so it changes only with a build: read again when the file has changed
  // (`npm run build:web` beside a running server), else kept. A build under way that removed it leaves the last one.
  let indexHtml = readFileSync(indexFile);
  let indexStamp = stampOf(indexFile);
  const page = () => {
    const stamp = stampOf(indexFile);
    if (stamp !== null && stamp !== indexStamp) {
      try {
        indexHtml = readFileSync(indexFile);
        indexStamp = stamp;
      } catch {
        /* being written: the last one read */
      }
    }
    return indexHtml;
  };
  const sendPage = (reply: FastifyReply, status: number) =>
    void reply.code(status).header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(page());
  for (const url of CONSOLE_ROUTES) fastify.get(url, (_request, reply) => sendPage(reply, 200));
  // The lowest-priority route: only a GET (or HEAD) that no other route takes reaches it. index.html's router has no
  // route for the path, so it shows the console's not-found page; the status says 404 all the same.
  const pages = CONSOLE_ROUTES.map((route) => new RegExp(`^${route.replace(/:\w+/g, '[^/]+')}$`));
  fastify.get('/*', (request, reply) => {
    // A console page's path with a slash after it (typed, or pasted from somewhere): its one address.
    const at = request.url.indexOf('?');
    const [path, query] = at < 0 ? [request.url, ''] : [request.url.slice(0, at), request.url.slice(at)];
    const page = path.replace(/\/+$/, '');
    if (page !== path && page !== '' && pages.some((p) => p.test(page))) {
      void reply.redirect(page + query, 308);
      return;
    }
    // A route's path with a parameter too long for the router is 414, and a path whose routes take other methods (a GET
    // of a POST route) is 405, as with no console.
    if (answerParamTooLong(fastify, request, reply) || answerOtherMethod(fastify, request, reply)) return;
    if (navigation(path, request.headers.accept)) {
      sendPage(reply, 404);
      return;
    }
    // What Nest answers for a path no route takes, had this route not been there.
    sendProblem(reply, new NotFoundException(`Cannot ${request.method} ${request.url}`));
  });
  // Bundled files carry their content hash in their names, so they never change: cache them for good.
  await fastify.register(fastifyStatic, {
    root: join(dir, 'assets'),
    prefix: '/assets/',
    // Looked up when asked for, not listed at start: a build made while the server runs serves its new files.
    wildcard: true,
    index: false,
    decorateReply: false,
    immutable: true,
    maxAge: '365d',
  });
  return true;
}

/** The file's modification time and size, null when it cannot be read. */
function stampOf(file: string): string | null {
  try {
    const { mtimeMs, size } = statSync(file);
    return `${mtimeMs}:${size}`;
  } catch {
    return null;
  }
}

/** A browser loading a page (it asks for HTML first) at a path outside the API. */
function navigation(path: string, accept = ''): boolean {
  if (path === '/v1' || path.startsWith('/v1/')) return false;
  return /(^|,)\s*text\/html\s*(;|,|$)/i.test(accept);
}
