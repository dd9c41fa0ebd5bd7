// The server's answer to a refused request (an RFC 9457 problem document), saved in place of a bundle, a receipt, a
// checkpoint or a history by a client that does not fail on an HTTP error, is named as such, with its status, title
// and detail, rather than checked as a malformed bundle or receipt.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { verifyEvidenceCommand } from '../../src/cli/verify-evidence.js';
import { verifyCommand, verifyReceiptCommand } from '../../src/cli/verify.js';
import { ndjson, newSigner, sampleLog } from '../verifier/fixture.js';

const NOT_FOUND = {
  type: 'urn:sandbox-ledger:problem:not-found',
  title: 'Not Found',
  status: 404,
  detail: 'no filing 0190a0b0-0000-7000-8000-000000000000',
};
const UNAUTHORIZED = { type: 'urn:sandbox-ledger:problem:missing-key', title: 'Unauthorized', status: 401 };
const signer = newSigner();
const log = sampleLog();
let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'cli-error-answers-'));
  writeFileSync(join(work, 'vkey'), signer.vkey);
  writeFileSync(join(work, 'checkpoint'), signer.checkpoint(log));
  writeFileSync(join(work, 'log.ndjson'), ndjson(log).join('\n') + '\n');
  writeFileSync(join(work, 'not-found.json'), JSON.stringify(NOT_FOUND) + '\n');
  writeFileSync(join(work, 'unauthorized.json'), JSON.stringify(UNAUTHORIZED));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function run(command: (out: NodeJS.WritableStream) => Promise<number>) {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d) => (text += d));
  const code = await command(out);
  return { code, text };
}

it('verify-evidence names an error answer in place of the bundle', async () => {
  const file = join(work, 'not-found.json');
  expect(await run((out) => verifyEvidenceCommand({ bundle: file }, out))).toEqual({
    code: 1,
    text: `FAILED: ${file} is an error answer from the server, not an evidence bundle: 404 Not Found: no filing 0190a0b0-0000-7000-8000-000000000000\n`,
  });
});

it('verify-receipt names an error answer in place of the receipt (one without detail: status and title)', async () => {
  const file = join(work, 'unauthorized.json');
  expect(await run((out) => verifyReceiptCommand({ receipt: file, vkey: join(work, 'vkey') }, out))).toEqual({
    code: 1,
    text: `FAILED: ${file} is an error answer from the server, not a receipt: 401 Unauthorized\n`,
  });
});

it('verify names an error answer in place of a checkpoint or a checkpoint history', async () => {
  const file = join(work, 'not-found.json');
  const verify = (checkpoint: string[], checkpoints: string[]) =>
    run((out) =>
      verifyCommand({ export: join(work, 'log.ndjson'), checkpoint, checkpoints, vkey: join(work, 'vkey') }, out, { threads: 0 }),
    );
  const detail = '404 Not Found: no filing 0190a0b0-0000-7000-8000-000000000000';
  await expect(verify([file], [])).rejects.toThrow(new Error(`${file} is an error answer from the server, not a signed note: ${detail}`));
  await expect(verify([join(work, 'checkpoint')], [file])).rejects.toThrow(
    new Error(`${file} is an error answer from the server, not a checkpoint history: ${detail}`),
  );
});

it('verify names an error answer in place of the export, and checks an export whose first line is an event as before', async () => {
  const file = join(work, 'not-found.json');
  const verify = (exportFile: string) =>
    run((out) =>
      verifyCommand({ export: exportFile, checkpoint: [join(work, 'checkpoint')], checkpoints: [], vkey: join(work, 'vkey') }, out, {
        threads: 0,
      }),
    );
  expect(await verify(file)).toEqual({
    code: 1,
    text: `FAILED: ${file} is an error answer from the server, not an export: 404 Not Found: no filing 0190a0b0-0000-7000-8000-000000000000\n`,
  });
  expect((await verify(join(work, 'log.ndjson'))).code).toBe(0);
});

it('an object that only resembles one (no numeric status) is checked as what it was given as', async () => {
  const file = join(work, 'resembles.json');
  writeFileSync(file, JSON.stringify({ ...NOT_FOUND, status: '404' }));
  expect(await run((out) => verifyEvidenceCommand({ bundle: file }, out))).toEqual({
    code: 1,
    text: "FAILED: the bundle's format is not sandbox-ledger/evidence-bundle/v2 (nor sandbox-ledger/evidence-bundle/v1)\n",
  });
});

it('a bundle, a receipt or a history with a key twice in one object is refused, not checked as JSON.parse reads it', async () => {
  const bundle = join(work, 'twice-bundle.json');
  writeFileSync(bundle, '{"format":"sandbox-ledger/evidence-bundle/v2","filingId":"a","filingId":"b"}');
  expect(await run((out) => verifyEvidenceCommand({ bundle }, out))).toEqual({
    code: 1,
    text: 'FAILED: the bundle has the key "filingId" twice in one object\n',
  });
  const receipt = join(work, 'twice-receipt.json');
  writeFileSync(receipt, '{"entry":{"type":"WorkFiled","type":"Other"}}');
  await expect(run((out) => verifyReceiptCommand({ receipt, vkey: join(work, 'vkey') }, out))).rejects.toThrow(
    `${receipt}: not a receipt (JSON, or tlog-proof text) (the key "type" appears twice in one object)`,
  );
  const history = join(work, 'twice-history.json');
  writeFileSync(history, '{"items":[],"items":[]}');
  await expect(
    run((out) =>
      verifyCommand(
        { export: join(work, 'log.ndjson'), checkpoint: [join(work, 'checkpoint')], checkpoints: [history], vkey: join(work, 'vkey') },
        out,
        {
          threads: 0,
        },
      ),
    ),
  ).rejects.toThrow('(the key "items" appears twice in one object)');
});

it('verify names an error answer or other JSON in place of the vkey, and a key that is no vkey before any checkpoint', async () => {
  const verify = (vkey: string, checkpoint = [join(work, 'checkpoint')]) =>
    run((out) => verifyCommand({ export: join(work, 'log.ndjson'), checkpoint, checkpoints: [], vkey }, out, { threads: 0 }));
  const problem = join(work, 'not-found.json');
  await expect(verify(problem)).rejects.toThrow(
    new Error(`${problem} is an error answer from the server, not a vkey: 404 Not Found: no filing 0190a0b0-0000-7000-8000-000000000000`),
  );
  const keys = join(work, 'keys.json');
  writeFileSync(keys, JSON.stringify({ log: signer.vkey }));
  await expect(verify(keys)).rejects.toThrow(
    new Error(`${keys}: JSON, not a vkey (<name>+<key ID>+<key>, the text GET /v1/ledger/key answers)`),
  );
  // A key cut short: named as the key's fault, with or without a checkpoint to check.
  for (const checkpoint of [[join(work, 'checkpoint')], []])
    expect(await verify(signer.vkey.slice(0, -1), checkpoint)).toEqual({
      code: 1,
      text: expect.stringMatching(/^FAILED: bad verifier key: vkey /),
    });
});

it('verify-receipt given an evidence bundle says which command checks one', async () => {
  const file = join(work, 'bundle.json');
  writeFileSync(file, JSON.stringify({ format: 'sandbox-ledger/evidence-bundle/v2', filingId: 'f' }));
  expect(await run((out) => verifyReceiptCommand({ receipt: file, vkey: join(work, 'vkey') }, out))).toEqual({
    code: 1,
    text: `FAILED: ${file} is an evidence bundle, not a receipt: check it with sandbox-ledger verify-evidence\n`,
  });
});

it('verify-evidence names a receipt given in place of the bundle (its JSON, a public one, its tlog-proof text), as verify-receipt names a bundle', async () => {
  const receipts = {
    'receipt.json': JSON.stringify({ entry: log[0], inclusionProof: { leafIndex: 0, treeSize: 1, hashes: [] }, checkpoint: 'x' }),
    'public-receipt.json': JSON.stringify({ contentHash: 'a'.repeat(64), match: 'content', filingId: 'f', receipt: {}, keys: {} }),
    'receipt.tlog-proof': 'c2sp.org/tlog-proof@v1\nindex 0\n',
  };
  for (const [name, content] of Object.entries(receipts)) {
    const file = join(work, name);
    writeFileSync(file, content);
    expect(await run((out) => verifyEvidenceCommand({ bundle: file }, out))).toEqual({
      code: 1,
      text: 'FAILED: this is a receipt, not an evidence bundle: check it with sandbox-ledger verify-receipt\n',
    });
  }
});
