import { LedgerCommand } from '../ledger/write/request-writes.js';
import type { Role } from './identity.events.js';

export interface IssuedKey {
  keyId: string;
  key: string;
  expiresAt: string | null;
}
export interface RegisteredPrincipal {
  principalId: string;
  name: string;
  roles: Role[];
  apiKey: IssuedKey;
}

export class RegisterPrincipal extends LedgerCommand<RegisteredPrincipal> {
  /** `key` is only given for the bootstrap admin; otherwise a fresh one is generated. `expiresAt`: the first key's expiry. */
  constructor(
    readonly name: string,
    readonly roles: Role[],
    readonly actor: string,
    readonly key?: string,
    readonly expiresAt: Date | null = null,
  ) {
    super();
  }
}

export class IssueApiKey extends LedgerCommand<IssuedKey> {
  constructor(
    readonly principalId: string,
    readonly actor: string,
    readonly expiresAt: Date | null = null,
  ) {
    super();
  }
}

/** `anyKey`: the admin may revoke any principal's key; others only their own. */
export class RevokeApiKey extends LedgerCommand<{ keyId: string; revokedAt: string }> {
  constructor(
    readonly keyId: string,
    readonly actor: string,
    readonly anyKey: boolean,
  ) {
    super();
  }
}
