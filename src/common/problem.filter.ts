import type { Duplex } from 'node:stream';
import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { DomainError } from './domain-error.js';
import { problem, PROBLEM_CONTENT_TYPE, reasonPhrase, toProblem } from './problem.js';
import { RepeatedLines } from './repeated-lines.js';
import { ReplayedResponse } from './replayed-response.js';

const logger = new Logger('errors');

/** The Fastify decoration that holds an application's refusal lines (`holdRefusals`). */
const REFUSALS = 'refusalLines';

/**
 * The refusals the server chose, one line per kind a minute: a refusal that meets every request while it lasts would
 * flood the log. One per application, decorated on its Fastify instance (its routes' plugins see it too), and summed
 * up when it closes: another application in the process keeps its own windows.
 */
export function holdRefusals(fastify: FastifyInstance): void {
  const lines = new RepeatedLines(60_000, (line) => logger.error(line));
  fastify.decorate(REFUSALS, lines);
  fastify.addHook('onClose', (_instance, done) => {
    lines.flush();
    done();
  });
}

/** The refusal lines of the application that serves this reply (none for a Fastify instance `holdRefusals` has not seen). */
export function refusalLinesOf(fastify: FastifyInstance): RepeatedLines | undefined {
  return (fastify as unknown as Partial<Record<typeof REFUSALS, RepeatedLines>>)[REFUSALS];
}

/** The requests answered with a refusal the server chose (a DomainError), whatever its status. */
const refusedByChoice = new WeakSet<object>();

/**
 * Whether `request` was answered with a refusal the server chose (a DomainError): its outcome is known, unlike an
 * error's, so a server error of that kind (503 stale-time, read-models-behind, ruleset-unknown) appended nothing the
 * request did not record (src/ledger/write/request-writes.ts).
 */
export const refusedOnPurpose = (request: object): boolean => refusedByChoice.has(request);

export function sendProblem(reply: FastifyReply, err: unknown): void {
  const { problem, internal } = toProblem(err, reply.request?.routeOptions?.bodyLimit);
  if (err instanceof DomainError && reply.request) refusedByChoice.add(reply.request);
  // A refusal the server chose (a DomainError: read models behind, a sequencer waited in vain, rules unknown) is logged
  // as its code and detail, the first at once and then a count a minute per code; anything else with its stack, each time.
  if (internal) {
    // By the error's class and code: two refusals that share a code (`unavailable`) are told apart.
    const lines = refusalLinesOf(reply.server);
    if (err instanceof DomainError && lines) lines.line(`${err.name} ${err.code}`, `${err.code}: ${err.message}`);
    else logger.error(`${(err as Error)?.stack ?? String(err)}`);
  }
  if (problem.status === 401) reply.header('WWW-Authenticate', 'Bearer');
  const retryAfter = (err as { retryAfterSeconds?: unknown })?.retryAfterSeconds;
  if ((problem.status === 503 || problem.status === 429) && typeof retryAfter === 'number') reply.header('Retry-After', String(retryAfter));
  void reply.status(problem.status).header('content-type', PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
}

/**
 * A request Node's HTTP parser refuses before Fastify sees it (headers too large, a line that is not HTTP, two lengths,
 * a request not received in time): answered on the socket, in the API's problem form, and the connection closed, as
 * the parser leaves it unusable.
 */
export function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  // A response already under way on the connection (a request before this one, pipelined) would take the problem into
  // its body: the connection is closed instead, as Node's own handler does.
  const current = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
  if (!socket.writable || current?.headersSent) {
    socket.destroy(err);
    return;
  }
  const [status, code, detail] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'headers-too-large', "the request's headers are larger than the server reads"]
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'request-timeout', 'the request was not received in time']
        : [400, 'bad-request', `the request is not valid HTTP/1.1 (${err.message})`];
  const body = JSON.stringify(problem(status, code, detail));
  socket.end(
    `HTTP/1.1 ${status} ${reasonPhrase(status)}\r\ncontent-type: ${PROBLEM_CONTENT_TYPE}\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
      `x-content-type-options: nosniff\r\ncache-control: no-store\r\nconnection: close\r\n\r\n${body}`,
  );
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  catch(err: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    if (err instanceof ReplayedResponse) {
      // Not a problem: the answer of the Idempotency-Key's first request, sent again as it was.
      void reply
        .status(err.status)
        .header('idempotent-replayed', 'true')
        .header('content-type', 'application/json; charset=utf-8')
        .send(err.body);
      return;
    }
    sendProblem(reply, err);
  }
}
