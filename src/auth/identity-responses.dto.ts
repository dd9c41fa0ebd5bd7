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

export class OwnKeyDto {
  keyId: string;
  principalId: string;
  issuedAt: string;
  revokedAt: string | null;
  expiresAt: string | null;
  /** The key this request was made with. */
  current: boolean;
}

export class MeDto {
  principalId: string;
  name: string;
  roles: Role[];
  registeredAt: string;
  keys: OwnKeyDto[];
}
