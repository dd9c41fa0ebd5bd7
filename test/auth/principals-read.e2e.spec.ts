// Who may act on the ledger: GET /v1/principals (a page at a time, by role) and GET /v1/principals/:id with every key
// issued to the principal, for the admin and the auditor only, on the embedded store and on PostgreSQL.
import { hashApiKey } from '../../src/auth/api-key.js';
import { expectRefused, principal, startLedger, type LedgerApp } from '../support/ledger-app.js';
import { dropSchema, freshSchema, skipWithoutDatabase, testDatabaseUrl } from '../support/pg-schema.js';

function principalsSuite(store: 'sqlite' | 'postgres') {
  describe(`reading principals (${store})`, () => {
    let ledger: LedgerApp;
    const schema = freshSchema('test_principals');
    let admin: { authorization: string };
    let cast: Record<'alice' | 'bob' | 'carol' | 'dora', { id: string; key: string; keyId: string }>;

    beforeAll(async () => {
      ledger = await startLedger(store === 'sqlite' ? {} : { store: 'postgres', databaseUrl: testDatabaseUrl, databaseSchema: schema });
      admin = { authorization: `Bearer ${ledger.adminKey}` };
      // One after another: their ids (UUIDv7) then sort in the order they were registered.
      const alice = await principal(ledger, 'Alice', ['creator']);
      const bob = await principal(ledger, 'Bob', ['creator', 'reviewer']);
      const carol = await principal(ledger, 'Carol', ['auditor']);
      const dora = await principal(ledger, 'Dora', ['reviewer']);
      cast = { alice, bob, carol, dora };
    });
    afterAll(async () => {
      await ledger?.close();
      if (store === 'postgres') await dropSchema(schema);
    });

    const list = (query: string, who = admin) => ledger.http().get(`/v1/principals${query}`).set(who);

    it('lists every principal by id (here, the order they were registered in), a page at a time, and those of one role', async () => {
      const all = await list('');
      expect(all.status).toBe(200);
      expect(all.body.nextCursor).toBeNull();
      // The bootstrap admin first, then the four registered here.
      expect(all.body.items.map((p: { name: string }) => p.name).slice(1)).toEqual(['Alice', 'Bob', 'Carol', 'Dora']);
      expect(all.body.items[2]).toEqual({
        principalId: cast.bob.id,
        name: 'Bob',
        roles: ['creator', 'reviewer'],
        registeredAt: expect.any(String),
      });

      const first = await list('?limit=2');
      expect(first.body.items).toHaveLength(2);
      const second = await list(`?limit=2&cursor=${first.body.nextCursor as string}`);
      const third = await list(`?limit=2&cursor=${second.body.nextCursor as string}`);
      expect([...first.body.items, ...second.body.items, ...third.body.items]).toEqual(all.body.items);
      expect(third.body.nextCursor).toBeNull();

      const names = async (query: string) => (await list(query)).body.items.map((p: { name: string }) => p.name);
      expect(await names('?role=reviewer')).toEqual(['Bob', 'Dora']);
      expect(await names('?role=auditor')).toEqual(['Carol']);
      expect(await names('?role=creator')).toEqual(['Alice', 'Bob']);
      expect((await list('?role=admin')).body.items).toEqual([all.body.items[0]]);
      // A role and a cursor together: the next page of that role's principals only.
      const firstReviewer = await list('?role=reviewer&limit=1');
      expect(firstReviewer.body).toEqual({ items: [expect.objectContaining({ name: 'Bob' })], nextCursor: cast.bob.id });
      const nextReviewer = await list(`?role=reviewer&limit=1&cursor=${cast.bob.id}`);
      expect(nextReviewer.body).toEqual({ items: [expect.objectContaining({ name: 'Dora' })], nextCursor: null });
    });

    it('reads one principal with every key issued to it, revoked ones included', async () => {
      const spare = await ledger.http().post(`/v1/principals/${cast.alice.id}/keys`).set(admin).send({});
      expect(spare.status).toBe(201);
      expect(
        (
          await ledger
            .http()
            .delete(`/v1/keys/${spare.body.keyId as string}`)
            .set(admin)
        ).status,
      ).toBe(200);
      const res = await ledger.http().get(`/v1/principals/${cast.alice.id.toUpperCase()}`).set(admin);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        principalId: cast.alice.id,
        name: 'Alice',
        roles: ['creator'],
        registeredAt: expect.any(String),
        keys: [
          { keyId: cast.alice.keyId, principalId: cast.alice.id, issuedAt: expect.any(String), revokedAt: null, expiresAt: null },
          {
            keyId: spare.body.keyId,
            principalId: cast.alice.id,
            issuedAt: expect.any(String),
            revokedAt: expect.any(String),
            expiresAt: null,
          },
        ],
      });
      // Neither key nor its hash, under any name.
      for (const key of [cast.alice.key, spare.body.key as string]) {
        expect(res.text).not.toContain(key);
        expect(res.text).not.toContain(hashApiKey(key));
      }
    });

    it('answers the auditor, refuses every other role, and names what is wrong in a query or an id', async () => {
      const auditor = { authorization: `Bearer ${cast.carol.key}` };
      expect((await list('', auditor)).status).toBe(200);
      expect((await ledger.http().get(`/v1/principals/${cast.bob.id}`).set(auditor)).status).toBe(200);
      for (const who of [cast.alice, cast.dora]) {
        await expectRefused(ledger, () => list('', { authorization: `Bearer ${who.key}` }), 403, 'role-required');
        await expectRefused(
          ledger,
          () =>
            ledger
              .http()
              .get(`/v1/principals/${cast.bob.id}`)
              .set({ authorization: `Bearer ${who.key}` }),
          403,
          'role-required',
        );
      }
      await expectRefused(ledger, () => ledger.http().get('/v1/principals'), 401, 'missing-key');
      await expectRefused(
        ledger,
        () =>
          ledger
            .http()
            .get(`/v1/principals/${'0'.repeat(8)}-0000-7000-8000-${'0'.repeat(12)}`)
            .set(admin),
        404,
        'principal-not-found',
      );
      const refused = async (query: string, field: string) => {
        const body = await expectRefused(ledger, () => list(query), 400, 'validation-failed');
        expect((body.errors as Array<{ field: string }>).map((e) => e.field)).toEqual([field]);
      };
      await refused('?role=owner', 'role');
      await refused('?limit=0', 'limit');
      await refused('?cursor=12', 'cursor');
      await refused('?name=Alice', 'name');
      const notId = await expectRefused(ledger, () => ledger.http().get('/v1/principals/not-an-id').set(admin), 400, 'bad-request');
      // The path takes GET and POST now; another method is still named as one it does not take.
      await expectRefused(ledger, () => ledger.http().delete('/v1/principals').set(admin), 405, 'method-not-allowed');
      expect((await ledger.http().delete('/v1/principals').set(admin)).headers.allow).toBe('GET, HEAD, POST, OPTIONS');
      expect(notId.detail).toBe('id in the path must be a UUID (8-4-4-4-12 hexadecimal digits)');
    });
  });
}

principalsSuite('sqlite');
if (testDatabaseUrl) principalsSuite('postgres');
else skipWithoutDatabase('reading principals (postgres)');
