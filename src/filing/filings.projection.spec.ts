import { contentOf, day, fileWork, iso, publishPolicy, withdrawFiling } from '../../test/support/ledger-commands.js';
import { projectionSpec } from '../../test/support/projection-spec.js';
import { FilingsProjection } from './filings.projection.js';

const filings = projectionSpec((store) => [new FilingsProjection(store)]);

describe('filings projection', () => {
  it('a filed work is an active row at its WorkFiled leaf, its labels due after the 7 grace days of policy v1', async () => {
    const { rows, log } = await filings.when(fileWork('f1', 'alice', day(0))).then({
      filings: [
        {
          filingId: 'f1',
          creator: 'alice',
          contentHash: contentOf('f1'),
          contentType: 'image/png',
          title: 'Work f1',
          status: 'active',
          filedAt: iso(0),
          labelState: 'none',
          labelTier: null,
          labels: null,
          labelCheck: null,
          labelDueAt: iso(7),
          withdrawnAt: null,
          withdrawReason: null,
        },
      ],
    });
    const filed = log.find((e) => e.type === 'WorkFiled')!;
    expect(rows.filings[0]).toMatchObject({
      leafIndex: filed.leafIndex,
      eventHash: filed.hash,
      generation: filed.data.generation,
      processEvidence: filed.data.processEvidence,
    });
  });

  it('ignores the content reservation committed with the filing', async () => {
    const { log } = await filings.when(fileWork('f1', 'alice', day(0))).then({ filings: [{ filingId: 'f1' }] });
    expect(log.map((e) => e.type)).toEqual(['ContentReserved', 'WorkFiled']);
  });

  it('a withdrawal in a later batch marks the row withdrawn with its time and reason, and leaves the rest', () =>
    filings
      .given(fileWork('f1', 'alice', day(0)), fileWork('f2', 'bob', day(0.5)))
      .when(withdrawFiling('f1', 'alice', day(2), 'published by mistake'))
      .then({
        filings: [
          { filingId: 'f1', status: 'withdrawn', withdrawnAt: iso(2), withdrawReason: 'published by mistake', labelDueAt: iso(7) },
          { filingId: 'f2', status: 'active', withdrawnAt: null },
        ],
      }));

  it('a filing and its withdrawal in one batch leave the withdrawn row', () =>
    filings.when(fileWork('f1', 'alice', day(0)), withdrawFiling('f1', 'alice', day(0.1))).then({
      filings: [{ filingId: 'f1', status: 'withdrawn', withdrawnAt: iso(0.1), withdrawReason: null }],
    }));

  describe('label due date under a published policy', () => {
    const v2 = publishPolicy(day(3), { labelGraceDays: 14 }, day(1));

    it("a filing before the new version takes effect keeps v1's grace; one after it takes v2's", () =>
      filings
        .given(v2)
        .when(fileWork('f1', 'alice', day(2)), fileWork('f2', 'bob', day(4)))
        .then({
          filings: [
            { filingId: 'f1', labelDueAt: iso(9) },
            { filingId: 'f2', labelDueAt: iso(18) },
          ],
        }));

    it('the version published in the same batch applies to the filings after it', () =>
      filings.when(fileWork('f1', 'alice', day(0.5)), v2, fileWork('f2', 'bob', day(4))).then({
        filings: [
          { filingId: 'f1', labelDueAt: iso(7.5) },
          { filingId: 'f2', labelDueAt: iso(18) },
        ],
      }));

    it('after a restart, the versions published before the first batch are read from the policy stream', () =>
      filings
        .given(v2, fileWork('f1', 'alice', day(2)))
        .afterRestart()
        .when(fileWork('f2', 'bob', day(4)))
        .then({
          filings: [
            { filingId: 'f1', labelDueAt: iso(9) },
            { filingId: 'f2', labelDueAt: iso(18) },
          ],
        }));

    it('a version published after a filing does not change its due date', () =>
      filings
        .given(fileWork('f1', 'alice', day(0)))
        .when(publishPolicy(day(3), { labelGraceDays: 1 }, day(1)))
        .then({
          filings: [{ filingId: 'f1', labelDueAt: iso(7) }],
        }));
  });
});
