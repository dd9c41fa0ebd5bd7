import { given } from '../ledger/given-when-then.js';
import { identityDecider } from './identity.decider.js';
import type { IdentityEvent } from './identity.events.js';

const now = new Date('2026-11-29T10:00:00.000Z');
const at = now.toISOString();
const registered: IdentityEvent[] = [
  { type: 'PrincipalRegistered', data: { principalId: 'p1', name: 'Alice', roles: ['creator'], registeredAt: at } },
  { type: 'ApiKeyIssued', data: { principalId: 'p1', keyId: 'k1', keyHash: 'h1', issuedAt: at } },
];
const revoked: IdentityEvent = { type: 'ApiKeyRevoked', data: { principalId: 'p1', keyId: 'k1', revokedAt: at } };

describe('identity decider', () => {
  describe('RegisterPrincipal', () => {
    it('given nothing, registers the principal with its first key (roles deduplicated)', () =>
      given(identityDecider, [])
        .when({
          type: 'RegisterPrincipal',
          principalId: 'p1',
          name: 'Alice',
          roles: ['creator', 'creator'],
          keyId: 'k1',
          keyHash: 'h1',
          now,
        })
        .then(registered));
    it('refuses to register twice', () =>
      given(identityDecider, registered)
        .when({ type: 'RegisterPrincipal', principalId: 'p1', name: 'Alice', roles: ['creator'], keyId: 'k2', keyHash: 'h2', now })
        .thenThrows('principal-exists'));
    it('refuses an empty or unknown role set', () => {
      given(identityDecider, [])
        .when({ type: 'RegisterPrincipal', principalId: 'p1', name: 'A', roles: [], keyId: 'k', keyHash: 'h', now })
        .thenThrows('invalid-roles');
      given(identityDecider, [])
        .when({ type: 'RegisterPrincipal', principalId: 'p1', name: 'A', roles: ['root' as never], keyId: 'k', keyHash: 'h', now })
        .thenThrows('invalid-roles');
    });
  });

  describe('IssueApiKey', () => {
    it('given a principal, issues another key', () =>
      given(identityDecider, registered)
        .when({ type: 'IssueApiKey', principalId: 'p1', keyId: 'k2', keyHash: 'h2', now })
        .then([{ type: 'ApiKeyIssued', data: { principalId: 'p1', keyId: 'k2', keyHash: 'h2', issuedAt: at } }]));
    it('refuses an unknown principal', () =>
      given(identityDecider, [])
        .when({ type: 'IssueApiKey', principalId: 'p1', keyId: 'k2', keyHash: 'h2', now })
        .thenThrows('principal-not-found'));
    it('records an expiry in the future with the key', () =>
      given(identityDecider, registered)
        .when({ type: 'IssueApiKey', principalId: 'p1', keyId: 'k2', keyHash: 'h2', expiresAt: new Date('2027-01-01T00:00:00Z'), now })
        .then([
          {
            type: 'ApiKeyIssued',
            data: { principalId: 'p1', keyId: 'k2', keyHash: 'h2', issuedAt: at, expiresAt: '2027-01-01T00:00:00.000Z' },
          },
        ]));
    it('refuses an expiry that is not in the future', () => {
      given(identityDecider, registered)
        .when({ type: 'IssueApiKey', principalId: 'p1', keyId: 'k2', keyHash: 'h2', expiresAt: now, now })
        .thenThrows('expiry-not-in-future');
      given(identityDecider, registered)
        .when({ type: 'IssueApiKey', principalId: 'p1', keyId: 'k2', keyHash: 'h2', expiresAt: new Date('2020-01-01T00:00:00Z'), now })
        .thenThrows('expiry-not-in-future');
    });
  });

  describe('RevokeApiKey', () => {
    it('given a live key, revokes it', () =>
      given(identityDecider, registered).when({ type: 'RevokeApiKey', principalId: 'p1', keyId: 'k1', now }).then([revoked]));
    it('refuses an unknown key', () =>
      given(identityDecider, registered).when({ type: 'RevokeApiKey', principalId: 'p1', keyId: 'k9', now }).thenThrows('key-not-found'));
    it("refuses the ledger's last admin key that does not expire", () =>
      given(identityDecider, registered)
        .when({ type: 'RevokeApiKey', principalId: 'p1', keyId: 'k1', now, lastAdminKey: true })
        .thenThrows('last-admin-key'));
    it('refuses to revoke twice', () =>
      given(identityDecider, [...registered, revoked])
        .when({ type: 'RevokeApiKey', principalId: 'p1', keyId: 'k1', now })
        .thenThrows('key-revoked'));
  });
});
