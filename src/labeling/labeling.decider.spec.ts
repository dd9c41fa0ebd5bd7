import { DomainError } from '../common/domain-error.js';
import type { FilingEvent, WorkFiled } from '../filing/filing.events.js';
import { fold } from '../ledger/decider.js';
import { given } from '../ledger/given-when-then.js';
import {
  labelingDecider,
  labelStatus,
  type CheckLabelFileCommand,
  type DeclareLabelsCommand,
  type FileReading,
  type FilingStreamEvent,
  type LabelsInput,
  type RegisterCopyCommand,
} from './labeling.decider.js';
import type { Aigc, CopyRegistered, ExplicitLabel, LabelEvent, LabelFileChecked, LabelsDeclared } from './labeling.events.js';

const filedAt = new Date('2026-11-29T10:00:00.000Z');
const now = new Date('2026-11-30T10:00:00.000Z');
const later = new Date('2026-12-01T10:00:00.000Z');
const hash = 'a'.repeat(64);
const DST = 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia';

const filedAs = (contentType: string): WorkFiled => ({
  type: 'WorkFiled',
  data: {
    filingId: 'f1',
    creator: 'alice',
    contentHash: hash,
    contentType,
    title: 'Sunset',
    generation: {
      digitalSourceType: DST,
      tool: { name: 'SD', version: '3', provider: null },
      promptHash: 'b'.repeat(64),
      negativePromptHash: null,
      parametersHash: null,
      parameters: null,
      seed: '42',
      iterations: 3,
      humanContribution: 'selection',
    },
    processEvidence: [],
    perceptualHash: null,
    filedAt: filedAt.toISOString(),
  },
});
const filed = filedAs('image/png');
const withdrawn: FilingEvent = { type: 'FilingWithdrawn', data: { filingId: 'f1', reason: null, withdrawnAt: now.toISOString() } };

const explicit = (e: Partial<ExplicitLabel> = {}): ExplicitLabel => ({
  text: 'AI生成',
  placement: ['bottom-right'],
  displaySeconds: null,
  textHeightRatio: 0.06,
  audioCue: null,
  rhythm: null,
  ...e,
});
const producer = { Label: '1', ContentProducer: 'ACME-AI', ProduceID: 'gen-0001', ReservedCode1: '', ReservedCode2: '' };
const complete: Aigc = {
  Label: '1',
  ContentProducer: 'ACME-AI',
  ProduceID: 'gen-0001',
  ReservedCode1: '',
  ContentPropagator: 'SANDBOXLEDGER',
  PropagateID: 'f1',
  ReservedCode2: '',
};
const input = (l: Partial<LabelsInput> = {}): LabelsInput => ({
  modality: null,
  explicit: explicit(),
  aigc: producer,
  digitalSourceType: null,
  c2paManifestHash: null,
  ...l,
});
const declareCmd = (l: Partial<LabelsInput> = {}, actor = 'alice', at = now): DeclareLabelsCommand => ({
  type: 'DeclareLabels',
  filingId: 'f1',
  actor,
  labels: input(l),
  platformCode: 'SANDBOXLEDGER',
  now: at,
});

const declared = (
  version = 1,
  e = explicit(),
  aigc = complete,
  modality: LabelsDeclared['data']['modality'] = 'image',
): LabelsDeclared => ({
  type: 'LabelsDeclared',
  data: {
    filingId: 'f1',
    version,
    modality,
    explicit: e,
    implicit: { AIGC: aigc },
    digitalSourceType: DST,
    c2paManifestHash: null,
    declaredAt: now.toISOString(),
  },
});

const reading = (values: FileReading['values'] = [], r: Partial<FileReading> = {}): FileReading => ({
  sha256: hash,
  size: 1234,
  format: 'png',
  values,
  traces: [],
  unread: [],
  ...r,
});
const checkCmd = (file: FileReading, actor = 'alice'): CheckLabelFileCommand => ({
  type: 'CheckLabelFile',
  filingId: 'f1',
  actor,
  file,
  now: later,
});
const checked = (d: Partial<LabelFileChecked['data']>): LabelFileChecked => ({
  type: 'LabelFileChecked',
  data: {
    filingId: 'f1',
    file: { sha256: hash, size: 1234, format: 'png' },
    outcome: 'not-found',
    labels: [],
    differences: [],
    traces: [],
    unread: [],
    declarationVersion: 1,
    tier: '2',
    checkedAt: later.toISOString(),
    ...d,
  },
});
const inFile = (aigc: Record<string, string>) => JSON.stringify(aigc);

/** The field-level errors of a refused command. */
function refusal(
  history: FilingStreamEvent[],
  command: DeclareLabelsCommand | CheckLabelFileCommand,
): { code: string; status: string; fields: string[] } {
  try {
    labelingDecider.decide(command, fold(labelingDecider, history));
  } catch (err) {
    if (!(err instanceof DomainError)) throw err;
    return { code: err.code, status: err.kind, fields: ((err.extensions.errors ?? []) as Array<{ field: string }>).map((e) => e.field) };
  }
  throw new Error('the command was accepted');
}

describe('labeling decider', () => {
  describe('DeclareLabels', () => {
    it('given a filed image, records LabelsDeclared with the propagation elements the ledger assigns', () =>
      given(labelingDecider, [filed]).when(declareCmd()).then([declared()]));

    it('accepts propagation elements sent equal to what the ledger assigns', () =>
      given(labelingDecider, [filed])
        .when(declareCmd({ aigc: { ...producer, ContentPropagator: 'SANDBOXLEDGER', PropagateID: 'f1' } }))
        .then([declared()]));

    it('takes PropagateID in either case, as every UUID in a body, and records it as the ledger writes it', () => {
      const upper = declareCmd();
      upper.labels.aigc = { ...upper.labels.aigc, PropagateID: 'F1' };
      given(labelingDecider, [filed]).when(upper).then([declared()]);
    });
    it("refuses a ContentPropagator or PropagateID other than the ledger's", () =>
      expect(refusal([filed], declareCmd({ aigc: { ...producer, ContentPropagator: 'OTHER', PropagateID: 'x' } }))).toEqual({
        code: 'label-rules-not-met',
        status: 'unprocessable',
        fields: ['implicit.AIGC.ContentPropagator', 'implicit.AIGC.PropagateID'],
      }));

    it('checks the AIGC fields itself too (forbidden character, wrong Label)', () =>
      expect(refusal([filed], declareCmd({ aigc: { ...producer, Label: '4', ProduceID: 'a b' } })).fields).toEqual([
        'implicit.AIGC.Label',
        'implicit.AIGC.ProduceID',
      ]));

    it('keeps the digital source type and C2PA manifest hash when given', () =>
      given(labelingDecider, [filed])
        .when(
          declareCmd({
            digitalSourceType: 'http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia',
            c2paManifestHash: 'c'.repeat(64),
          }),
        )
        .then([
          {
            ...declared(),
            data: {
              ...declared().data,
              digitalSourceType: 'http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia',
              c2paManifestHash: 'c'.repeat(64),
            },
          },
        ]));

    it("refuses a label's digital source type that is not AI-generated on a work filed as AI-generated", () =>
      expect(refusal([filed], declareCmd({ digitalSourceType: 'http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture' }))).toEqual({
        code: 'label-rules-not-met',
        status: 'unprocessable',
        fields: ['digitalSourceType'],
      }));

    it('takes any digital source type on a work not filed as AI-generated', () => {
      const human = filedAs('image/png');
      human.data.generation.digitalSourceType = 'http://cv.iptc.org/newscodes/digitalsourcetype/digitalArt';
      const labels = declareCmd({ digitalSourceType: 'http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture' });
      const [event] = labelingDecider.decide(labels, fold(labelingDecider, [human]));
      expect(event).toMatchObject({
        type: 'LabelsDeclared',
        data: { digitalSourceType: 'http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture' },
      });
    });

    describe('explicit label rules by modality', () => {
      it('image: text height below 5 % of the shortest side is refused', () =>
        expect(refusal([filed], declareCmd({ explicit: explicit({ textHeightRatio: 0.049 }) })).fields).toEqual([
          'explicit.textHeightRatio',
        ]));
      it('image: a start/middle/end placement is refused, and a missing height', () =>
        expect(refusal([filed], declareCmd({ explicit: explicit({ placement: ['start'], textHeightRatio: null }) })).fields).toEqual([
          'explicit.placement',
          'explicit.textHeightRatio',
        ]));
      it('image: a text that does not say AI-generated is refused', () =>
        expect(refusal([filed], declareCmd({ explicit: explicit({ text: 'Made with love' }) })).fields).toEqual(['explicit.text']));
      it('"AI" must be a word of its own, not the letters inside another', () => {
        for (const text of ['PAINTED BY HAND, NOT GENERATED', 'MAIL generated', 'Generated by TRAINED models', 'ＭＡＩＬ生成'])
          expect(refusal([filed], declareCmd({ explicit: explicit({ text }) })).fields).toEqual(['explicit.text']);
        for (const text of ['AI-generated', 'ai generated', 'AIGC: generated', 'Generated by A.I.', 'AI生成', '由AI合成', 'ＡＩ生成'])
          given(labelingDecider, [filed])
            .when(declareCmd({ explicit: explicit({ text }) }))
            .then([declared(1, explicit({ text }))]);
      });

      const video = filedAs('video/mp4');
      const videoLabel = explicit({ text: 'AI-generated', placement: ['start', 'end'], displaySeconds: 2, textHeightRatio: 0.05 });
      it('video: opening frame, 2 s and 5 % pass', () =>
        given(labelingDecider, [video])
          .when(declareCmd({ explicit: videoLabel }))
          .then([declared(1, videoLabel, complete, 'video')]));
      it('video: shown under 2 s, not on the opening frame, with an audio cue: each refused', () =>
        expect(
          refusal([video], declareCmd({ explicit: { ...videoLabel, placement: ['middle'], displaySeconds: 1.9, audioCue: 'voice' } }))
            .fields,
        ).toEqual(['explicit.placement', 'explicit.displaySeconds', 'explicit.audioCue']));

      const audio = filedAs('audio/mpeg');
      const rhythm = explicit({
        text: null,
        placement: ['start'],
        textHeightRatio: null,
        audioCue: 'rhythm',
        rhythm: 'short-long-short-short',
      });
      it('audio: the rhythm cue short-long-short-short passes without text', () =>
        given(labelingDecider, [audio])
          .when(declareCmd({ explicit: rhythm }))
          .then([declared(1, rhythm, complete, 'audio')]));
      it('audio: another rhythm is refused', () =>
        expect(refusal([audio], declareCmd({ explicit: { ...rhythm, rhythm: 'long-short' } })).fields).toEqual(['explicit.rhythm']));
      it('audio: a voice label needs its words, and no cue at all is refused', () => {
        expect(refusal([audio], declareCmd({ explicit: { ...rhythm, audioCue: 'voice', rhythm: null } })).fields).toEqual([
          'explicit.text',
        ]);
        expect(
          refusal([audio], declareCmd({ explicit: { ...rhythm, audioCue: null, rhythm: null, text: '本内容由AI生成' } })).fields,
        ).toEqual(['explicit.audioCue']);
      });

      const text = filedAs('text/markdown');
      it('text: start, middle or end; no figures', () => {
        const label = explicit({ text: '本文由人工智能生成', placement: ['end'], textHeightRatio: null });
        given(labelingDecider, [text])
          .when(declareCmd({ explicit: label }))
          .then([declared(1, label, complete, 'text')]);
        expect(refusal([text], declareCmd({ explicit: { ...label, displaySeconds: 3 } })).fields).toEqual(['explicit.displaySeconds']);
      });

      const scene = explicit({ text: 'AI合成场景', placement: ['start'], displaySeconds: 3, textHeightRatio: null });
      it('virtual scene from a model/* content type: opening screen for 2 s', () => {
        given(labelingDecider, [filedAs('model/gltf-binary')])
          .when(declareCmd({ explicit: scene }))
          .then([declared(1, scene, complete, 'virtual-scene')]);
        expect(refusal([filedAs('model/gltf-binary')], declareCmd({ explicit: { ...scene, displaySeconds: null } })).fields).toEqual([
          'explicit.displaySeconds',
        ]);
      });
      it('virtual scene asked for explicitly where the content type does not decide', () =>
        given(labelingDecider, [filedAs('application/octet-stream')])
          .when(declareCmd({ modality: 'virtual-scene', explicit: scene }))
          .then([declared(1, scene, complete, 'virtual-scene')]));
      it('refuses virtual-scene for an image, and a content type with no rule', () => {
        expect(refusal([filed], declareCmd({ modality: 'virtual-scene', explicit: scene })).fields).toEqual(['modality']);
        expect(refusal([filedAs('application/octet-stream')], declareCmd({ explicit: scene })).fields).toEqual(['modality']);
        // A well-formed content type whose top level is a name every object has: no rule either.
        expect(refusal([filedAs('constructor/x')], declareCmd({ explicit: scene })).fields).toEqual(['modality']);
      });
    });

    it('an amendment appends version 2; history stays', () => {
      const amended = explicit({ text: 'AI generated', placement: ['top-left'] });
      given(labelingDecider, [filed, declared()])
        .when(declareCmd({ explicit: amended }))
        .then([{ type: 'LabelsDeclared', data: { ...declared(2, amended).data } }]);
    });
    it('refuses an amendment identical to the labels in force', () =>
      given(labelingDecider, [filed, declared()]).when(declareCmd()).thenThrows('labels-unchanged'));
    it('refuses a withdrawn filing', () => given(labelingDecider, [filed, withdrawn]).when(declareCmd()).thenThrows('filing-withdrawn'));
    it('refuses an unknown filing', () => given(labelingDecider, []).when(declareCmd()).thenThrows('filing-not-found'));
    it('refuses anyone but the creator', () => given(labelingDecider, [filed]).when(declareCmd({}, 'mallory')).thenThrows('not-owner'));
    it("after a final transfer, the labels are the holder's: the holder declares, the former creator is refused", () => {
      given(labelingDecider, [filed])
        .when({ ...declareCmd({}, 'bob'), holder: 'bob' })
        .then([declared()]);
      given(labelingDecider, [filed])
        .when({ ...declareCmd(), holder: 'bob' })
        .thenThrows('right-transferred', { holder: 'bob' });
      given(labelingDecider, [filed])
        .when({ ...declareCmd({}, 'mallory'), holder: 'bob' })
        .thenThrows('not-owner');
      given(labelingDecider, [filed])
        .when({ ...declareCmd(), holder: 'alice' })
        .then([declared()]);
    });
  });

  describe('CheckLabelFile', () => {
    const found = (location: string, aigc: Aigc) => ({ location, aigc, problems: [], excerpt: null });

    it("refuses a file whose SHA-256 is not the filing's contentHash", () =>
      expect(refusal([filed, declared()], checkCmd(reading([], { sha256: 'b'.repeat(64) })))).toEqual({
        code: 'content-hash-mismatch',
        status: 'unprocessable',
        fields: ['file'],
      }));

    it('declared and found (propagation elements still empty in the filed bytes): tier 1', () => {
      const inPng = { ...complete, ContentPropagator: '', PropagateID: '' };
      given(labelingDecider, [filed, declared()])
        .when(
          checkCmd(
            reading([
              { location: 'png:tEXt:AIGC', value: inFile(inPng) },
              { location: 'xmp:TC260:AIGC', value: inFile(complete) },
            ]),
          ),
        )
        .then([checked({ outcome: 'found', labels: [found('png:tEXt:AIGC', inPng), found('xmp:TC260:AIGC', complete)], tier: '1' })]);
    });

    it('declared only: not found, tier 2', () =>
      given(labelingDecider, [filed, declared()])
        .when(checkCmd(reading()))
        .then([checked({ outcome: 'not-found', tier: '2' })]));

    it('after a final transfer, the holder or a reviewer checks the file; the former creator is refused', () => {
      given(labelingDecider, [filed, declared()])
        .when({ ...checkCmd(reading(), 'bob'), holder: 'bob' })
        .then([checked({ outcome: 'not-found', tier: '2' })]);
      given(labelingDecider, [filed, declared()])
        .when({ ...checkCmd(reading(), 'rita'), holder: 'bob', reviewer: true })
        .then([checked({ outcome: 'not-found', tier: '2' })]);
      given(labelingDecider, [filed, declared()])
        .when({ ...checkCmd(reading()), holder: 'bob' })
        .thenThrows('right-transferred');
    });

    it('neither declared nor found, but an AI trace: tier 3', () =>
      given(labelingDecider, [filed])
        .when(checkCmd(reading([], { traces: ['C2PA manifest store'] })))
        .then([checked({ outcome: 'not-found', traces: ['C2PA manifest store'], declarationVersion: null, tier: '3' })]));

    it('neither declared, found nor detected: no tier', () =>
      given(labelingDecider, [filed])
        .when(checkCmd(reading()))
        .then([checked({ outcome: 'not-found', declarationVersion: null, tier: null })]));

    it('a label that differs from the declaration is recorded field by field', () => {
      const wrong = { ...complete, Label: '3', ProduceID: 'other', ContentPropagator: 'ELSEWHERE' };
      given(labelingDecider, [filed, declared()])
        .when(checkCmd(reading([{ location: 'png:iTXt:AIGC', value: inFile(wrong) }])))
        .then([
          checked({
            outcome: 'differs',
            labels: [found('png:iTXt:AIGC', wrong)],
            tier: '1',
            differences: [
              { location: 'png:iTXt:AIGC', field: 'Label', expected: '1', found: '3' },
              { location: 'png:iTXt:AIGC', field: 'ProduceID', expected: 'gen-0001', found: 'other' },
              { location: 'png:iTXt:AIGC', field: 'ContentPropagator', expected: 'SANDBOXLEDGER', found: 'ELSEWHERE' },
            ],
          }),
        ]);
    });

    it('a malformed label is invalid, and a trace of AI generation', () => {
      const { Label: _, ...missing } = complete;
      given(labelingDecider, [filed])
        .when(checkCmd(reading([{ location: 'xmp:TC260:AIGC', value: inFile(missing) }])))
        .then([
          checked({
            outcome: 'invalid',
            labels: [{ location: 'xmp:TC260:AIGC', aigc: null, problems: ['Label is missing'], excerpt: inFile(missing).slice(0, 120) }],
            traces: ['malformed implicit label at xmp:TC260:AIGC'],
            declarationVersion: null,
            tier: '3',
          }),
        ]);
    });

    it('a format it cannot read is recorded as such', () =>
      given(labelingDecider, [filed, declared()])
        .when(checkCmd(reading([], { format: 'other' })))
        .then([checked({ file: { sha256: hash, size: 1234, format: 'other' }, outcome: 'unsupported-format', tier: '2' })]));

    it('refuses anyone but the creator, and a withdrawn filing', () => {
      given(labelingDecider, [filed]).when(checkCmd(reading(), 'mallory')).thenThrows('not-owner');
      given(labelingDecider, [filed, withdrawn]).when(checkCmd(reading())).thenThrows('filing-withdrawn');
    });
  });

  describe('RegisterCopy', () => {
    const PHASH = '0f0f0f0f0f0f0f0f';
    const byUpload: WorkFiled = {
      type: 'WorkFiled',
      data: { ...filed.data, perceptualHash: { scheme: 'phash64', value: PHASH, source: 'computed' } },
    };
    const copyHash = 'c'.repeat(64);
    const copyCmd = (
      values: FileReading['values'],
      o: Partial<RegisterCopyCommand['copy']> = {},
      actor = 'alice',
    ): RegisterCopyCommand => ({
      type: 'RegisterCopy',
      filingId: 'f1',
      actor,
      platformCode: 'SANDBOXLEDGER',
      threshold: 8,
      policyVersion: 1,
      now: later,
      copy: {
        sha256: copyHash,
        size: 2000,
        sniffedType: 'image/png',
        perceptualHash: { scheme: 'phash64', value: '0f0f0f0f0f0f0f0e' },
        values,
        ...o,
      },
    });
    const registered = (): CopyRegistered => ({
      type: 'CopyRegistered',
      data: {
        filingId: 'f1',
        copy: { sha256: copyHash, size: 2000, sniffedType: 'image/png', perceptualHash: { scheme: 'phash64', value: '0f0f0f0f0f0f0f0e' } },
        label: complete,
        location: 'png:iTXt:AIGC',
        distance: 1,
        threshold: 8,
        policyVersion: 1,
        registeredAt: later.toISOString(),
      },
    });
    const labelled = [{ location: 'png:iTXt:AIGC', value: inFile(complete) }];

    it('registers a copy carrying the label handed out for the filing, perceptually the filed work', () =>
      given(labelingDecider, [byUpload, declared()]).when(copyCmd(labelled)).then([registered()]));

    it('registers a copy for the holder a final transfer named, and refuses the former creator', () => {
      given(labelingDecider, [byUpload, declared()])
        .when({ ...copyCmd(labelled, {}, 'bob'), holder: 'bob' })
        .then([registered()]);
      given(labelingDecider, [byUpload, declared()])
        .when({ ...copyCmd(labelled), holder: 'bob' })
        .thenThrows('right-transferred');
    });

    it('accepts the label of an earlier declaration too', () =>
      given(labelingDecider, [
        byUpload,
        declared(),
        declared(2, explicit({ text: 'AI generated' }), { ...complete, ProduceID: 'gen-0002' }),
      ])
        .when(copyCmd(labelled))
        .then([registered()]));

    it('refuses a copy without a label naming the filing, or with one the ledger did not hand out', () => {
      given(labelingDecider, [byUpload, declared()]).when(copyCmd([])).thenThrows('copy-label-missing');
      given(labelingDecider, [byUpload, declared()])
        .when(copyCmd([{ location: 'png:iTXt:AIGC', value: inFile({ ...complete, PropagateID: 'f2' }) }]))
        .thenThrows('copy-label-missing');
      given(labelingDecider, [byUpload, declared()])
        .when(copyCmd([{ location: 'png:iTXt:AIGC', value: inFile({ ...complete, ContentPropagator: 'X' }) }]))
        .thenThrows('copy-label-differs');
      given(labelingDecider, [byUpload, declared()])
        .when(copyCmd([{ location: 'png:iTXt:AIGC', value: inFile({ ...complete, Label: '2' }) }]))
        .thenThrows('copy-label-differs');
    });

    /** The refusal of a copy of the labelled filing. */
    function copyRefusal(command: RegisterCopyCommand): DomainError {
      try {
        labelingDecider.decide(command, fold(labelingDecider, [byUpload, declared()]));
      } catch (err) {
        if (err instanceof DomainError) return err;
        throw err;
      }
      throw new Error('the copy was registered');
    }

    it('refuses a copy whose AIGC label is malformed as such (not copy-label-missing), saying what was found', () => {
      const extraKey = JSON.stringify({ ...JSON.parse(inFile(complete)), Extra: 'x' });
      const cutShort = inFile(complete).slice(0, 40);
      for (const value of [extraKey, cutShort]) {
        const err = copyRefusal(copyCmd([{ location: 'png:iTXt:AIGC', value }]));
        expect(err.code).toBe('copy-label-malformed');
        expect(err.extensions.found).toEqual([
          { location: 'png:iTXt:AIGC', PropagateID: null, problems: [expect.any(String)], excerpt: value.slice(0, 120) },
        ]);
      }
      // Beside a well-formed label naming another filing, the malformed one is still named.
      const err = copyRefusal(
        copyCmd([
          { location: 'png:tEXt:AIGC', value: inFile({ ...complete, PropagateID: 'f2' }) },
          { location: 'png:iTXt:AIGC', value: cutShort },
        ]),
      );
      expect(err.code).toBe('copy-label-malformed');
      expect(err.extensions.found).toEqual([
        { location: 'png:tEXt:AIGC', PropagateID: 'f2', problems: [], excerpt: null },
        expect.objectContaining({ location: 'png:iTXt:AIGC', PropagateID: null }),
      ]);
      // The label the ledger handed out registers the copy, whatever else the file carries.
      given(labelingDecider, [byUpload, declared()])
        .when(copyCmd([...labelled, { location: 'png:tEXt:AIGC', value: cutShort }]))
        .then([registered()]);
    });

    it('refuses a file that is not the work: further than the threshold, or not an image', () => {
      given(labelingDecider, [byUpload, declared()])
        .when(copyCmd(labelled, { perceptualHash: { scheme: 'phash64', value: 'f0f0f0f0f0f0f0f0' } }))
        .thenThrows('copy-not-the-same-work');
      given(labelingDecider, [byUpload, declared()])
        .when(copyCmd(labelled, { perceptualHash: null }))
        .thenThrows('copy-not-an-image');
    });

    it('refuses a file that is not an image as such, before looking for its label (a text file carries none)', () =>
      given(labelingDecider, [byUpload, declared()])
        .when(copyCmd([], { sniffedType: null, perceptualHash: null }))
        .thenThrows('copy-not-an-image'));

    it('refuses without a declaration, without a computed hash, the filed bytes, a copy twice, and anyone but the creator', () => {
      given(labelingDecider, [byUpload]).when(copyCmd(labelled)).thenThrows('labels-not-declared');
      given(labelingDecider, [filed, declared()]).when(copyCmd(labelled)).thenThrows('no-computed-hash');
      given(labelingDecider, [byUpload, declared()])
        .when(copyCmd(labelled, { sha256: hash }))
        .thenThrows('copy-is-filed-content');
      given(labelingDecider, [byUpload, declared(), registered()]).when(copyCmd(labelled)).thenThrows('copy-already-registered');
      given(labelingDecider, [byUpload, declared()])
        .when(copyCmd(labelled, {}, 'mallory'))
        .thenThrows('not-owner');
      given(labelingDecider, [byUpload, declared(), withdrawn]).when(copyCmd(labelled)).thenThrows('filing-withdrawn');
    });

    it("a registered copy may then be checked as the filing's file; a reviewer may check any filing's file", () => {
      given(labelingDecider, [byUpload, declared(), registered()])
        .when(checkCmd(reading(labelled, { sha256: copyHash })))
        .then([
          checked({
            file: { sha256: copyHash, size: 1234, format: 'png', registeredCopy: true },
            outcome: 'found',
            labels: [{ location: 'png:iTXt:AIGC', aigc: complete, problems: [], excerpt: null }],
            tier: '1',
          }),
        ]);
      given(labelingDecider, [filed])
        .when({ ...checkCmd(reading(), 'rita'), reviewer: true })
        .then([checked({ outcome: 'not-found', declarationVersion: null, tier: null })]);
    });
  });

  describe('label status', () => {
    const status = (events: FilingStreamEvent[]) => labelStatus(fold(labelingDecider, events));
    const match = checked({ outcome: 'found', tier: '1' });
    it('none, then declared (tier 2), then verified by a matching file (tier 1), then declared again after an amendment', () => {
      expect(status([filed])).toEqual({ state: 'none', tier: null });
      expect(status([filed, declared()])).toEqual({ state: 'declared', tier: '2' });
      expect(status([filed, declared(), match])).toEqual({ state: 'verified', tier: '1' });
      expect(
        status([filed, declared(), match, declared(2, explicit({ text: 'AI generated' }))] as LabelEvent[] as FilingStreamEvent[]),
      ).toEqual({ state: 'declared', tier: '2' });
    });
    it('stays verified whatever a later check of another file finds, until the declaration changes', () => {
      const original = checked({ outcome: 'not-found', tier: '2' });
      const differing = checked({ outcome: 'differs', tier: '1' });
      expect(status([filed, declared(), match, original])).toEqual({ state: 'verified', tier: '1' });
      expect(status([filed, declared(), match, differing, original])).toEqual({ state: 'verified', tier: '1' });
      // Before any match, the last check decides.
      expect(status([filed, declared(), original])).toEqual({ state: 'declared', tier: '2' });
      // A new declaration is checked anew: the earlier match was of the old one.
      const redeclared = [filed, declared(), match, declared(2, explicit({ text: 'AI generated' })), checked({ declarationVersion: 2 })];
      expect(status(redeclared as LabelEvent[] as FilingStreamEvent[])).toEqual({ state: 'declared', tier: '2' });
    });
    it('a check before any declaration gives a tier but no state', () =>
      expect(status([filed, checked({ declarationVersion: null, tier: '3' })])).toEqual({ state: 'none', tier: '3' }));
  });
});
