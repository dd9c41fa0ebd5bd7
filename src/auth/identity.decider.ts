// Principals and their API keys. Only a key's SHA-256 is ever recorded.
import { conflict, invalid, notFound } from '../common/domain-error.js';
import type { Decider } from '../ledger/decider.js';
import { ROLES, type IdentityEvent, type Role } from './identity.events.js';

export interface IdentityState {
  exists: boolean;
  roles: Role[];
  keys: Map<string, { revoked: boolean }>;
}

export type RegisterPrincipalCommand = {
  type: 'RegisterPrincipal';
  principalId: string;
  name: string;
  roles: Role[];
  keyId: string;
  keyHash: string;
  /** The first key's expiry (that of the registering admin's key, when it expires). */
  expiresAt?: Date | null;
  now: Date;
};
export type IssueApiKeyCommand = {
  type: 'IssueApiKey';
  principalId: string;
  keyId: string;
  keyHash: string;
  expiresAt?: Date | null;
  now: Date;
};
/** `lastAdminKey`: the key is the ledger's last admin key that does not expire (AuthService.lastingAdminKeys). */
export type RevokeApiKeyCommand = { type: 'RevokeApiKey'; principalId: string; keyId: string; now: Date; lastAdminKey?: boolean };
export type IdentityCommand = RegisterPrincipalCommand | IssueApiKeyCommand | RevokeApiKeyCommand;

function decideRegisterPrincipal(command: RegisterPrincipalCommand, state: IdentityState): IdentityEvent[] {
  const at = command.now.toISOString();
  if (state.exists) throw conflict('principal-exists', `principal ${command.principalId} already exists`);
  const roles = [...new Set(command.roles)];
  if (roles.length === 0 || roles.some((r) => !ROLES.includes(r)))
    throw invalid('invalid-roles', `roles must be a non-empty subset of ${ROLES.join(', ')}`);
  return [
    { type: 'PrincipalRegistered', data: { principalId: command.principalId, name: command.name, roles, registeredAt: at } },
    keyIssued(command),
  ];
}

function decideIssueApiKey(command: IssueApiKeyCommand, state: IdentityState): IdentityEvent[] {
  if (!state.exists) throw notFound('principal-not-found', `no principal ${command.principalId}`);
  return [keyIssued(command)];
}

/** The key's ApiKeyIssued, with its expiry when it has one, which must be later than now. */
function keyIssued(command: RegisterPrincipalCommand | IssueApiKeyCommand): IdentityEvent {
  const at = command.now.toISOString();
  const expiry = command.expiresAt;
  if (expiry && expiry.getTime() <= command.now.getTime()) {
    throw invalid('expiry-not-in-future', `expiresAt must be later than now (${at})`, {
      errors: [{ field: 'expiresAt', message: 'expiresAt must be in the future' }],
    });
  }
  const data = { principalId: command.principalId, keyId: command.keyId, keyHash: command.keyHash, issuedAt: at };
  return { type: 'ApiKeyIssued', data: expiry ? { ...data, expiresAt: expiry.toISOString() } : data };
}

function decideRevokeApiKey(command: RevokeApiKeyCommand, state: IdentityState): IdentityEvent[] {
  const at = command.now.toISOString();
  const key = state.keys.get(command.keyId);
  if (!state.exists || !key) throw notFound('key-not-found', `no key ${command.keyId}`);
  if (key.revoked) throw conflict('key-revoked', `key ${command.keyId} is already revoked`);
  // Without one, nobody could register a principal or issue an admin key again: the bootstrap key only acts on a ledger with no admin.
  if (command.lastAdminKey)
    throw conflict(
      'last-admin-key',
      `key ${command.keyId} is the ledger's last admin key that does not expire: issue another (POST /v1/me/keys) or register another admin first`,
    );
  return [{ type: 'ApiKeyRevoked', data: { principalId: command.principalId, keyId: command.keyId, revokedAt: at } }];
}

export const identityDecider: Decider<IdentityCommand, IdentityEvent, IdentityState> = {
  initialState: () => ({ exists: false, roles: [], keys: new Map() }),

  evolve(state, event) {
    switch (event.type) {
      case 'PrincipalRegistered':
        return { ...state, exists: true, roles: event.data.roles };
      case 'ApiKeyIssued':
        return { ...state, keys: new Map(state.keys).set(event.data.keyId, { revoked: false }) };
      case 'ApiKeyRevoked':
        return { ...state, keys: new Map(state.keys).set(event.data.keyId, { revoked: true }) };
    }
  },

  decide(command, state) {
    switch (command.type) {
      case 'RegisterPrincipal':
        return decideRegisterPrincipal(command, state);
      case 'IssueApiKey':
        return decideIssueApiKey(command, state);
      case 'RevokeApiKey':
        return decideRevokeApiKey(command, state);
    }
  },
};
