import { summarizeC2pa } from './c2pa.js';
import { provenanceSignals, type Provenance } from './file-inspection.js';

const IPTC = 'http://cv.iptc.org/newscodes/digitalsourcetype/';
const store = {
  active_manifest: 'urn:active',
  manifests: {
    'urn:ingredient': {
      assertions: [
        { label: 'c2pa.actions', data: { actions: [{ action: 'c2pa.created', digitalSourceType: `${IPTC}trainedAlgorithmicMedia` }] } },
      ],
    },
    'urn:active': {
      claim_generator: 'Editor/1.0',
      signature_info: { issuer: 'Example CA', time: '2026-01-02T03:04:05+00:00' },
      assertions: [
        {
          label: 'c2pa.actions.v2',
          data: { actions: [{ action: 'c2pa.opened', parameters: { nested: { digitalSourceType: `${IPTC}digitalCapture` } } }] },
        },
        { label: 'stds.schema-org.CreativeWork', data: { author: [{ name: 'A' }] } },
      ],
    },
  },
  validation_status: [{ code: 'signingCredential.untrusted' }, { code: 'assertion.dataHash.mismatch' }],
  validation_state: 'Invalid',
};

describe('summarizeC2pa', () => {
  it("names the validation state, the active manifest's signer, and every digital source type, the active manifest first", () => {
    expect(summarizeC2pa(store)).toEqual({
      validationState: 'Invalid',
      activeManifest: 'urn:active',
      claimGenerator: 'Editor/1.0',
      signer: 'Example CA',
      signedAt: '2026-01-02T03:04:05+00:00',
      digitalSourceTypes: [
        { manifest: 'urn:active', assertion: 'c2pa.actions.v2', value: `${IPTC}digitalCapture` },
        { manifest: 'urn:ingredient', assertion: 'c2pa.actions', value: `${IPTC}trainedAlgorithmicMedia` },
      ],
      failures: ['signingCredential.untrusted', 'assertion.dataHash.mismatch'],
    });
  });

  it('lists a type an assertion declares twice (two actions) once; the same type elsewhere stays', () => {
    const created = { action: 'c2pa.created', digitalSourceType: `${IPTC}trainedAlgorithmicMedia` };
    const twice = {
      active_manifest: 'urn:a',
      manifests: {
        'urn:a': {
          assertions: [
            { label: 'c2pa.actions.v2', data: { actions: [created, { ...created, action: 'c2pa.edited' }] } },
            { label: 'c2pa.actions', data: { actions: [created] } },
          ],
        },
        'urn:b': { assertions: [{ label: 'c2pa.actions.v2', data: { actions: [created, created] } }] },
      },
      validation_state: 'Valid',
    };
    expect(summarizeC2pa(twice).digitalSourceTypes).toEqual([
      { manifest: 'urn:a', assertion: 'c2pa.actions.v2', value: created.digitalSourceType },
      { manifest: 'urn:a', assertion: 'c2pa.actions', value: created.digitalSourceType },
      { manifest: 'urn:b', assertion: 'c2pa.actions.v2', value: created.digitalSourceType },
    ]);
  });

  it('survives a store of the wrong shape', () => {
    expect(summarizeC2pa({ manifests: 'x', validation_status: 7 })).toEqual({
      validationState: 'Unknown',
      activeManifest: null,
      claimGenerator: null,
      signer: null,
      signedAt: null,
      digitalSourceTypes: [],
      failures: [],
    });
    expect(summarizeC2pa(null).digitalSourceTypes).toEqual([]);
  });
});

describe('provenanceSignals', () => {
  const none: Provenance = { labels: [], c2pa: null, digitalSourceTypes: [], unread: [] };

  it("takes a generative-AI source type from any manifest, with the store's validation state", () => {
    expect(provenanceSignals({ ...none, c2pa: summarizeC2pa(store) })).toEqual([
      {
        signal: 'c2pa-digital-source-type',
        digitalSourceType: `${IPTC}trainedAlgorithmicMedia`,
        manifest: 'urn:ingredient',
        assertion: 'c2pa.actions',
        validationState: 'Invalid',
      },
    ]);
  });

  it('gives each signal once: the same source type, manifest, assertion and state found twice is one signal', () => {
    const type = { manifest: 'urn:active', assertion: 'c2pa.actions.v2', value: `${IPTC}trainedAlgorithmicMedia` };
    const c2pa = { ...summarizeC2pa(store), digitalSourceTypes: [type, type, { ...type, assertion: 'c2pa.actions' }] };
    const iptc = { location: 'xmp:Iptc4xmpExt:DigitalSourceType', value: `${IPTC}trainedAlgorithmicMedia` };
    expect(provenanceSignals({ ...none, c2pa, digitalSourceTypes: [iptc, iptc] })).toEqual([
      {
        signal: 'c2pa-digital-source-type',
        digitalSourceType: type.value,
        manifest: 'urn:active',
        assertion: 'c2pa.actions.v2',
        validationState: 'Invalid',
      },
      {
        signal: 'c2pa-digital-source-type',
        digitalSourceType: type.value,
        manifest: 'urn:active',
        assertion: 'c2pa.actions',
        validationState: 'Invalid',
      },
      { signal: 'iptc-digital-source-type', digitalSourceType: iptc.value, location: iptc.location },
    ]);
  });

  it('gives none for an unreadable store, a non-AI source type or labels other than "1" and "2"', () => {
    expect(provenanceSignals({ ...none, c2pa: { unreadable: 'broken' } })).toEqual([]);
    expect(
      provenanceSignals({ ...none, digitalSourceTypes: [{ location: 'xmp:x:DigitalSourceType', value: `${IPTC}digitalCapture` }] }),
    ).toEqual([]);
    expect(
      provenanceSignals({
        ...none,
        labels: [
          { location: 'png:tEXt:AIGC', label: '3', value: '{}' },
          { location: 'png:tEXt:AIGC', label: null, value: 'x' },
        ],
      }),
    ).toEqual([]);
  });
});
