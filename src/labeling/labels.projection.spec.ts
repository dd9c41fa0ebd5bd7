import { FilingsProjection } from '../filing/filings.projection.js';
import {
  aigcInFile,
  checkLabelFile,
  contentOf,
  day,
  declareLabels,
  fileWork,
  IMAGE_LABELS,
  iso,
  withdrawFiling,
} from '../../test/support/ledger-commands.js';
import { projectionSpec } from '../../test/support/projection-spec.js';
import { LabelsProjection } from './labels.projection.js';

// Listed before the filings projection it runs after: the runner orders them.
const labels = projectionSpec((store) => [new LabelsProjection(), new FilingsProjection(store)]);

const filed = fileWork('f1', 'alice', day(0));
const declared = declareLabels('f1', 'alice', day(1));
const labelInFile = (changes = {}) => [{ location: 'png:iTXt:AIGC', value: aigcInFile('f1', changes) }];
const checked = (at: number, values = labelInFile()) => checkLabelFile('f1', 'alice', day(at), values);

describe('labels projection', () => {
  it('a declaration is "declared", tier 2 (possibly AI-generated), and is kept whole but for the filing id', async () => {
    const { rows } = await labels
      .given(filed)
      .when(declared)
      .then({
        filings: [{ filingId: 'f1', labelState: 'declared', labelTier: '2', labelCheck: null }],
      });
    expect(rows.filings[0].labels).toEqual({
      version: 1,
      modality: 'image',
      explicit: IMAGE_LABELS.explicit,
      implicit: { AIGC: { ...IMAGE_LABELS.aigc, ContentPropagator: 'SANDBOXLEDGER', PropagateID: 'f1' } },
      digitalSourceType: 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia',
      c2paManifestHash: null,
      declaredAt: iso(1),
    });
  });

  it('a file check that finds the declared label makes it "verified", tier 1, with the check and its leaf', async () => {
    const { rows, log } = await labels
      .given(filed, declared)
      .when(checked(2))
      .then({
        filings: [
          {
            filingId: 'f1',
            labelState: 'verified',
            labelTier: '1',
            labelCheck: {
              outcome: 'found',
              declarationVersion: 1,
              tier: '1',
              differences: [],
              checkedAt: iso(2),
              file: { sha256: contentOf('f1'), size: 2048, format: 'png' },
            },
          },
        ],
      });
    expect(rows.filings[0].labelCheck).toMatchObject({ leafIndex: log.find((e) => e.type === 'LabelFileChecked')!.leafIndex });
  });

  it('a file whose label differs from the declaration leaves it "declared", at the tier of a label in the file', () =>
    labels
      .given(filed, declared)
      .when(checked(2, labelInFile({ ProduceID: 'gen-0002' })))
      .then({
        filings: [
          {
            filingId: 'f1',
            labelState: 'declared',
            labelTier: '1',
            labelCheck: {
              outcome: 'differs',
              differences: [{ location: 'png:iTXt:AIGC', field: 'ProduceID', expected: 'gen-0001', found: 'gen-0002' }],
            },
          },
        ],
      }));

  it.each([
    ['no label (the filed original, which cannot carry the filing id)', []],
    ['a label that differs from the declaration', labelInFile({ ProduceID: 'gen-0002' })],
  ])('a later check of another file, %s, leaves it "verified", tier 1, recorded as the last check', (_, values) =>
    labels
      .given(filed, declared, checked(2))
      .when(checked(3, values))
      .then({
        filings: [
          {
            filingId: 'f1',
            labelState: 'verified',
            labelTier: '1',
            labelCheck: { outcome: values.length === 0 ? 'not-found' : 'differs', checkedAt: iso(3), declarationVersion: 1 },
          },
        ],
      }),
  );

  it('a batch holding the matching check and a later check of the original: "verified" as one by one', () =>
    labels.when(filed, declared, checked(2), checked(3, [])).then({
      filings: [{ filingId: 'f1', labelState: 'verified', labelTier: '1', labelCheck: { outcome: 'not-found' } }],
    }));

  it('an amended declaration after a verified check is "declared" again, tier 2; the last check stays on the row', () =>
    labels
      .given(filed, declared, checked(2))
      .when(declareLabels('f1', 'alice', day(3), { aigc: { ...IMAGE_LABELS.aigc, ProduceID: 'gen-0002' } }))
      .then({
        filings: [
          {
            filingId: 'f1',
            labelState: 'declared',
            labelTier: '2',
            labels: { version: 2, declaredAt: iso(3), implicit: { AIGC: { ProduceID: 'gen-0002' } } },
            labelCheck: { outcome: 'found', declarationVersion: 1 },
          },
        ],
      }));

  describe('a file check without a declaration leaves the state "none", with the tier the file shows', () => {
    it('a label in the file: tier 1', () =>
      labels
        .given(filed)
        .when(checked(1))
        .then({
          filings: [
            {
              filingId: 'f1',
              labelState: 'none',
              labelTier: '1',
              labels: null,
              labelCheck: { outcome: 'found', declarationVersion: null },
            },
          ],
        }));

    it('no label but traces of AI generation: tier 3', () =>
      labels
        .given(filed)
        .when(checkLabelFile('f1', 'alice', day(1), [], { traces: ['IPTC digital source type trainedAlgorithmicMedia'] }))
        .then({ filings: [{ filingId: 'f1', labelState: 'none', labelTier: '3', labelCheck: { outcome: 'not-found' } }] }));

    it('nothing at all: no tier', () =>
      labels
        .given(filed)
        .when(checked(1, []))
        .then({
          filings: [{ filingId: 'f1', labelState: 'none', labelTier: null, labelCheck: { outcome: 'not-found', tier: null } }],
        }));
  });

  it('a filing, its declaration and a matching check in one batch: the labels apply to the row inserted in that batch', () =>
    labels.when(filed, declared, checked(2)).then({
      filings: [{ filingId: 'f1', status: 'active', labelState: 'verified', labelTier: '1', labelDueAt: iso(7) }],
    }));

  it('a withdrawal keeps the labels as they were', () =>
    labels
      .given(filed, declared)
      .when(withdrawFiling('f1', 'alice', day(2)))
      .then({
        filings: [{ filingId: 'f1', status: 'withdrawn', labelState: 'declared', labelTier: '2', labels: { version: 1 } }],
      }));

  it('labels of other filings in the batch do not touch this one', () =>
    labels
      .given(filed, fileWork('f2', 'bob', day(0)))
      .when(declareLabels('f2', 'bob', day(1)))
      .then({
        filings: [
          { filingId: 'f1', labelState: 'none', labelTier: null, labels: null },
          { filingId: 'f2', labelState: 'declared', labelTier: '2' },
        ],
      }));
});
