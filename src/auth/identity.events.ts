import type { DomainEvent } from '../ledger/decider.js';

import type { Role } from '../common/access.js';

export { ROLES, type Role } from '../common/access.js';

export { principalStream } from '../verifier/event-catalogue.js';

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

/**
 * Every revocation of an admin's key that does not expire also appends a mark here, at the stream's revision, in the
 * same commit: instances sharing a store then order those revocations through the store, and one that decided on a
 * stale count of such keys loses the race and decides again (a ledger is never left without an admin).
 */
export { ADMIN_KEYS_STREAM } from '../verifier/event-catalogue.js';
export type LastingAdminKeyRevoked = DomainEvent<'LastingAdminKeyRevoked', { principalId: string; keyId: string }>;
