// Idempotency-Key on writes: the same key with the same request replays the first response; one event, not two.
import { createHash } from 'node:crypto';
import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants.js';
import { Reflector } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, lastValueFrom, type Observable } from 'rxjs';
import type { DataSource } from 'typeorm';
import type { Principal } from '../auth/auth.decorators.js';
import { ProjectionRunner } from '../projections/projection-runner.js';
import { IdempotencyRecord } from '../projections/read-model.entities.js';
import { canonicalJson } from '../verifier/envelope.js';
import { DomainError } from './domain-error.js';

const KEY = /^[\x21-\x7e]{1,255}$/;

@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  /** Requests under way per principal and key: a concurrent retry waits for the first one. */
  private readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(private readonly reflector: Reflector, @InjectDataSource() private readonly db: DataSource, private readonly runner: ProjectionRunner) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = ctx.switchToHttp().getRequest<FastifyRequest & { principal?: Principal }>();
    const header = request.headers['idempotency-key'];
    if (header === undefined || request.method === 'GET' || !request.principal) return next.handle();
    if (typeof header !== 'string' || !KEY.test(header)) throw new DomainError('invalid', 'invalid-idempotency-key', 'Idempotency-Key must be 1 to 255 printable ASCII characters');
    const reply = ctx.switchToHttp().getResponse<FastifyReply>();
    const status: number = this.reflector.get(HTTP_CODE_METADATA, ctx.getHandler()) ?? (request.method === 'POST' ? 201 : 200);
    const fingerprint = createHash('sha256').update(`${request.method} ${request.url}\n${canonicalJson(request.body ?? null)}`).digest('hex');
    const principalId = request.principal.principalId;
    const slot = `${principalId}\n${header}`;

    const run = async (): Promise<unknown> => {
      const prior = this.inFlight.get(slot);
      if (prior) await prior.catch(() => undefined);
      const found = await this.db.getRepository(IdempotencyRecord).findOneBy({ principalId, idempotencyKey: header });
      if (found) {
        if (found.fingerprint !== fingerprint) throw new DomainError('unprocessable', 'idempotency-key-reused', 'this Idempotency-Key was used with a different request');
        void reply.header('idempotent-replayed', 'true');
        return JSON.parse(found.body);
      }
      const body = await lastValueFrom(next.handle(), { defaultValue: undefined });
      await this.runner.exclusive((em) => em.insert(IdempotencyRecord, {
        principalId, idempotencyKey: header, fingerprint, statusCode: status, body: JSON.stringify(body ?? null), createdAt: new Date().toISOString(),
      }));
      return body;
    };
    const done = run();
    this.inFlight.set(slot, done);
    void done.finally(() => { if (this.inFlight.get(slot) === done) this.inFlight.delete(slot); }).catch(() => undefined);
    return from(done);
  }
}
