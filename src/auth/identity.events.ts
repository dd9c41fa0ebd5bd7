import type { DomainEvent } from '../ledger/decider.js';

import type { Role } from '../common/access.js';

export { ROLES, type Role } from '../common/access.js';

export const principalStream = (principalId: string) => `principal-${principalId}`;

export type PrincipalRegistered = DomainEvent<
  'PrincipalRegistered',
  { principalId: string; name: string; roles: Role[]; registeredAt: string }
>;
/** `expiresAt`, when present: the key is refused from that instant on. */
export type ApiKeyIssued = DomainEvent<
  'ApiKeyIssued',
  { principalId: string; keyId: string; keyHash: string; issuedAt: string; expiresAt?: string }
>;
export type ApiKeyRevoked = DomainEvent<'ApiKeyRevoked', { principalId: string; keyId: string; revokedAt: string }>;

export type IdentityEvent = PrincipalRegistered | ApiKeyIssued | ApiKeyRevoked;
