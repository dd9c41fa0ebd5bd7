// Racing writers on one server: one winner per expected revision, every acknowledged write stored as itself, nothing twice.
// The store's own events are the witness, not the responses.
import { randomBytes } from 'node:crypto';
import type { EventEnvelope } from '../../src/verifier/envelope.js';
import type { AppConfig } from '../../src/config.js';
import { filingBody, startLedger, type LedgerApp } from '../support/ledger-app.js';
import { assembleCast, Fixtures, labelsBody, type Cast } from '../support/cast.js';
import { call, type Reply } from '../support/http-client.js';
import { scaled } from '../support/stress.js';
import { dropSchema } from '../support/pg-schema.js';

const ROUNDS = scaled(6, 60);
const RACERS = scaled(6, 12);
const TIMEOUT = scaled(60_000, 600_000);

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const ok = (r: Reply) => r.status >= 200 && r.status < 300;
const problemCode = (r: Reply) => String(r.json?.type ?? '').replace('urn:sandbox-ledger:problem:', '');

// The embedded store runs each append synchronously; PostgreSQL interleaves the read and the append of racing requests for real.
const PG_URL = process.env.TEST_DATABASE_URL;
const STORES: Array<[string, () => Partial<AppConfig>]> = [['SQLite', () => ({ store: 'sqlite' })]];
if (PG_URL)
  STORES.push([
    'PostgreSQL',
    () => ({ store: 'postgres', databaseUrl: PG_URL, databaseSchema: `races_${randomBytes(6).toString('hex')}` }),
  ]);
else process.stderr.write('\nSKIPPED: races on PostgreSQL: TEST_DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/test)\n');

describe.each(STORES)('concurrent writers on %s', (storeName, storeConfig) => {
  let ledger: LedgerApp;
  let cast: Cast;
  let f: Fixtures;
  const tally: string[] = [];

  beforeAll(async () => {
    ledger = await startLedger({ publicRateLimit: 100_000, ...storeConfig() });
    cast = await assembleCast(ledger.url, ledger.adminKey);
    f = new Fixtures(ledger.url, cast);
  });
  afterAll(async () => {
    console.log(`races on ${storeName} (${ROUNDS} rounds of ${RACERS} racers each):\n${tally.join('\n')}`);
    await ledger.close();
    if (ledger.config.store === 'postgres') await dropSchema(ledger.config.databaseSchema!, ledger.config.databaseUrl!);
  });

  const since = async (position: number): Promise<EventEnvelope[]> => ledger.store.readAll(position, { limit: 100_000 });
  const stream = (name: string) => ledger.store.readStream(name);

  /** Sends all requests at once; each gets its own connection. */
  const race = (requests: Array<() => Promise<Reply>>) => Promise.all(requests.map((r) => r()));

  it(
    'files one content hash once: one 201, every other racer 409 naming the winner, one reservation and one WorkFiled',
    async () => {
      const creators = [cast.creator, cast.otherCreator, cast.complainant];
      const winners: Array<[string, string]> = [];
      const start = await ledger.store.count();
      for (let round = 0; round < ROUNDS; round++) {
        const contentHash = randomBytes(32).toString('hex');
        const replies = await race(
          range(RACERS).map(
            (i) => () =>
              call(ledger.url, 'POST', '/v1/filings', creators[i % creators.length].key, filingBody({ contentHash, title: `racer ${i}` })),
          ),
        );
        const won = replies.filter(ok);
        expect(won.map((r) => r.status)).toEqual([201]);
        const winner: string = won[0].json.filingId;
        for (const lost of replies.filter((r) => !ok(r))) {
          expect([lost.status, problemCode(lost), lost.json.priorFilingId]).toEqual([409, 'duplicate-content', winner]);
        }
        const reservation = await stream(`content-${contentHash}`);
        expect(reservation.map((e) => [e.type, e.data.filingId])).toEqual([['ContentReserved', winner]]);
        winners.push([contentHash, winner]);
      }
      const appended = await since(start);
      expect(appended).toHaveLength(2 * ROUNDS);
      const filed = appended.filter((e) => e.type === 'WorkFiled').map((e) => [e.data.contentHash as string, e.data.filingId as string]);
      expect(filed.sort()).toEqual(winners.sort());
      tally.push(`  same content hash: ${ROUNDS} races, ${ROUNDS} winners, ${ROUNDS * (RACERS - 1)} refused as duplicates`);
    },
    TIMEOUT,
  );

  /** Races `bodies` against one dispute action and checks one winner, stored as sent. */
  async function raceDisputeAction(
    stage: 'opened' | 'answered' | 'decided',
    action: string,
    racers: Array<{ key: string; body: Record<string, unknown> }>,
    eventType: string,
  ) {
    const id = await f.dispute(stage);
    const before = await stream(`dispute-${id}`);
    const replies = await race(racers.map((r) => () => call(ledger.url, 'POST', `/v1/disputes/${id}/${action}`, r.key, r.body)));
    const won = replies.map((r, i) => ({ r, i })).filter(({ r }) => ok(r));
    expect(won.map(({ r }) => r.status)).toEqual([200]);
    for (const lost of replies.filter((r) => !ok(r))) {
      expect([409]).toContain(lost.status);
      expect(['already-decided', 'already-assigned', 'already-appealed', 'concurrent-modification']).toContain(problemCode(lost));
    }
    const after = await stream(`dispute-${id}`);
    const added = after.slice(before.length);
    // Exactly what the winner's response says it recorded, and one event of the action's type.
    expect(added.map((e) => e.hash)).toEqual(won[0].r.json.recorded.map((x: { eventHash: string }) => x.eventHash));
    expect(added.filter((e) => e.type === eventType)).toHaveLength(1);
    return { winner: racers[won[0].i], event: added.find((e) => e.type === eventType)!, refused: replies.length - 1 };
  }

  it(
    "decides a dispute once: one 200 among racing decisions, one DisputeDecided carrying the winner's body",
    async () => {
      let refused = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const bodies = range(RACERS).map((i) =>
          i % 2 === 0
            ? { outcome: 'rejected', reasoning: `racer ${i}: not shown` }
            : { outcome: 'upheld', remedy: i % 4 === 1 ? 'revoke' : 'suspend', reasoning: `racer ${i}: shown` },
        );
        const {
          winner,
          event,
          refused: r,
        } = await raceDisputeAction(
          'answered',
          'decision',
          bodies.map((body) => ({ key: cast.assignedReviewer.key, body })),
          'DisputeDecided',
        );
        expect(event.data).toMatchObject({
          outcome: winner.body.outcome,
          reasoning: winner.body.reasoning,
          remedy: winner.body.remedy ?? null,
        });
        refused += r;
      }
      tally.push(`  same dispute decision: ${ROUNDS} races, ${ROUNDS} decisions, ${refused} refused`);
    },
    TIMEOUT,
  );

  it(
    "assigns a dispute once when reviewers race to take it, and files one appeal when a party's appeals race",
    async () => {
      let refused = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const reviewers = range(RACERS).map((i) => (i % 2 === 0 ? cast.reviewer : cast.assignedReviewer));
        const assigned = await raceDisputeAction(
          'opened',
          'assign',
          reviewers.map((who) => ({ key: who.key, body: { reviewerId: who.id } })),
          'DisputeAssigned',
        );
        expect(assigned.event.data.reviewerId).toBe(assigned.winner.body.reviewerId);
        // Each party may appeal once: the complainant's racing appeals file one.
        const parties = range(RACERS).map(() => cast.complainant);
        const appealed = await raceDisputeAction(
          'decided',
          'appeal',
          parties.map((who, i) => ({ key: who.key, body: { grounds: `party ${i} disagrees` } })),
          'AppealFiled',
        );
        expect(appealed.event.data).toMatchObject({ grounds: appealed.winner.body.grounds });
        refused += assigned.refused + appealed.refused;
      }
      tally.push(`  same dispute assignment and appeal: ${2 * ROUNDS} races, ${refused} refused`);
    },
    TIMEOUT,
  );

  it(
    'declares labels without losing an update: each 201 is one LabelsDeclared of its own version, as sent, and the read model shows the last',
    async () => {
      let accepted = 0;
      let refused = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const { filingId } = await f.filing();
        const bodies = range(RACERS).map((i) => labelsBody(`race-${round}-${i}`));
        const replies = await race(
          bodies.map((body) => () => call(ledger.url, 'POST', `/v1/filings/${filingId}/labels`, cast.creator.key, body)),
        );
        const declared = (await stream(`filing-${filingId}`)).filter((e) => e.type === 'LabelsDeclared');
        const won = replies.map((r, i) => ({ r, produceId: bodies[i].implicit.AIGC.ProduceID })).filter(({ r }) => ok(r));
        for (const lost of replies.filter((r) => !ok(r)))
          expect([lost.status, problemCode(lost)]).toEqual([409, 'concurrent-modification']);
        expect(won.length).toBeGreaterThanOrEqual(1);
        // One event per acknowledgement, versions 1..n in stream order, each holding what its request sent.
        expect(declared.map((e) => e.data.version)).toEqual(range(won.length).map((i) => i + 1));
        expect(won.map(({ r }) => r.json.version).sort()).toEqual(range(won.length).map((i) => i + 1));
        for (const { r, produceId } of won) {
          const event = declared.find((e) => e.data.version === r.json.version)!;
          expect([event.hash, (event.data as any).implicit.AIGC.ProduceID]).toEqual([r.json.eventHash, produceId]);
        }
        const view = await call(ledger.url, 'GET', `/v1/filings/${filingId}`, cast.creator.key);
        const last = declared[declared.length - 1];
        expect(view.json.labels.declared).toMatchObject({ version: last.data.version, implicit: (last.data as any).implicit });
        accepted += won.length;
        refused += replies.length - won.length;
      }
      tally.push(`  same filing's labels: ${ROUNDS} races, ${accepted} declarations stored, ${refused} refused as concurrent`);
    },
    TIMEOUT,
  );

  it(
    'never labels a withdrawn filing when a withdrawal races declarations',
    async () => {
      // Withdrawing a labelled filing at all (its stream holds label events the filing decider must step over).
      const labelled = await f.filing();
      expect((await call(ledger.url, 'POST', `/v1/filings/${labelled.filingId}/labels`, cast.creator.key, labelsBody())).status).toBe(201);
      expect((await call(ledger.url, 'POST', `/v1/filings/${labelled.filingId}/withdraw`, cast.creator.key, {})).status).toBe(200);
      let withdrawn = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const { filingId } = await f.filing();
        // The withdrawal takes every place in the line of racers in turn, so that it sometimes wins and sometimes loses.
        const w = round % RACERS;
        const requests = range(RACERS).map((i) =>
          i === w
            ? () => call(ledger.url, 'POST', `/v1/filings/${filingId}/withdraw`, cast.creator.key, { reason: 'race' })
            : () => call(ledger.url, 'POST', `/v1/filings/${filingId}/labels`, cast.creator.key, labelsBody(`w-${round}-${i}`)),
        );
        const replies = await race(requests);
        const events = await stream(`filing-${filingId}`);
        const at = events.findIndex((e) => e.type === 'FilingWithdrawn');
        expect(at >= 0).toBe(ok(replies[w]));
        if (at >= 0) {
          withdrawn += 1;
          expect(events.slice(at + 1)).toEqual([]);
        }
        const labelled = replies.filter((r, i) => i !== w && ok(r)).length;
        expect(events.filter((e) => e.type === 'LabelsDeclared')).toHaveLength(labelled);
        for (const r of replies.filter((x) => !ok(x))) expect(r.status).toBe(409);
      }
      tally.push(`  withdrawal against declarations: ${ROUNDS} races, ${withdrawn} withdrawals, never a label after one`);
    },
    TIMEOUT,
  );

  it(
    'replays one Idempotency-Key sent by racing retries: one filing, the same response to all',
    async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const body = filingBody();
        const before = await ledger.store.count();
        const key = `retry-${round}-${randomBytes(4).toString('hex')}`;
        const replies = await race(
          range(RACERS).map(() => () => call(ledger.url, 'POST', '/v1/filings', cast.creator.key, body, { 'idempotency-key': key })),
        );
        expect(new Set(replies.map((r) => `${r.status} ${r.json.filingId}`)).size).toBe(1);
        expect(replies[0].status).toBe(201);
        expect(await ledger.store.count()).toBe(before + 2);
      }
      tally.push(`  one Idempotency-Key, racing retries: ${ROUNDS} races, one filing each`);
    },
    TIMEOUT,
  );
});
