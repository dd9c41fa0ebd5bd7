// A checkpoint history's items list beside each note what it says: its size, root and time, and the witnesses that
// cosigned it (`cosignatures`, [{cosigner, time}]). Each must be what the signed note says; a reader of the list instead
// of the note would be misled otherwise.
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { checkpointItems } from '../../src/cli/sources.js';
import { COSIGNATURE_V1, cosignerKeyId, signCosignatureV1 } from '../../src/verifier/cosignature.js';
import { parseNote } from '../../src/verifier/note.js';
import { newSigner, sampleLog } from '../verifier/fixture.js';

const signer = newSigner();
const log = sampleLog();
const checkpoint = signer.checkpoint(log);
const text = (parseNote(checkpoint) as { text: string }).text;
const seed = ed25519.utils.randomSecretKey();
const witness = `witness.test/w1+${bytesToHex(cosignerKeyId('witness.test/w1', COSIGNATURE_V1, ed25519.getPublicKey(seed)))}`;
const cosigned = checkpoint + signCosignatureV1(text, 'witness.test/w1', seed, 1_800_000_000);
const item = (cosignatures: unknown) => ({ note: cosigned, cosignatures });

it('takes an item whose cosignatures are those its note carries, or none listed', () => {
  expect(checkpointItems([item([{ cosigner: witness, time: 1_800_000_000 }])])).toEqual([{ note: cosigned, timestamps: [] }]);
  expect(checkpointItems([item([])])).toHaveLength(1);
  expect(checkpointItems([{ note: cosigned }])).toHaveLength(1);
});

it.each([
  ['a witness that did not cosign', [{ cosigner: 'evil+00000000', time: 1 }], '{"cosigner":"evil+00000000","time":1}'],
  ['the witness at another time', [{ cosigner: witness, time: 1_800_000_001 }], `{"cosigner":"${witness}","time":1800000001}`],
  ['a list of another shape', { cosigner: witness }, `{"cosigner":"${witness}"}`],
])('refuses an item whose cosignatures list %s', (_, cosignatures, shown) => {
  expect(() => checkpointItems([item(cosignatures)])).toThrow(
    `checkpoint history item 0: its cosignatures list ${shown}, which the signed note does not carry`,
  );
});
