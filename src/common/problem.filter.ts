import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { PROBLEM_CONTENT_TYPE, toProblem } from './problem.js';
import { ReplayedResponse } from './replayed-response.js';

const logger = new Logger('errors');

export function sendProblem(reply: FastifyReply, err: unknown): void {
  const { problem, internal } = toProblem(err);
  if (internal) logger.error(`${(err as Error)?.stack ?? String(err)}`);
  if (problem.status === 401) reply.header('WWW-Authenticate', 'Bearer');
  const retryAfter = (err as { retryAfterSeconds?: unknown })?.retryAfterSeconds;
  if (problem.status === 503 && typeof retryAfter === 'number') reply.header('Retry-After', String(retryAfter));
  void reply.status(problem.status).header('content-type', PROBLEM_CONTENT_TYPE).send(JSON.stringify(problem));
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
