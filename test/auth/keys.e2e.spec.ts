// Who am I, and my own keys: /v1/me, issuing and revoking one's own keys, keys that expire.
import { request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { expectRefused, principal, startLedger, type LedgerApp } from '../support/ledger-app.js';
import { IdempotencyRecord } from '../../src/ledger/write/idempotency-record.entity.js';

describe('principals and their keys', () => {
  let ledger: LedgerApp;
  let alice: { id: string; key: string; keyId: string };
  let bob: { id: string; key: string; keyId: string };
  const as = (key: string) => ({ authorization: `Bearer ${key}` });

  beforeAll(async () => {
    ledger = await startLedger();
    alice = await principal(ledger, 'Alice', ['creator']);
    bob = await principal(ledger, 'Bob', ['creator', 'reviewer']);
  });
  afterAll(() => ledger.close());

  it('GET /v1/me names the caller, its roles and its keys, marking the one in use', async () => {
    const me = await ledger.http().get('/v1/me').set(as(bob.key));
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ principalId: bob.id, name: 'Bob', roles: ['creator', 'reviewer'], registeredAt: expect.any(String) });
    expect(me.body.keys).toEqual([
      { keyId: bob.keyId, principalId: bob.id, issuedAt: expect.any(String), revokedAt: null, expiresAt: null, current: true },
    ]);
    expect(JSON.stringify(me.body)).not.toMatch(/keyHash|slk_/);
    await expectRefused(ledger, () => ledger.http().get('/v1/me'), 401, 'missing-key');
  });

  it('takes the Bearer scheme named in any case and after more than one space, as HTTP allows', async () => {
    for (const authorization of [`bearer ${bob.key}`, `BEARER ${bob.key}`, `Bearer   ${bob.key}`]) {
      const me = await ledger.http().get('/v1/me').set({ authorization });
      expect({ status: me.status, principalId: me.body.principalId }).toEqual({ status: 200, principalId: bob.id });
    }
    const refusal = async (authorization: string) =>
      (await expectRefused(ledger, () => ledger.http().get('/v1/me').set({ authorization }), 401, 'missing-key')).detail;
    // Another scheme is named as such, and nothing after it is repeated.
    const basic = Buffer.from(`bob:${bob.key}`).toString('base64');
    expect(await refusal(`Basic ${basic}`)).toBe(
      'the Authorization scheme Basic is not taken: an API key is required, as Authorization: Bearer <key>',
    );
    expect(await refusal(`Token ${bob.key}`)).toBe(
      'the Authorization scheme Token is not taken: an API key is required, as Authorization: Bearer <key>',
    );
    // A value with no scheme before a space may be a bare secret: it is not repeated either.
    for (const authorization of [`Bearer${bob.key}`, 'Bearer', 'hunter2', `${bob.key}`, '  '])
      expect(await refusal(authorization)).toBe('an API key is required: Authorization: Bearer <key>');
  });

  it('refuses a request with two Authorization headers, which Node would read as the first one alone, and carries out nothing', async () => {
    const twoKeys = (method: string, path: string, body = '{}') =>
      new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
        const { hostname, port } = new URL(ledger.url);
        const req = request({ host: hostname, port: Number(port), method, path }, (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
        });
        req.setHeader('authorization', [`Bearer ${alice.key}`, `Bearer ${bob.key}`]);
        req.on('error', reject);
        if (method === 'POST') req.setHeader('content-type', 'application/json').end(body);
        else req.end();
      });
    // A write is refused before its body is read: a body that would not parse is not what it is refused for.
    for (const [method, path, body] of [
      ['GET', '/v1/me', ''],
      ['POST', '/v1/me/keys', '{}'],
      ['POST', '/v1/me/keys', '{bad'],
    ]) {
      const before = await ledger.store.count();
      const res = await twoKeys(method, path, body);
      expect({ status: res.status, type: res.body.type, detail: res.body.detail }).toEqual({
        status: 400,
        type: 'urn:sandbox-ledger:problem:bad-request',
        detail: 'Authorization is given more than once: give one key',
      });
      expect(await ledger.store.count()).toBe(before);
    }
  });

  it('a creator rotates a key: issues a new one, switches to it, revokes the old one', async () => {
    const carol = await principal(ledger, 'Carol', ['creator']);
    const issued = await ledger.http().post('/v1/me/keys').set(as(carol.key)).send({});
    expect(issued.status).toBe(201);
    expect(issued.body).toEqual({ keyId: expect.any(String), key: expect.stringMatching(/^slk_/), expiresAt: null });

    const revoked = await ledger.http().delete(`/v1/me/keys/${carol.keyId}`).set(as(issued.body.key));
    expect(revoked.status).toBe(200);
    expect(revoked.body).toEqual({ keyId: carol.keyId, revokedAt: expect.any(String) });
    await expectRefused(ledger, () => ledger.http().get('/v1/me').set(as(carol.key)), 401, 'invalid-key');

    const me = await ledger.http().get('/v1/me').set(as(issued.body.key));
    expect(
      me.body.keys.map((k: { keyId: string; revokedAt: string | null; current: boolean }) => [k.keyId, k.revokedAt !== null, k.current]),
    ).toEqual([
      [carol.keyId, true, false],
      [issued.body.keyId, false, true],
    ]);
  });

  it("another principal's key is not found through /v1/me/keys, to anyone; the admin revokes it through /v1/keys", async () => {
    const spare = await ledger.http().post('/v1/me/keys').set(as(bob.key)).send({});
    await expectRefused(ledger, () => ledger.http().delete(`/v1/me/keys/${spare.body.keyId}`).set(as(alice.key)), 404, 'key-not-found');
    expect((await ledger.http().get('/v1/me').set(as(spare.body.key))).status).toBe(200);

    // Through the caller's own route, not even the admin's: it names the caller's keys only.
    await expectRefused(
      ledger,
      () => ledger.http().delete(`/v1/me/keys/${spare.body.keyId}`).set(as(ledger.adminKey)),
      404,
      'key-not-found',
    );
    expect((await ledger.http().get('/v1/me').set(as(spare.body.key))).status).toBe(200);
    const byAdmin = await ledger.http().delete(`/v1/keys/${spare.body.keyId}`).set(as(ledger.adminKey));
    expect(byAdmin.status).toBe(200);
    await expectRefused(ledger, () => ledger.http().get('/v1/me').set(as(spare.body.key)), 401, 'invalid-key');
  });

  it("keeps the ledger's last admin key that does not expire: revoking it is refused until another exists", async () => {
    const own = await startLedger(); // a ledger whose admin keys this test changes
    try {
      const admin = (await own.http().get('/v1/me').set(as(own.adminKey))).body as { principalId: string; keys: Array<{ keyId: string }> };
      const [bootstrap] = admin.keys;
      for (const revoke of [`/v1/me/keys/${bootstrap.keyId}`, `/v1/keys/${bootstrap.keyId}`]) {
        const body = await expectRefused(own, () => own.http().delete(revoke).set(as(own.adminKey)), 409, 'last-admin-key');
        expect(body.detail).toContain(bootstrap.keyId);
      }
      // A key that expires is no successor: it cannot issue one that outlives it.
      const expiring = await own
        .http()
        .post('/v1/me/keys')
        .set(as(own.adminKey))
        .send({ expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
      expect(expiring.status).toBe(201);
      await expectRefused(own, () => own.http().delete(`/v1/keys/${bootstrap.keyId}`).set(as(expiring.body.key)), 409, 'last-admin-key');
      expect((await own.http().delete(`/v1/keys/${expiring.body.keyId}`).set(as(own.adminKey))).status).toBe(200);
      // With another lasting admin key (a second admin's), the first may go; then the other is the last.
      const second = await principal(own, 'Second admin', ['admin']);
      expect((await own.http().delete(`/v1/keys/${bootstrap.keyId}`).set(as(second.key))).status).toBe(200);
      await expectRefused(own, () => own.http().get('/v1/me').set(as(own.adminKey)), 401, 'invalid-key');
      await expectRefused(own, () => own.http().delete(`/v1/me/keys/${second.keyId}`).set(as(second.key)), 409, 'last-admin-key');
    } finally {
      await own.close();
    }
  });

  it('an expired key is refused with its own problem type, before and after it was cached', async () => {
    const expiresAt = new Date(Date.now() + 1500).toISOString();
    const issued = await ledger.http().post('/v1/me/keys').set(as(alice.key)).send({ expiresAt });
    expect(issued.status).toBe(201);
    expect(issued.body.expiresAt).toBe(expiresAt);
    expect((await ledger.http().get('/v1/me').set(as(issued.body.key))).status).toBe(200); // used once: cached

    const byAdmin = await ledger.http().post(`/v1/principals/${alice.id}/keys`).set(as(ledger.adminKey)).send({ expiresAt });
    expect(byAdmin.status).toBe(201);
    // A key that expires cannot mint one that outlives it.
    const minted = await ledger.http().post('/v1/me/keys').set(as(issued.body.key)).send({});
    expect(minted.body.expiresAt).toBe(expiresAt);
    await expectRefused(
      ledger,
      () =>
        ledger
          .http()
          .post('/v1/me/keys')
          .set(as(issued.body.key))
          .send({ expiresAt: new Date(Date.now() + 86_400_000).toISOString() }),
      400,
      'expiry-beyond-key',
    );

    await sleep(Math.max(0, Date.parse(expiresAt) - Date.now()) + 100);
    for (const key of [issued.body.key, byAdmin.body.key]) {
      const res = await ledger.http().get('/v1/me').set(as(key));
      expect({ status: res.status, type: res.body.type }).toEqual({ status: 401, type: 'urn:sandbox-ledger:problem:key-expired' });
      expect(res.body.detail).toContain(expiresAt);
      expect(res.body.expiredAt).toBe(expiresAt); // for a client to show in its own words and time zone
    }
    const me = await ledger.http().get('/v1/me').set(as(alice.key));
    expect(me.body.keys.filter((k: { expiresAt: string | null }) => k.expiresAt === expiresAt)).toHaveLength(3);
  });

  it("an admin's key that expires issues no key that outlives it: not for itself, another principal, nor a principal it registers", async () => {
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const admin = await principal(ledger, 'Temporary admin', ['admin']);
    const temporary = await ledger.http().post('/v1/me/keys').set(as(admin.key)).send({ expiresAt });
    expect(temporary.status).toBe(201);
    const key = temporary.body.key as string;

    // Asked for nothing, the key expires with the one that issued it.
    const own = await ledger.http().post(`/v1/principals/${admin.id}/keys`).set(as(key)).send({});
    expect({ status: own.status, expiresAt: own.body.expiresAt }).toEqual({ status: 201, expiresAt });
    const forAlice = await ledger.http().post(`/v1/principals/${alice.id}/keys`).set(as(key)).send({});
    expect({ status: forAlice.status, expiresAt: forAlice.body.expiresAt }).toEqual({ status: 201, expiresAt });
    const registered = await ledger
      .http()
      .post('/v1/principals')
      .set(as(key))
      .send({ name: 'Second temporary admin', roles: ['admin'] });
    expect({ status: registered.status, expiresAt: registered.body.apiKey.expiresAt }).toEqual({ status: 201, expiresAt });
    const seen = await ledger.http().get('/v1/me').set(as(registered.body.apiKey.key));
    expect(seen.body.keys).toEqual([expect.objectContaining({ keyId: registered.body.apiKey.keyId, expiresAt })]);
    // Asked for later, refused; earlier is taken.
    const later = new Date(Date.now() + 7_200_000).toISOString();
    await expectRefused(
      ledger,
      () => ledger.http().post(`/v1/principals/${alice.id}/keys`).set(as(key)).send({ expiresAt: later }),
      400,
      'expiry-beyond-key',
    );
    const sooner = new Date(Date.now() + 1_800_000).toISOString();
    const early = await ledger.http().post(`/v1/principals/${alice.id}/keys`).set(as(key)).send({ expiresAt: sooner });
    expect({ status: early.status, expiresAt: early.body.expiresAt }).toEqual({ status: 201, expiresAt: sooner });
    // The admin's lasting key issues lasting keys, as before.
    const lasting = await ledger.http().post(`/v1/principals/${alice.id}/keys`).set(as(admin.key)).send({});
    expect({ status: lasting.status, expiresAt: lasting.body.expiresAt }).toEqual({ status: 201, expiresAt: null });
  });

  it('never keeps an issued key: a repeated Idempotency-Key is told the request was carried out, and no stored response holds the key', async () => {
    const send = () => ledger.http().post('/v1/me/keys').set(as(alice.key)).set('idempotency-key', 'rotate-1').send({});
    const first = await send();
    expect(first.status).toBe(201);
    const before = await ledger.store.count();
    const again = await send();
    expect({ status: again.status, type: again.body.type }).toEqual({
      status: 409,
      type: 'urn:sandbox-ledger:problem:idempotency-key-applied',
    });
    // The first answer less the key, for the client to find what was made; and its position, to read it at.
    expect(again.body.answer).toEqual({ keyId: first.body.keyId, expiresAt: null });
    expect(again.body.position).toBe(Number(first.headers['ledger-position']));
    expect(await ledger.store.count()).toBe(before);

    // So for a principal registered by an admin: its ids, names and roles, not its first key.
    const register = () =>
      ledger
        .http()
        .post('/v1/principals')
        .set(as(ledger.adminKey))
        .set('idempotency-key', 'register-dave')
        .send({ name: 'Dave', roles: ['creator'] });
    const registered = await register();
    expect(registered.status).toBe(201);
    const repeated = await register();
    expect({ status: repeated.status, type: repeated.body.type }).toEqual({
      status: 409,
      type: 'urn:sandbox-ledger:problem:idempotency-key-applied',
    });
    expect(repeated.body.answer).toEqual({
      principalId: registered.body.principalId,
      name: 'Dave',
      roles: ['creator'],
      apiKey: { keyId: registered.body.apiKey.keyId, expiresAt: null },
    });
    // Through the entity: on PostgreSQL the table lives in the test's own schema.
    const stored = await ledger.app
      .get(DataSource)
      .getRepository(IdempotencyRecord)
      .find({ select: { body: true } });
    expect(stored.some((r) => r.body?.includes(first.body.key) || r.body?.includes(registered.body.apiKey.key))).toBe(false);
  });

  it('refuses an expiry in the past, a malformed one and unknown fields, appending nothing', async () => {
    await expectRefused(
      ledger,
      () => ledger.http().post('/v1/me/keys').set(as(alice.key)).send({ expiresAt: '2020-01-01T00:00:00Z' }),
      400,
      'expiry-not-in-future',
    );
    await expectRefused(
      ledger,
      () => ledger.http().post('/v1/me/keys').set(as(alice.key)).send({ expiresAt: '2030-01-01' }),
      400,
      'validation-failed',
    );
    await expectRefused(
      ledger,
      () =>
        ledger
          .http()
          .post('/v1/me/keys')
          .set(as(alice.key))
          .send({ roles: ['admin'] }),
      400,
      'validation-failed',
    );
    await expectRefused(
      ledger,
      () => ledger.http().post(`/v1/principals/${alice.id}/keys`).set(as(ledger.adminKey)).send({ expiresAt: 7 }),
      400,
      'validation-failed',
    );
  });

  it('names a time that is not an instant once: not a date, a day not in the calendar, a local time, a number, a year past 9999 in UTC', async () => {
    const message = 'expiresAt must be an ISO-8601 instant with a time zone, in the years 0000 to 9999, e.g. 2027-01-01T00:00:00Z';
    for (const expiresAt of ['tomorrow', '2030-02-30T00:00:00Z', '2030-01-01T00:00:00', '2030-01-01', 7]) {
      const issue = () => ledger.http().post('/v1/me/keys').set(as(alice.key)).send({ expiresAt });
      const body = await expectRefused(ledger, issue, 400, 'validation-failed');
      expect({ expiresAt, errors: body.errors }).toEqual({ expiresAt, errors: [{ field: 'expiresAt', message }] });
    }
    // The admin's keys for others have no cap: an instant whose UTC year is 10000 would be recorded as +010000-…, which
    // verify (the event catalogue) refuses as no ISO-8601 UTC time.
    const body = await expectRefused(
      ledger,
      () => ledger.http().post(`/v1/principals/${alice.id}/keys`).set(as(ledger.adminKey)).send({ expiresAt: '9999-12-31T23:00:00-05:00' }),
      400,
      'validation-failed',
    );
    expect(body.errors).toEqual([{ field: 'expiresAt', message }]);
    const latest = await ledger
      .http()
      .post(`/v1/principals/${alice.id}/keys`)
      .set(as(ledger.adminKey))
      .send({ expiresAt: '9999-12-31T23:00:00Z' });
    expect({ status: latest.status, expiresAt: latest.body.expiresAt }).toEqual({ status: 201, expiresAt: '9999-12-31T23:00:00.000Z' });
  });

  // These routes take no body: one with a field was carried out as if the field had not been sent.
  it('refuses a field in the body of a key revocation, naming it, and revokes nothing', async () => {
    const spare = await ledger.http().post('/v1/me/keys').set(as(alice.key)).send({});
    for (const path of [`/v1/keys/${spare.body.keyId}`, `/v1/me/keys/${spare.body.keyId}`]) {
      const key = path.startsWith('/v1/me') ? alice.key : ledger.adminKey;
      const body = await expectRefused(ledger, () => ledger.http().delete(path).set(as(key)).send({ evil: 1 }), 400, 'validation-failed');
      expect(body.errors).toEqual([{ field: 'evil', message: 'evil is not a field of this request, which takes no body' }]);
    }
    expect((await ledger.http().get('/v1/me').set(as(spare.body.key))).status).toBe(200);
    // An empty object says nothing, and is taken as no body.
    expect((await ledger.http().delete(`/v1/me/keys/${spare.body.keyId}`).set(as(alice.key)).send({})).status).toBe(200);
  });

  it('names what is wrong with a principal name, and only that', async () => {
    const register = (name: string) =>
      ledger
        .http()
        .post('/v1/principals')
        .set(as(ledger.adminKey))
        .send({ name, roles: ['creator'] });
    const messages = async (name: string) => ((await register(name)).body.errors as Array<{ message: string }>).map((e) => e.message);
    expect(await messages('')).toEqual(['name must be longer than or equal to 1 characters']);
    const oneLine = ['name must be one line without control characters (no tab or line break)'];
    expect(await messages('a\u0007b')).toEqual(oneLine);
    // C1 controls (a terminal's CSI among them) as other text refuses them.
    expect(await messages('Mallory\u009b31m\u0085x')).toEqual(oneLine);
    for (const name of ['Alice\tAdmin', 'Alice\nAdmin: approved', 'Alice\r', 'Alice\u2028Admin', 'Alice\u2029'])
      expect(await messages(name)).toEqual(oneLine);
    expect(await messages('   ')).toEqual(['name must not be blank (only whitespace or invisible characters)']);
    expect(await messages('\u200b\u3000')).toEqual(['name must not be blank (only whitespace or invisible characters)']);
    expect(await messages('\u2800')).toEqual(['name must not be blank (only whitespace or invisible characters)']); // Braille pattern blank
    expect(await messages('Alice\u202e gpj.exe')).toEqual([
      'name must not contain bidirectional embedding, override or isolate characters (U+202A–U+202E, U+2066–U+2069), which make it read as other text',
    ]);
    for (const name of ['', 'a\u0085b', '  ', 'x\u2066y']) await expectRefused(ledger, () => register(name), 400, 'validation-failed');
    for (const name of ['王小明', 'שרה כהן', 'Zoë Ñúñez']) expect([name, (await register(name)).status]).toEqual([name, 201]);
  });
});
