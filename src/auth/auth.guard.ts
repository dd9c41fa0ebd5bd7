// Bearer-key authentication and role checks for every route not marked @Public().
import { HttpException, HttpStatus, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError } from '../common/domain-error.js';
import { isStrongKey } from '../common/key-texts.js';
import { sentMoreThanOnce } from '../common/raw-headers.js';
import { hasRole, PUBLIC_ROUTE, REQUIRED_ROLES, type Principal } from '../common/access.js';
import { AuthService } from './auth.service.js';
import { FailedAuthentications } from './failed-authentications.js';
import type { Role } from './identity.events.js';

// The scheme's name is matched in any case, and followed by one or more spaces (RFC 9110 §11.1, 11.4).
const BEARER = /^bearer +([\x21-\x7e]{1,512})$/i;

/** 429 for an address past its limit of requests without a valid key; Retry-After says when its minute is over. */
export class TooManyFailures extends HttpException {
  constructor(readonly retryAfterSeconds: number) {
    super(`too many requests without a valid API key from this address; retry in ${retryAfterSeconds} s`, HttpStatus.TOO_MANY_REQUESTS);
  }
}

/**
 * The refusal of a request with two Authorization headers, or null: Node keeps the first, so a request sent with two keys
 * would act as whichever came first. Checked before a write's body is read (app.factory.ts) and by AuthGuard for reads.
 */
export function repeatedAuthorization(rawHeaders: readonly string[]): DomainError | null {
  return sentMoreThanOnce(rawHeaders, 'authorization')
    ? new DomainError('invalid', 'bad-request', 'Authorization is given more than once: give one key')
    : null;
}

/**
 * The refusal of a request whose Authorization cannot hold a key (none, or not 43 or more printable characters), which
 * needs no lookup: 429 past the address's limit, else 401 `missing-key` or `invalid-key`, counted as a failure. Null
 * when it may hold one: that key is looked up.
 */
export function refusalWithoutKey(failures: FailedAuthentications, ip: string, authorization: string | undefined): Error | null {
  const match = BEARER.exec(authorization ?? '');
  if (match && isStrongKey(match[1])) return null;
  const wait = failures.waitFor(ip);
  if (wait > 0) return new TooManyFailures(wait);
  failures.failed(ip);
  if (match) return new DomainError('unauthorized', 'invalid-key', 'the API key is unknown or revoked');
  // Another scheme (Basic, Token) is named, never what follows it: that may be a password.
  const scheme = OTHER_SCHEME.exec(authorization ?? '')?.[1];
  return new DomainError(
    'unauthorized',
    'missing-key',
    scheme === undefined
      ? 'an API key is required: Authorization: Bearer <key>'
      : `the Authorization scheme ${scheme} is not taken: an API key is required, as Authorization: Bearer <key>`,
  );
}

/**
 * The scheme an Authorization header names (an RFC 9110 token with credentials after a space), when it is not Bearer.
 * A value with no space is not named: it may be a bare secret.
 */
const OTHER_SCHEME = /^(?!bearer )([!#$%&'*+.^_`|~0-9A-Za-z-]{1,32}) +\S/i;

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    private readonly failures: FailedAuthentications,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const request = ctx.switchToHttp().getRequest<{
      ip: string;
      headers: Record<string, string | undefined>;
      raw: { rawHeaders: string[] };
      principal?: Principal;
    }>();
    const repeated = repeatedAuthorization(request.raw.rawHeaders);
    if (repeated) throw repeated;
    // A key that can be one is looked up, and passes when valid even past the address's limit, so that clients behind one
    // address with a key that fails do not shut out those whose keys work; anything else is refused unread.
    const refused = refusalWithoutKey(this.failures, request.ip, request.headers.authorization);
    if (refused) throw refused;
    const wait = this.failures.waitFor(request.ip);
    let principal: Principal | null;
    try {
      principal = await this.auth.authenticate(BEARER.exec(request.headers.authorization!)![1]);
    } catch (err) {
      if (err instanceof DomainError && err.kind === 'unauthorized') this.failures.failed(request.ip); // an expired key
      throw err;
    }
    if (!principal) {
      if (wait > 0) throw new TooManyFailures(wait);
      this.failures.failed(request.ip);
      throw new DomainError('unauthorized', 'invalid-key', 'the API key is unknown or revoked');
    }
    request.principal = principal;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(REQUIRED_ROLES, targets);
    if (roles && !hasRole(principal, ...roles))
      throw new DomainError('forbidden', 'role-required', `this action needs the role ${roles.join(' or ')}`);
    return true;
  }
}
