// The ledger's part of every request before its handler runs, after authentication (AuthModule registers it after
// AuthGuard: both read the principal): the wait for the read models the request needs (read-your-writes), then the
// Idempotency-Key's claim. Their other half runs once the request is answered, in the server's onSend hook
// (src/app.factory.ts). A guard and a hook rather than interceptors: any interceptor on a route puts each of its requests
// through Nest's rxjs pipeline, which with these two cost a durable filing a fifth to a quarter of its server CPU, and
// about a tenth with interceptors that did nothing (docs/development.md).
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ReadYourWrites, type GatedRequest } from '../read-models/read-your-writes.js';
import { Idempotency } from './idempotency.js';

@Injectable()
export class LedgerRequestGuard implements CanActivate {
  constructor(
    private readonly reads: ReadYourWrites,
    private readonly idempotency: Idempotency,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const http = ctx.switchToHttp();
    const request = http.getRequest<GatedRequest>();
    await this.reads.before(request, ctx.getHandler());
    await this.idempotency.before(request, http.getResponse<FastifyReply>(), ctx.getHandler());
    return true;
  }
}
