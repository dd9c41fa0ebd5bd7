import { contentOf, day, declareLabels, fileWork, iso, registerCopy, sha256Hex } from '../../test/support/ledger-commands.js';
import { projectionSpec } from '../../test/support/projection-spec.js';
import { CopiesProjection } from './copies.projection.js';

const copies = projectionSpec(() => [new CopiesProjection()]);
const PHASH = '00000000000000ff';
const byUpload = fileWork('f1', 'alice', day(0), { perceptualHash: { scheme: 'phash64', value: PHASH, source: 'computed' } });

describe('copies projection', () => {
  it('a registered copy is a row at its CopyRegistered leaf, naming the filing; the filed content is no copy', async () => {
    const { rows, log } = await copies
      .given(byUpload, declareLabels('f1', 'alice', day(1)))
      .when(registerCopy('f1', 'alice', day(2), sha256Hex('copy 1'), '00000000000000fe'))
      .then({
        copies: [
          {
            sha256: sha256Hex('copy 1'),
            filingId: 'f1',
            registeredAt: iso(2),
            distance: 1,
            perceptualHash: { scheme: 'phash64', value: '00000000000000fe' },
          },
        ],
      });
    const registered = log.find((e) => e.type === 'CopyRegistered')!;
    expect(rows.copies[0]).toMatchObject({ leafIndex: registered.leafIndex, eventHash: registered.hash });
    expect(rows.copies.map((c) => c.sha256)).not.toContain(contentOf('f1'));
  });

  it('several copies of one filing, in one batch or several, one row each', () =>
    copies
      .given(byUpload, declareLabels('f1', 'alice', day(1)), registerCopy('f1', 'alice', day(2), sha256Hex('copy 1')))
      .when(registerCopy('f1', 'alice', day(3), sha256Hex('copy 2')), registerCopy('f1', 'alice', day(4), sha256Hex('copy 3')))
      .then({ copies: [{ sha256: sha256Hex('copy 1') }, { sha256: sha256Hex('copy 2') }, { sha256: sha256Hex('copy 3') }] }));
});
