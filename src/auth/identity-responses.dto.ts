// Answers of the identity endpoints, as the OpenAPI document describes them.
import type { IssuedKey, RegisteredPrincipal } from './identity.commands.js';
import type { Role } from './identity.events.js';

export class IssuedKeyDto implements IssuedKey {
  keyId: string;
  /** The API key (`slk_` and 43 base64url characters): shown this once, never stored in clear. */
  key: string;
  expiresAt: string | null;
}

export class RegisteredPrincipalDto implements RegisteredPrincipal {
  principalId: string;
  name: string;
  roles: Role[];
  apiKey: IssuedKeyDto;
}

export class RevokedKeyDto {
  keyId: string;
  revokedAt: string;
}

/** A key issued to a principal: its id and times, never the key or its hash. */
export class KeyDto {
  keyId: string;
  principalId: string;
  issuedAt: string;
  revokedAt: string | null;
  expiresAt: string | null;
}

export class OwnKeyDto extends KeyDto {
  /** The key this request was made with. */
  current: boolean;
}

export class PrincipalSummaryDto {
  principalId: string;
  name: string;
  roles: Role[];
  registeredAt: string;
}

export class MeDto extends PrincipalSummaryDto {
  keys: OwnKeyDto[];
}

export class PrincipalPageDto {
  /** By id: a UUIDv7, so about the order they were registered in. */
  items: PrincipalSummaryDto[];
  /** Pass as `cursor` for the next page; null on the last. */
  nextCursor: string | null;
}

export class PrincipalDto extends PrincipalSummaryDto {
  /** Every key issued to the principal, oldest first, revoked and expired ones included. */
  keys: KeyDto[];
}
