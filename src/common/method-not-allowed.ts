// A request whose method the routes of its path do not take is answered 405 with the methods they take (RFC 9110
// §15.5.6), and an OPTIONS request 204 with them (§9.3.7). Fastify's router looks a path up under the request's method
// alone, so such a request met no route and was answered as one for a path no route takes, 404. And a path routes take
// but for a segment too long for their parameter is 414 where a wildcard route (the console's) would take it instead.
import { HttpException, MethodNotAllowedException } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { sendProblem } from './problem.filter.js';
import { MAX_PARAM_LENGTH, PARAM_TOO_LONG } from './problem.js';

/**
 * The methods the routes of `url`'s path take, as Fastify's router finds them (HEAD with GET), in the router's order of
 * methods; none when no route takes the path. A wildcard route (the console's `/*`, which takes every GET no other
 * route does so as to answer it; the files under `/assets/*` and `/docs/*`) answers for whatever path is under it,
 * there or not, and makes no path known.
 */
export function allowedMethods(fastify: FastifyInstance, url: string): string[] {
  const allowed = new Set<string>();
  for (const method of fastify.supportedMethods) {
    // Typed as always found; null when no route of the method takes the path.
    const route = fastify.findRoute({ method: method as HTTPMethods, url }) as ReturnType<FastifyInstance['findRoute']> | null;
    // A parameter longer than the router's maxParamLength, where no other route takes the path, is found as a handler
    // of the router's own (Fastify's 414), with no searchParams: no route.
    if (route === null || route.searchParams === undefined || Object.hasOwn(route.params, '*')) continue;
    // A parameter matched as empty (`/v1/filings/` as `/v1/filings/:id`) is no path a route takes: GET answers it 404.
    if (Object.values(route.params as Record<string, string>).some((value) => value === '')) continue;
    allowed.add(method);
    if (method === 'GET') allowed.add('HEAD');
  }
  return [...allowed];
}

/**
 * Answers a request whose method no route of its path takes, when routes take the path under others: OPTIONS with 204
 * and `Allow`, any other method with 405 method-not-allowed and `Allow` (OPTIONS among the methods it names); false
 * (nothing sent) when no route takes the path.
 */
export function answerOtherMethod(fastify: FastifyInstance, request: FastifyRequest, reply: FastifyReply): boolean {
  const routed = allowedMethods(fastify, request.url);
  if (routed.length === 0) return false;
  const allowed = [...routed, 'OPTIONS'].join(', ');
  if (request.method === 'OPTIONS') {
    void reply.header('allow', allowed).code(204).send();
    return true;
  }
  const path = request.url.split('?')[0];
  sendProblem(
    reply.header('allow', allowed),
    new MethodNotAllowedException(`${path} does not take ${request.method}; it takes ${allowed}`),
  );
  return true;
}

/**
 * Answers a request for a path routes take but for a segment longer than a route's parameter takes with 414
 * uri-too-long, whatever its method, as the router answers it where no wildcard route takes the path (the console's `/*`
 * takes a GET there); false (nothing sent) otherwise. The path is looked up again with each such segment cut short.
 */
export function answerParamTooLong(fastify: FastifyInstance, request: FastifyRequest, reply: FastifyReply): boolean {
  const [path, query = ''] = request.url.split(/\?(.*)/s);
  const segments = path.split('/');
  if (!segments.some((s) => s.length > MAX_PARAM_LENGTH)) return false;
  const url = segments.map((s) => (s.length > MAX_PARAM_LENGTH ? 'x' : s)).join('/') + (query ? `?${query}` : '');
  if (allowedMethods(fastify, url).length === 0) return false;
  sendProblem(reply, new HttpException(PARAM_TOO_LONG, 414));
  return true;
}
