// The server appends only events `verify` takes, on SQLite and on PostgreSQL. A filing whose commit comes more than 10
// minutes after the time it read (the process stalled between: here the system clock moves on 11 minutes as the append
// is called) is refused 503 stale-time with Retry-After, appending nothing, and sent again it is filed; an event a
// handler got wrong (here a member added to it on its way to the store) is refused as the server's error, appending
// nothing. What the server did append verifies.
import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { processCommitClock } from '../../src/ledger/event-store/append-planning.js';
import type { StreamAppend } from '../../src/ledger/event-store/event-store.port.js';
import { expectRefused, filingBody, principal, startLedger, type LedgerApp } from '../support/ledger-app.js';
import { dropSchema, freshSchema, skipWithoutDatabase, testDatabaseUrl } from '../support/pg-schema.js';
import { verifyWholeLedger } from '../support/whole-ledger.js';

const MINUTE = 60_000;

function admissionSuite(store: 'SQLite' | 'PostgreSQL', start: () => Promise<LedgerApp>) {
  describe(`what the server appends (${store})`, () => {
    let ledger: LedgerApp;
    let alice: { key: string };
    beforeAll(async () => {
      ledger = await start();
      alice = await principal(ledger, 'Alice', ['creator']);
    });
    afterAll(async () => {
      jest.restoreAllMocks();
      await ledger?.close();
    });
    afterEach(() => jest.restoreAllMocks());

    const file = (body: object = filingBody(), idempotencyKey?: string) => {
      const req = ledger.http().post('/v1/filings').set('authorization', `Bearer ${alice.key}`);
      return (idempotencyKey ? req.set('idempotency-key', idempotencyKey) : req).send(body);
    };
    /** The store's next append goes through `change` first (the command has decided, and read its time, by then). */
    const beforeTheNextAppend = (change: (appends: StreamAppend[]) => StreamAppend[]) => {
      const appendMulti = ledger.store.appendMulti.bind(ledger.store);
      jest.spyOn(ledger.store, 'appendMulti').mockImplementationOnce((appends) => appendMulti(change(appends)));
    };

    // Sent again with the same Idempotency-Key, it is filed.
    it('refuses a filing committed over 10 minutes after the time it states: 503 stale-time, nothing appended', async () => {
      // The time a command reads now: the commit clock's, which a suite before this one may have moved ahead.
      const readAt = processCommitClock.current().getTime();
      const realNow = Date.now.bind(Date);
      const started = realNow();
      beforeTheNextAppend((appends) => {
        // From here on, 11 minutes later: as a process that stalled between reading the time and its commit.
        jest.spyOn(Date, 'now').mockImplementation(() => readAt + 11 * MINUTE + (realNow() - started));
        return appends;
      });
      const body = filingBody();
      const idempotencyKey = `stale-${store}`;
      let answer: Awaited<ReturnType<typeof file>> | undefined;
      const refused = await expectRefused(ledger, async () => (answer = await file(body, idempotencyKey)), 503, 'stale-time');
      expect(answer?.headers['retry-after']).toBe('1');
      const iso = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z';
      expect(refused.detail).toMatch(
        new RegExp(
          "^more than 10 minutes passed, by the server's clock, between reading the time its WorkFiled states " +
            `\\(filedAt ${iso}\\) and its commit \\(${iso}\\), and nothing of that commit was written: send the request again$`,
        ),
      );
      const [stated, committed] = (refused.detail as string).match(new RegExp(iso, 'g'))!.map(Date.parse);
      expect(committed - stated).toBeGreaterThanOrEqual(11 * MINUTE);
      // The system clock is back: the key's claim is not old enough to be taken over. It was freed with nothing
      // appended, so the request is carried out, not refused as in progress, nor replayed.
      jest.restoreAllMocks();
      const again = await file(body, idempotencyKey);
      expect(again.status).toBe(201);
      expect(again.headers['idempotent-replayed']).toBeUndefined();
      // The commit clock stays where it was moved; the time stated and the commit agree.
      const filed = (await ledger.store.readStream(`filing-${again.body.filingId}`))[0];
      expect(Date.parse(filed.recordedAt)).toBeGreaterThanOrEqual(readAt + 11 * MINUTE);
      expect(Date.parse(filed.recordedAt) - Date.parse(filed.data.filedAt as string)).toBeLessThan(MINUTE);
    });

    it('refuses as its own error an event a handler got wrong, appending nothing of its command', async () => {
      beforeTheNextAppend((appends) =>
        appends.map((a) => ({
          ...a,
          events: a.events.map((e) => (e.type === 'WorkFiled' ? { ...e, data: { ...e.data, title2: 'x' } } : e)),
        })),
      );
      const logged: string[] = [];
      jest.spyOn(Logger.prototype, 'error').mockImplementation((message: unknown) => void logged.push(String(message)));
      const refused = await expectRefused(ledger, () => file(), 500, 'internal');
      // The server's fault: what is wrong is logged, not answered.
      expect(JSON.stringify(refused)).not.toContain('title2');
      expect(logged.join('\n')).toMatch(
        new RegExp(
          "InadmissibleEventError: refused to append WorkFiled to filing-[0-9a-f-]{36}: WorkFiled's data member /title2 " +
            'is one its type does not have',
        ),
      );
      expect((await file()).status).toBe(201);
    });

    it('appended a log that verifies, holding the filings sent again and none of the refused', async () => {
      const { result, events } = await verifyWholeLedger(ledger);
      expect(result).toMatchObject({ ok: true, treeSize: events.length });
      expect(events.filter((e) => e.type === 'WorkFiled')).toHaveLength(2);
    });
  });
}

admissionSuite('SQLite', () => startLedger({ store: 'sqlite' }));
const url = testDatabaseUrl;
if (!url) skipWithoutDatabase('what the server appends (PostgreSQL)');
else {
  const schema = freshSchema('test_admission');
  admissionSuite('PostgreSQL', async () => {
    const ledger = await startLedger({ store: 'postgres', databaseUrl: url, databaseSchema: schema });
    return { ...ledger, close: async () => (await ledger.close(), await dropSchema(schema)) };
  });
}
