import { day, iso, issueApiKey, keyHashOf, registerPrincipal, revokeApiKey } from '../../test/support/ledger-commands.js';
import { projectionSpec } from '../../test/support/projection-spec.js';
import { PrincipalsProjection } from './principals.projection.js';

const principals = projectionSpec(() => [new PrincipalsProjection()]);

const alice = registerPrincipal('p1', 'Alice Creator', ['creator'], 'k1', day(0));

describe('principals projection', () => {
  it('a registration is a principal and its first key, not revoked', () =>
    principals.when(alice).then({
      principals: [{ principalId: 'p1', name: 'Alice Creator', roles: ['creator'], isAdmin: false, registeredAt: iso(0) }],
      api_keys: [{ keyId: 'k1', principalId: 'p1', keyHash: keyHashOf('k1'), issuedAt: iso(0), revokedAt: null }],
    }));

  it('a principal holding the admin role is marked admin', () =>
    principals.when(registerPrincipal('root', 'Root', ['admin', 'auditor'], 'k0', day(0))).then({
      principals: [{ principalId: 'root', roles: ['admin', 'auditor'], isAdmin: true }],
    }));

  it("a key revoked in a later batch gets its revocation time; the principal's other keys stay valid", () =>
    principals
      .given(alice, issueApiKey('p1', 'k2', day(1)))
      .when(revokeApiKey('p1', 'k1', day(2)))
      .then({
        principals: [{ principalId: 'p1', name: 'Alice Creator' }],
        api_keys: [
          { keyId: 'k1', revokedAt: iso(2) },
          { keyId: 'k2', principalId: 'p1', issuedAt: iso(1), revokedAt: null },
        ],
      }));

  it('a key issued and revoked in one batch is revoked', () =>
    principals
      .given(alice)
      .when(issueApiKey('p1', 'k2', day(1)), revokeApiKey('p1', 'k2', day(1.5)))
      .then({
        api_keys: [
          { keyId: 'k1', revokedAt: null },
          { keyId: 'k2', revokedAt: iso(1.5) },
        ],
      }));

  it('keys of several principals registered in one batch each keep their principal', () =>
    principals
      .when(
        alice,
        registerPrincipal('p2', 'Rita Reviewer', ['reviewer'], 'k2', day(0)),
        revokeApiKey('p2', 'k2', day(1)),
        issueApiKey('p2', 'k3', day(1)),
      )
      .then({
        principals: [
          { principalId: 'p1', roles: ['creator'] },
          { principalId: 'p2', roles: ['reviewer'], isAdmin: false },
        ],
        api_keys: [
          { keyId: 'k1', principalId: 'p1', revokedAt: null },
          { keyId: 'k2', principalId: 'p2', revokedAt: iso(1) },
          { keyId: 'k3', principalId: 'p2', revokedAt: null },
        ],
      }));
});
