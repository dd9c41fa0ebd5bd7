// Sandbox policy versions through HTTP: published by an admin for a future instant, public, never retroactive.
import { randomBytes } from 'node:crypto';
import { POLICY_V1 } from '../../src/verifier/sandbox-policy.js';
import { expectRefused, filingBody, principal, startLedger, type LedgerApp } from '../support/ledger-app.js';
import { verifyWholeLedger } from '../support/whole-ledger.js';

type Who = { id: string; key: string };
const DAY = 86_400_000;
const iso = (t: number) => new Date(t).toISOString();
const sleepUntil = (t: number) => new Promise((r) => setTimeout(r, Math.max(0, t - Date.now())));
const flipped = (hex: string, bits: number) => {
  const chars = hex.split('').map((c) => parseInt(c, 16));
  for (let b = 0; b < bits; b++) chars[b >> 2] ^= 8 >> (b & 3);
  return chars.map((c) => c.toString(16)).join('');
};

describe('sandbox policy versions', () => {
  let ledger: LedgerApp;
  let admin: Who;
  let alice: Who;
  let bob: Who;
  let rita: Who;
  const as = (who: Who) => ({
    post: (path: string, body: object = {}) => ledger.http().post(path).set('authorization', `Bearer ${who.key}`).send(body),
    get: (path: string, query: Record<string, string> = {}) =>
      ledger.http().get(path).query(query).set('authorization', `Bearer ${who.key}`),
  });
  const refused = (send: Parameters<typeof expectRefused>[1], status: number, code: string) => expectRefused(ledger, send, status, code);
  const file = async (who: Who, value = randomBytes(8).toString('hex')) => {
    const res = await as(who).post('/v1/filings', filingBody({ perceptualHash: { scheme: 'phash64', value } }));
    expect(res.status).toBe(201);
    return res.body;
  };

  beforeAll(async () => {
    ledger = await startLedger({ settlementIntervalMs: 0 });
    admin = { id: 'admin', key: ledger.adminKey };
    alice = await principal(ledger, 'Alice', ['creator']);
    bob = await principal(ledger, 'Bob', ['creator']);
    rita = await principal(ledger, 'Rita', ['reviewer']);
  });
  afterAll(() => ledger.close());

  it('starts with the v1 defaults in force from the beginning, readable without a key', async () => {
    const res = await ledger.http().get('/v1/policy');
    expect(res.status).toBe(200);
    const { version: _v, ...v1 } = POLICY_V1;
    expect(res.body).toMatchObject({ inForce: { version: 1, effectiveFrom: null, ...v1 }, next: null, versions: [{ version: 1 }] });
    expect(res.body.versions).toHaveLength(1);
  });

  it('refuses a past effectiveFrom, bad parameters and anyone but an admin, appending nothing', async () => {
    const soon = iso(Date.now() + DAY);
    await refused(
      () => as(admin).post('/v1/policy', { effectiveFrom: iso(Date.now() - 1000), parameters: { labelGraceDays: 3 } }),
      422,
      'effective-from-not-future',
    );
    // A slip in the year would hold every later version back until then.
    const tooFar = await refused(
      () => as(admin).post('/v1/policy', { effectiveFrom: '9999-12-31T23:59:59Z', parameters: {} }),
      422,
      'effective-from-too-far',
    );
    expect(Date.parse(tooFar.latestAllowed as string) - Date.now()).toBeGreaterThan(365 * DAY);
    expect(Date.parse(tooFar.latestAllowed as string) - Date.now()).toBeLessThanOrEqual(366 * DAY);
    await refused(
      () => as(admin).post('/v1/policy', { effectiveFrom: iso(Date.now() + 367 * DAY), parameters: {} }),
      422,
      'effective-from-too-far',
    );
    await refused(() => as(alice).post('/v1/policy', { effectiveFrom: soon, parameters: {} }), 403, 'role-required');
    await refused(() => as(rita).post('/v1/policy', { effectiveFrom: soon, parameters: {} }), 403, 'role-required');
    await refused(() => ledger.http().post('/v1/policy').send({ effectiveFrom: soon, parameters: {} }), 401, 'missing-key');
    await refused(() => as(admin).post('/v1/policy', { effectiveFrom: '2099-01-01T00:00:00', parameters: {} }), 400, 'validation-failed');
    await refused(() => as(admin).post('/v1/policy', { effectiveFrom: soon, parameters: { labelGraceDays: 0 } }), 400, 'validation-failed');
    await refused(
      () => as(admin).post('/v1/policy', { effectiveFrom: soon, parameters: { similarity: { phash64: 65 } } }),
      400,
      'validation-failed',
    );
    await refused(() => as(admin).post('/v1/policy', { effectiveFrom: soon, parameters: { quietDays: 3 } }), 400, 'validation-failed');
    await refused(() => as(admin).post('/v1/policy', { effectiveFrom: soon }), 400, 'validation-failed');
    await refused(() => as(admin).post('/v1/policy', { effectiveFrom: soon, parameters: { similarity: 4 } }), 400, 'validation-failed');
  });

  it('a filing settles under the version in force at its filing time; a later version does not change it', async () => {
    const hash = randomBytes(8).toString('hex');
    const underV1 = await file(alice, hash);
    expect(underV1.right).toMatchObject({ policyVersion: 1 });
    const filedV1 = Date.parse(underV1.right.filedAt);

    // Far enough ahead that the checks before it still come before it on a loaded machine.
    const effective = Date.now() + 4000;
    const published = await as(admin).post('/v1/policy', {
      effectiveFrom: iso(effective),
      parameters: { labelGraceDays: 3, objectionWindowDays: 10, responseDays: 2, appealDays: 5, similarity: { phash64: 4 } },
    });
    expect(published.status).toBe(201);
    const { version: _v, ...v1 } = POLICY_V1;
    expect(published.body).toMatchObject({ version: 2, effectiveFrom: iso(effective) });
    expect(published.body.parameters).toEqual({
      ...v1,
      labelGraceDays: 3,
      objectionWindowDays: 10,
      responseDays: 2,
      appealDays: 5,
      similarity: { phash64: 4, pdq256: 31, simhash64: 3 },
      ruleset: 2, // a version published now settles by the rules as they are now; v1 keeps ruleset 1
    });
    expect((await ledger.store.readStream('policy')).map((e) => e.type)).toEqual(['PolicyPublished']);
    await refused(
      () => as(admin).post('/v1/policy', { effectiveFrom: iso(effective - 500), parameters: {} }),
      409,
      'effective-from-not-after-latest',
    );
    // A version that changes nothing: no parameter, or each as version 2 has it.
    for (const parameters of [{}, { labelGraceDays: 3, similarity: { phash64: 4 } }]) {
      const unchanged = await refused(
        () => as(admin).post('/v1/policy', { effectiveFrom: iso(effective + DAY), parameters }),
        422,
        'policy-unchanged',
      );
      expect(unchanged).toMatchObject({ version: 2, errors: [{ field: 'parameters' }] });
    }

    const before = await ledger.http().get('/v1/policy');
    expect(before.body).toMatchObject({ inForce: { version: 1 }, next: { version: 2, effectiveFrom: iso(effective) } });
    expect(
      (
        await ledger
          .http()
          .get('/v1/policy')
          .query({ at: iso(effective) })
      ).body.inForce,
    ).toMatchObject({ version: 2, labelGraceDays: 3 });

    await sleepUntil(effective + 50);
    const underV2 = await file(bob);
    const filedV2 = Date.parse(underV2.right.filedAt);
    expect(underV2.right).toMatchObject({ policyVersion: 2, labelDueAt: iso(filedV2 + 3 * DAY), quietUntil: iso(filedV2 + 10 * DAY) });
    // The filings read model and the dispute deadlines follow the version in force too.
    expect((await as(bob).get(`/v1/filings/${underV2.filingId}`)).body.labels).toMatchObject({ labelDueAt: iso(filedV2 + 3 * DAY) });
    expect((await as(alice).get(`/v1/filings/${underV1.filingId}`)).body.labels).toMatchObject({ labelDueAt: iso(filedV1 + 7 * DAY) });
    const complaint = await as(alice).post('/v1/disputes', {
      type: 'infringement',
      filingId: underV2.filingId,
      claim: 'Bob reuses my picture.',
    });
    expect(complaint.status).toBe(201);
    expect(complaint.body.policy).toEqual({ version: 2, responseDays: 2, decisionSlaDays: POLICY_V1.decisionSlaDays, appealDays: 5 });
    expect(Date.parse(complaint.body.deadlines.responseDueAt) - Date.parse(complaint.body.openedAt)).toBe(2 * DAY);
    // Not retroactive: the earlier filing keeps v1's deadlines, now and at any later instant.
    expect((await as(rita).get(`/v1/rights/${underV1.filingId}`, { asOf: iso(filedV1 + 20 * DAY) })).body).toMatchObject({
      policyVersion: 1,
      labelDueAt: iso(filedV1 + 7 * DAY),
      quietUntil: iso(filedV1 + 30 * DAY),
      status: 'suspended',
    });
    // v2's similarity threshold (4 bits) applies to filings under v2.
    expect((await file(bob, flipped(hash, 5))).right.flags).toEqual([]);
    const near = await file(bob, flipped(hash, 4));
    expect(near.right).toMatchObject({ flags: ['similarityReview'], policyVersion: 2 });

    const settled = await as(admin).post('/v1/settlements');
    expect(settled.body).toMatchObject({ policyVersion: 2, changes: [] });
  });

  it('leaves a ledger that verifies whole, each time the rules read within its commit', async () => {
    const { result, events } = await verifyWholeLedger(ledger);
    expect(result).toMatchObject({ ok: true, treeSize: events.length });
    expect([...new Set(events.map((e) => e.type))]).toEqual(expect.arrayContaining(['PolicyPublished', 'RightsSettled']));
  });
});
