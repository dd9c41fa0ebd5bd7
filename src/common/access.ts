// Who may call a route: the roles, the principal a request carries, and the marks the auth guard reads.
import { createParamDecorator, SetMetadata, type ExecutionContext } from '@nestjs/common';

export const ROLES = ['creator', 'reviewer', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const PUBLIC_ROUTE = 'ledger:public';
export const REQUIRED_ROLES = 'ledger:roles';

export interface Principal {
  principalId: string;
  name: string;
  roles: Role[];
  keyId: string;
  /** When the key the request was made with expires (ISO-8601 UTC), or null: a key it issues expires by then too. */
  keyExpiresAt: string | null;
}

/** No key needed. */
export const Public = () => SetMetadata(PUBLIC_ROUTE, true);
/** The caller must hold one of these roles. */
export const Roles = (...roles: Role[]) => SetMetadata(REQUIRED_ROLES, roles);

export const CurrentPrincipal = createParamDecorator(
  (_: unknown, ctx: ExecutionContext): Principal => ctx.switchToHttp().getRequest().principal,
);

export const hasRole = (p: Principal, ...roles: Role[]) => roles.some((r) => p.roles.includes(r));
