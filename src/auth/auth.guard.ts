// Bearer-key authentication and role checks for every route not marked @Public().
import { HttpException, HttpStatus, Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError } from '../common/domain-error.js';
import { isStrongKey } from '../common/key-texts.js';
import { hasRole, PUBLIC_ROUTE, REQUIRED_ROLES, type Principal } from '../common/access.js';
import { APP_CONFIG, type AppConfig } from '../config.js';
import { AuthService } from './auth.service.js';
import { FailedAuthentications } from './failed-authentications.js';
import type { Role } from './identity.events.js';

const BEARER = /^Bearer ([\x21-\x7e]{1,512})$/;

/** 429 for an address past its limit of requests without a valid key; Retry-After says when its minute is over. */
class TooManyFailures extends HttpException {
  constructor(readonly retryAfterSeconds: number) {
    super(`too many requests without a valid API key from this address; retry in ${retryAfterSeconds} s`, HttpStatus.TOO_MANY_REQUESTS);
  }
}

@Injectable()
export class AuthGuard implements CanActivate {
  private readonly failures: FailedAuthentications;

  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.failures = new FailedAuthentications(config.publicRateLimit);
  }

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const request = ctx.switchToHttp().getRequest<{ ip: string; headers: Record<string, string | undefined>; principal?: Principal }>();
    let principal: Principal | null;
    try {
      const match = BEARER.exec(request.headers.authorization ?? '');
      // An address past its limit is refused without a lookup when it sends no key, or one that cannot be a key (under 43
      // printable characters); a key that can be one is still looked up and passes when valid, so that clients behind
      // one address with a key that fails do not shut out those whose keys work (held or not).
      const wait = this.failures.waitFor(request.ip);
      if (wait > 0 && !(match && isStrongKey(match[1]))) throw new TooManyFailures(wait);
      if (!match) throw new DomainError('unauthorized', 'missing-key', 'an API key is required: Authorization: Bearer <key>');
      principal = await this.auth.authenticate(match[1]);
      if (!principal && wait > 0) throw new TooManyFailures(wait);
      if (!principal) throw new DomainError('unauthorized', 'invalid-key', 'the API key is unknown or revoked');
    } catch (err) {
      if (err instanceof DomainError && err.kind === 'unauthorized') this.failures.failed(request.ip);
      throw err;
    }
    request.principal = principal;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(REQUIRED_ROLES, targets);
    if (roles && !hasRole(principal, ...roles))
      throw new DomainError('forbidden', 'role-required', `this action needs the role ${roles.join(' or ')}`);
    return true;
  }
}
