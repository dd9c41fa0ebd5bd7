// A filing's late NearDuplicatesFound (a filing committed between its screening and its commit) is a second commit
// after the filing's, and reads its time anew: refused as stale (the clock moves 11 minutes as it is appended), it is
// tried again and written; refused each time, it is the server's error, not a 503 saying that nothing was written, as
// the filing is. In a file of its own: the process's commit clock never goes back, and these move it on.
import { randomBytes } from 'node:crypto';
import { jest } from '@jest/globals';
import { processCommitClock } from '../../src/ledger/event-store/append-planning.js';
import { StaleTimeError } from '../../src/ledger/event-store/event-admission.js';
import { FILING_SAFEGUARDS, type FilingSafeguards } from '../../src/filing/filing-safeguards.js';
import { eventTimeFault } from '../../src/verifier/event-time.js';
import { commitFiling, filingDetails } from '../support/filing-commits.js';
import { filingBody, principal, startLedger, type LedgerApp } from '../support/ledger-app.js';
import { verifyWholeLedger } from '../support/whole-ledger.js';

const MINUTE = 60_000;
const phash = () => randomBytes(8).toString('hex');
/** `hex` with its first two bits flipped: a near-duplicate at distance 2. */
const nearTo = (hex: string) => (parseInt(hex[0], 16) ^ 0xc).toString(16) + hex.slice(1);

let ledger: LedgerApp;
let carol: { id: string; key: string };
let dave: { id: string; key: string };
beforeAll(async () => {
  ledger = await startLedger();
  carol = await principal(ledger, 'Carol', ['creator']);
  dave = await principal(ledger, 'Dave', ['creator']);
});
afterAll(async () => {
  jest.restoreAllMocks();
  await ledger?.close();
});
afterEach(() => jest.restoreAllMocks());

/**
 * Dave's filing screened, Carol's near-duplicate filed after the screening, Dave's filing committed: what its
 * afterFiled then gives (it records the late NearDuplicatesFound), with `stalls` of its appends made stale.
 */
async function lateFinding(stalls: number) {
  const safeguards = ledger.app.get<FilingSafeguards>(FILING_SAFEGUARDS);
  const hash = phash();
  const late = filingDetails(dave.id, nearTo(hash));
  const now = processCommitClock.current();
  const screening = await safeguards.screen(late, now);
  const early = await ledger
    .http()
    .post('/v1/filings')
    .set('authorization', `Bearer ${carol.key}`)
    .send(filingBody({ perceptualHash: { scheme: 'phash64', value: hash } }));
  expect(early.status).toBe(201);
  const filed = await commitFiling(ledger.store, late, now);
  // Each of the next `stalls` appends moves the system clock 11 minutes on as it is called: its time, read before, is stale.
  const appendMulti = ledger.store.appendMulti.bind(ledger.store);
  let stalled = 0;
  let ahead = 0;
  const realNow = Date.now.bind(Date);
  jest.spyOn(Date, 'now').mockImplementation(() => realNow() + ahead);
  jest.spyOn(ledger.store, 'appendMulti').mockImplementation((appends) => {
    if (stalled++ < stalls) ahead = processCommitClock.current().getTime() - realNow() + 11 * MINUTE;
    return appendMulti(appends);
  });
  const attempt = safeguards.afterFiled(late, filed, screening);
  return { attempt, late, early: early.body.filingId as string, appends: () => stalled };
}

it('tries a late NearDuplicatesFound refused as stale again, with the time read anew, and writes it', async () => {
  const { attempt, late, early, appends } = await lateFinding(1);
  await expect(attempt).resolves.toMatchObject({ similarity: { candidates: [{ filingId: early, distance: 2 }] } });
  expect(appends()).toBe(2);
  const [filed, found] = await ledger.store.readStream(`filing-${late.filingId}`);
  expect([filed.type, found.type, found.meta.cause]).toEqual(['WorkFiled', 'NearDuplicatesFound', 'concurrent-filing']);
  expect(eventTimeFault(found, Date.parse(found.recordedAt))).toBeUndefined();
});

it('refused as stale each time, it is the server error of a written filing, not a 503 saying that nothing was written', async () => {
  const { attempt, late } = await lateFinding(Infinity);
  const err = (await attempt.then(
    () => null,
    (e: unknown) => e,
  )) as Error;
  expect(err).not.toBeInstanceOf(StaleTimeError);
  expect(err.message).toMatch(
    new RegExp(`^filing ${late.filingId} is written, but its late NearDuplicatesFound was not: more than 10 minutes`),
  );
  expect((await ledger.store.readStream(`filing-${late.filingId}`)).map((e) => e.type)).toEqual(['WorkFiled']);
});

it('leaves a ledger that verifies', async () => {
  const { result, events } = await verifyWholeLedger(ledger);
  expect(result).toMatchObject({ ok: true, treeSize: events.length });
});
