// lastRightStep: the rights projection settles a filing's right once per batch, at the step whose row one-by-one
// application keeps. Checked against that application itself (the rules at every step, the row's asOf carried from one
// to the next), and it declines (undefined) whenever the filing's events fall outside the reading it relies on.
import fc from 'fast-check';
import { lastRightStep } from '../../src/settlement/rights.projection.js';
import { rightOf } from '../../src/verifier/rights-book.js';
import type { RuleEvent } from '../../src/verifier/rights-events.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 10);
const iso = (t: number) => new Date(t).toISOString();
const filingId = 'f-1';

const workFiled = (leafIndex: number, filedAt: string, data: Record<string, unknown> = {}): RuleEvent => ({
  type: 'WorkFiled',
  leafIndex,
  data: { filingId, creator: 'alice', filedAt, ...data },
});
const labelled = (leafIndex: number, declaredAt: string): RuleEvent => ({
  type: 'LabelsDeclared',
  leafIndex,
  data: { filingId, declaredAt },
});

/** One-by-one application: the rules at each step, as of the later of its instant and the row's asOf. */
function oneByOne(events: RuleEvent[], steps: Array<{ leafIndex: number; instant: string }>, rowAsOf: string | null) {
  const filed = events.find((e) => e.type === 'WorkFiled');
  let row: { asOf: string; leafIndex: number } | null = rowAsOf === null ? null : { asOf: rowAsOf, leafIndex: -1 };
  let changed: { leafIndex: number; asOf: string } | null = null;
  for (const { leafIndex, instant } of steps) {
    if (!filed || filed.leafIndex > leafIndex) continue;
    const asOf = row && row.asOf > instant ? row.asOf : instant;
    const right = rightOf(
      events.filter((e) => e.leafIndex <= leafIndex),
      filingId,
      asOf,
    );
    if (!right) continue;
    row = { asOf: right.asOf, leafIndex };
    changed = { leafIndex, asOf };
  }
  return changed;
}

describe('lastRightStep', () => {
  it('finds the step and asOf one-by-one application settles last, steps before the filing and before its instant included', () => {
    const instant = fc.integer({ min: -3 * DAY, max: 3 * DAY }).map((d) => iso(T0 + d));
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4 }), // leaf of the WorkFiled among the steps
        fc.array(instant, { minLength: 1, maxLength: 7 }),
        fc.option(instant, { nil: null }),
        (filedLeaf, instants, rowAsOf) => {
          const events = [workFiled(filedLeaf, iso(T0))];
          const steps = instants.map((instant, leafIndex) => ({ leafIndex, instant }));
          for (const { leafIndex, instant: at } of steps) if (leafIndex !== filedLeaf) events.push(labelled(leafIndex, at));
          events.sort((a, b) => a.leafIndex - b.leafIndex);
          const expected = oneByOne(events, steps, rowAsOf);
          const found = lastRightStep(filingId, events, steps, rowAsOf);
          expect(found).toEqual(expected && { leafIndex: expected.leafIndex, instant: expected.asOf });
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('takes the later asOf of the row into the step it settles, and gives null when no step has a right', () => {
    const events = [workFiled(3, iso(T0)), labelled(5, iso(T0 + DAY))];
    const steps = [
      { leafIndex: 3, instant: iso(T0) },
      { leafIndex: 5, instant: iso(T0 + DAY) },
    ];
    expect(lastRightStep(filingId, events, steps, iso(T0 + 2 * DAY))).toEqual({ leafIndex: 5, instant: iso(T0 + 2 * DAY) });
    expect(lastRightStep(filingId, events, steps, null)).toEqual({ leafIndex: 5, instant: iso(T0 + DAY) });
    // Every step before the work was filed, in the log or in time: no right, the row stays as it is.
    expect(lastRightStep(filingId, events, [{ leafIndex: 2, instant: iso(T0 + DAY) }], null)).toBeNull();
    expect(lastRightStep(filingId, events, [{ leafIndex: 5, instant: iso(T0 - 1) }], null)).toBeNull();
  });

  it('declines when the rules must decide at every step', () => {
    const steps = [{ leafIndex: 4, instant: iso(T0) }];
    const declined = (events: RuleEvent[], s = steps, rowAsOf: string | null = null) =>
      expect(lastRightStep(filingId, events, s, rowAsOf)).toBeUndefined();
    declined([workFiled(1, iso(T0)), workFiled(2, iso(T0))]); // two WorkFiled in the stream
    declined([]); // none
    declined([workFiled(1, iso(T0), { creator: '' })]); // one the rules skip as malformed
    declined([workFiled(1, 'not a time')]);
    declined([workFiled(1, iso(T0), { filingId: 'f-2' })]); // another filing's
    declined([workFiled(1, iso(T0))], [{ leafIndex: 4, instant: '2026-01-10T00:00:00Z' }]); // not as Date writes it
    declined([workFiled(1, iso(T0))], steps, '2026-01-10T00:00:00Z');
    // A step before the WorkFiled is skipped, whatever its instant.
    expect(lastRightStep(filingId, [workFiled(5, iso(T0))], [{ leafIndex: 4, instant: 'whenever' }], null)).toBeNull();
  });
});
