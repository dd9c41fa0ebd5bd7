// Bearer-key authentication and role checks for every route not marked @Public().
import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError } from '../common/domain-error.js';
import { hasRole, PUBLIC_ROUTE, REQUIRED_ROLES } from '../common/access.js';
import { AuthService } from './auth.service.js';
import type { Role } from './identity.events.js';

const BEARER = /^Bearer ([\x21-\x7e]{1,512})$/;

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const request = ctx.switchToHttp().getRequest();
    const match = BEARER.exec(request.headers.authorization ?? '');
    if (!match) throw new DomainError('unauthorized', 'missing-key', 'an API key is required: Authorization: Bearer <key>');
    const principal = await this.auth.authenticate(match[1]);
    if (!principal) throw new DomainError('unauthorized', 'invalid-key', 'the API key is unknown or revoked');
    request.principal = principal;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(REQUIRED_ROLES, targets);
    if (roles && !hasRole(principal, ...roles))
      throw new DomainError('forbidden', 'role-required', `this action needs the role ${roles.join(' or ')}`);
    return true;
  }
}
