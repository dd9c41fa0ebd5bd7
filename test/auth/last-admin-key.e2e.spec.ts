// Two admins revoking each other's last key that does not expire, at the same moment: one revocation is carried out and
// the other refused (409 last-admin-key), on each store, and with the two sent to two instances sharing one PostgreSQL
// store; before, on PostgreSQL, both were carried out within a few rounds and the ledger was left with only keys that
// expire.
import { randomBytes } from 'node:crypto';
import { expectRefused, startLedger, strongKey, type LedgerApp } from '../support/ledger-app.js';
import { dropSchema, freshSchema, skipWithoutDatabase, testDatabaseUrl } from '../support/pg-schema.js';

const ROUNDS = 8;

function raceSuite(store: 'sqlite' | 'postgres' | 'postgres, two instances') {
  describe(`revoking the last lasting admin keys at once (${store})`, () => {
    let ledger: LedgerApp;
    /** Where the second revocation of each round is sent: another instance on the same store, or the same one. */
    let second: LedgerApp;
    const schema = freshSchema('test_last_admin');
    beforeAll(async () => {
      if (store === 'sqlite') ledger = second = await startLedger({ bootstrapAdminKey: strongKey() });
      else {
        const shared = {
          store: 'postgres' as const,
          databaseUrl: testDatabaseUrl,
          databaseSchema: schema,
          signingKey: randomBytes(32).toString('base64'),
          mlDsaKey: randomBytes(32).toString('base64'),
          bootstrapAdminKey: strongKey(),
        };
        ledger = await startLedger(shared);
        second = store === 'postgres' ? ledger : await startLedger(shared);
      }
    });
    afterAll(async () => {
      await second?.close();
      if (second !== ledger) await ledger?.close();
      if (store !== 'sqlite') await dropSchema(schema);
    });

    const as = (key: string) => ({ authorization: `Bearer ${key}` });
    /** An admin's key that expires in an hour: it acts, and cannot stand in for a lasting one. */
    const expiring = async (key: string) => {
      const res = await ledger
        .http()
        .post('/v1/me/keys')
        .set(as(key))
        .send({ expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
      expect(res.status).toBe(201);
      return res.body.key as string;
    };
    const lastingKeyId = async (key: string) =>
      (
        (await ledger.http().get('/v1/me').set(as(key))).body.keys as Array<{
          keyId: string;
          expiresAt: string | null;
          revokedAt: string | null;
        }>
      ).find((k) => k.expiresAt === null && k.revokedAt === null)!.keyId;

    it('carries out one of the two and refuses the other, round after round', async () => {
      let survivor = ledger.adminKey;
      for (let round = 0; round < ROUNDS; round++) {
        const other = await ledger
          .http()
          .post('/v1/principals')
          .set(as(survivor))
          .send({ name: `Admin ${round}`, roles: ['admin'] });
        expect(other.status).toBe(201);
        const [a, b] = [survivor, other.body.apiKey.key as string];
        const [aLasting, bLasting] = [await lastingKeyId(a), await lastingKeyId(b)];
        const [aExpiring, bExpiring] = [await expiring(a), await expiring(b)];
        const [byA, byB] = await Promise.all([
          ledger.http().delete(`/v1/keys/${bLasting}`).set(as(aExpiring)),
          second.http().delete(`/v1/keys/${aLasting}`).set(as(bExpiring)),
        ]);
        expect({ round, statuses: [byA.status, byB.status].sort() }).toEqual({ round, statuses: [200, 409] });
        expect([byA, byB].find((r) => r.status === 409)!.body.type).toBe('urn:sandbox-ledger:problem:last-admin-key');
        survivor = byA.status === 200 ? a : b;
        expect((await ledger.http().get('/v1/me').set(as(survivor))).status).toBe(200);
      }
      // The survivor's lasting key is still the last: refused alone too.
      const last = await lastingKeyId(survivor);
      await expectRefused(ledger, () => ledger.http().delete(`/v1/me/keys/${last}`).set(as(survivor)), 409, 'last-admin-key');
    });
  });
}

raceSuite('sqlite');
if (testDatabaseUrl) {
  raceSuite('postgres');
  raceSuite('postgres, two instances');
} else skipWithoutDatabase('revoking the last lasting admin keys at once (postgres)');
