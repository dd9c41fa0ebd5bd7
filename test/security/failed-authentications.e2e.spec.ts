// Requests without a valid key are limited per address, as public routes are: past the limit in a minute, the address
// is answered 429 with Retry-After, and nothing is written: without a lookup when it sends no key or one that cannot be
// one; a key that can be one is looked up and passes when valid, so one client with a bad key does not shut out the
// others behind its address.
import { FailedAuthentications } from '../../src/auth/failed-authentications.js';
import { filingBody, principal, startLedger, type LedgerApp } from '../support/ledger-app.js';

const LIMIT = 5;
let ledger: LedgerApp;

beforeAll(async () => {
  ledger = await startLedger({ publicRateLimit: LIMIT });
});
afterAll(() => ledger.close());

it('answers 429 once an address has sent the limit of requests without a valid key in a minute; a held key still passes', async () => {
  const alice = await principal(ledger, 'Alice', ['creator']);
  const bob = await principal(ledger, 'Bob', ['creator']); // his key is never used before the limit is reached
  expect((await ledger.http().get('/v1/me').set('authorization', `Bearer ${alice.key}`)).status).toBe(200);
  const wrong = () => ledger.http().get('/v1/me').set('authorization', 'Bearer slk_not_a_key_of_this_ledger');
  for (let i = 0; i < LIMIT; i++) expect((await wrong()).status).toBe(401);

  const size = await ledger.store.count();
  for (const refused of [
    await wrong(),
    await ledger.http().get('/v1/me'),
    await ledger.http().post('/v1/filings').set('authorization', 'Bearer slk_another_wrong_key').send(filingBody()),
    // A write that cannot carry a key is refused before its body is read: not a 400 for a body it would have parsed,
    // nor a 415 for a type it does not take.
    await ledger.http().post('/v1/filings').set('content-type', 'application/json').send('[]'),
    await ledger.http().post('/v1/filings').set('content-type', 'application/json').send('{"__proto__":1}'),
    await ledger.http().post('/v1/filings').set('content-type', 'text/plain').send('x'),
  ]) {
    expect(refused.status).toBe(429);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ type: 'urn:sandbox-ledger:problem:rate-limited', status: 429 });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
  }
  expect(await ledger.store.count()).toBe(size);
  // Alice's key, which the server holds as valid, still works from the same address; so does the admin's.
  expect((await ledger.http().get('/v1/me').set('authorization', `Bearer ${alice.key}`)).status).toBe(200);
  expect((await ledger.http().post('/v1/filings').set('authorization', `Bearer ${alice.key}`).send(filingBody())).status).toBe(201);
  // So does a valid key the server has not seen since it started: a key that can be one is looked up, not refused unread.
  expect((await ledger.http().get('/v1/me').set('authorization', `Bearer ${bob.key}`)).body).toMatchObject({ principalId: bob.id });
  // A key of the right form that is not valid is still refused with 429, and writes nothing.
  const beforeForged = await ledger.store.count();
  const forged = await ledger
    .http()
    .post('/v1/filings')
    .set('authorization', `Bearer slk_${'A'.repeat(43)}`)
    .send(filingBody());
  expect({ status: forged.status, type: forged.body.type }).toEqual({ status: 429, type: 'urn:sandbox-ledger:problem:rate-limited' });
  expect(await ledger.store.count()).toBe(beforeForged);
  // Public routes keep their own limit.
  expect((await ledger.http().get('/v1/ledger/checkpoint')).status).toBe(200);
});

describe('FailedAuthentications', () => {
  it('opens a window of a minute at the first failure and lets the address in again once it is over', () => {
    const f = new FailedAuthentications(2);
    f.failed('a', 0);
    expect(f.waitFor('a', 1_000)).toBe(0);
    f.failed('a', 1_000);
    expect(f.waitFor('a', 1_000)).toBe(59);
    expect(f.waitFor('a', 59_500)).toBe(1);
    expect(f.waitFor('b', 1_000)).toBe(0);
    expect(f.waitFor('a', 60_000)).toBe(0);
    f.failed('a', 60_000); // a new window: one failure
    expect(f.waitFor('a', 60_001)).toBe(0);
  });

  it('keeps at most 10,000 addresses, dropping those whose window is over, then the oldest', () => {
    const f = new FailedAuthentications(1);
    for (let i = 0; i < 10_000; i++) f.failed(`old-${i}`, 0);
    expect(f.waitFor('old-0', 1)).toBe(60);
    f.failed('new', 30_000); // every window still open: the oldest goes
    expect(f.waitFor('old-0', 30_001)).toBe(0);
    expect(f.waitFor('old-1', 30_001)).toBe(30);
    expect(f.waitFor('new', 30_001)).toBe(60);
    f.failed('later', 61_000); // the old windows are over: they go; the new one stays
    expect(f.waitFor('later', 61_000)).toBe(60);
    expect(f.waitFor('new', 61_000)).toBe(29);
    expect(f.waitFor('old-1', 61_000)).toBe(0);
  });
});

it('refuses a write that cannot carry a key before reading its body, and counts it', async () => {
  const own = await startLedger({ publicRateLimit: 2 });
  try {
    const noKey = await own.http().post('/v1/filings').set('content-type', 'application/json').send('{"__proto__":1}');
    expect(noKey.status).toBe(401);
    expect(noKey.body).toMatchObject({ type: 'urn:sandbox-ledger:problem:missing-key' });
    const shortKey = await own.http().post('/v1/filings').set('authorization', 'Bearer short').set('content-type', 'text/plain').send('x');
    expect(shortKey.status).toBe(401);
    expect(shortKey.body).toMatchObject({ type: 'urn:sandbox-ledger:problem:invalid-key' });
    // Both counted: the address is past its limit of 2.
    expect((await own.http().get('/v1/me')).status).toBe(429);
    // An unknown route is still not found, key or none.
    expect((await own.http().post('/v1/no-such-route').send({})).status).toBe(404);
  } finally {
    await own.close();
  }
});
