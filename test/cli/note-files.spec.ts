// A checkpoint or a tlog-proof receipt in a file may end with blank lines (a note pulled out with `jq -r`, a receipt
// with an `echo` after it), have CRLF line breaks or start with a byte-order mark (a Windows editor): the CLI takes those
// out and verifies the note the server signed. Any other text after the last signature line is refused, naming that text.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { verifyCommand, verifyReceiptCommand, exportWithoutByteOrderMark } from '../../src/cli/verify.js';
import { receiptToTlogProof } from '../../src/verifier/tlog-proof.js';
import { inclusionProof } from '../support/merkle-tree.js';
import { leafHashesOf, ndjson, newSigner, sampleLog } from '../verifier/fixture.js';
import { hex } from '../verifier/vectors.js';

const signer = newSigner();
const log = sampleLog();
const checkpoint = signer.checkpoint(log);
const receipt = receiptToTlogProof({
  entry: log[4],
  leafIndex: 4,
  treeSize: log.length,
  inclusionProof: { leafIndex: 4, treeSize: log.length, hashes: inclusionProof(4, leafHashesOf(log)).map(hex) },
  checkpoint,
});
let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'cli-note-files-'));
  writeFileSync(join(work, 'vkey'), signer.vkey);
  writeFileSync(join(work, 'log.ndjson'), ndjson(log).join('\n') + '\n');
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function output() {
  const out = new PassThrough();
  let text = '';
  out.on('data', (d) => (text += d));
  return { out, text: () => text };
}

/** Verifies the export file `exportName` in `work` against the checkpoint `note`. */
async function verify(note: string, exportName = 'log.ndjson') {
  writeFileSync(join(work, 'checkpoint'), note);
  const { out, text } = output();
  const code = await verifyCommand(
    { export: join(work, exportName), checkpoint: [join(work, 'checkpoint')], checkpoints: [], vkey: join(work, 'vkey') },
    out,
    { threads: 0 },
  );
  return { code, text: text() };
}

async function verifyReceipt(content: string, consistentWith?: string) {
  writeFileSync(join(work, 'receipt'), content);
  if (consistentWith !== undefined) writeFileSync(join(work, 'newer'), consistentWith);
  const { out, text } = output();
  const code = await verifyReceiptCommand(
    {
      receipt: join(work, 'receipt'),
      vkey: join(work, 'vkey'),
      ...(consistentWith === undefined ? {} : { consistentWith: join(work, 'newer'), proof: join(work, 'proof') }),
    },
    out,
  );
  return { code, text: text() };
}

describe('a checkpoint file', () => {
  it.each([['\n'], ['\n\n\n']])('with %j after the note verifies', async (blank) => {
    const run = await verify(checkpoint + blank);
    expect(run.text).toMatch(/^ok: 12 events in 3 streams; .* 1 checkpoint\(s\) verified, signed up to tree size 12;/);
    expect(run.code).toBe(0);
  });

  it.each([
    ['CRLF line breaks', (note: string) => note.replace(/\n/g, '\r\n')],
    ['a byte-order mark', (note: string) => `\uFEFF${note}`],
    ['both, and a blank line after it', (note: string) => `\uFEFF${note}\n`.replace(/\n/g, '\r\n')],
  ])('with %s verifies', async (_, saved) => {
    const run = await verify(saved(checkpoint));
    expect(run.text).toMatch(/^ok: 12 events in 3 streams; .* 1 checkpoint\(s\) verified, signed up to tree size 12;/);
    expect(run.code).toBe(0);
  });

  it('with a carriage return that is not part of a line break is still refused', async () => {
    expect(await verify(checkpoint.replace('\n', '\r\n'))).toEqual({ code: 0, text: expect.stringMatching(/^ok: /) });
    expect(await verify(checkpoint.replace('\n', '\r'))).toEqual({
      code: 1,
      text: 'FAILED: checkpoint: malformed note: control character or invalid UTF-16 (checkpoint 1 of 1)\n',
    });
  });

  it.each([
    [' \n', '" \\n"'],
    ['\n\nnot a signature\n', '"\\n\\nnot a signature\\n"'],
    ['x'.repeat(50), `"${'x'.repeat(40)}"…`],
  ])('followed by %j is refused, naming what follows', async (after, shown) => {
    await expect(verify(checkpoint + after)).rejects.toThrow(
      `${join(work, 'checkpoint')}: text after the note's last signature line: ${shown}`,
    );
  });

  it('that is empty is named as such', async () => {
    await expect(verify('\n')).rejects.toThrow(`${join(work, 'checkpoint')}: empty, not a signed note`);
    await expect(verifyReceipt('')).rejects.toThrow(`${join(work, 'receipt')}: empty, not a receipt (JSON, or tlog-proof text)`);
  });

  it('without its final newline is still refused by the verifier, as C2SP signed-note asks', async () => {
    expect(await verify(checkpoint.slice(0, -1))).toEqual({
      code: 1,
      text: 'FAILED: checkpoint: malformed note: signature block does not end with a newline (checkpoint 1 of 1)\n',
    });
  });
});

describe('a tlog-proof receipt file', () => {
  it('with a blank line after it verifies', async () => {
    const run = await verifyReceipt(receipt + '\n');
    expect(run.text).toMatch(/^ok: the receipt verifies against the checkpoint and the key\n/);
    expect(run.text).toContain('  leaf index    4\n');
    expect(run.code).toBe(0);
  });

  it('with CRLF line breaks and a byte-order mark verifies', async () => {
    const run = await verifyReceipt(`\uFEFF${receipt}`.replace(/\n/g, '\r\n'));
    expect(run.text).toMatch(/^ok: the receipt verifies against the checkpoint and the key\n/);
    expect(run.code).toBe(0);
  });

  it('followed by other text is refused, naming it', async () => {
    await expect(verifyReceipt(receipt + 'trailer\n')).rejects.toThrow(
      `${join(work, 'receipt')}: text after the note's last signature line: "trailer\\n"`,
    );
  });

  it('--consistent-with takes a checkpoint file with blank lines after it', async () => {
    writeFileSync(join(work, 'proof'), '');
    const run = await verifyReceipt(receipt, checkpoint + '\n\n');
    expect(run.text).toContain('  consistent    with the checkpoint of 12 leaves signed at ');
    expect(run.code).toBe(0);
  });
});

describe('an export file', () => {
  function verifyExport(content: string) {
    writeFileSync(join(work, 'bom.ndjson'), content);
    return verify(checkpoint, 'bom.ndjson');
  }

  it('that starts with a byte-order mark (a Windows tool), with CRLF line breaks, verifies: the page takes it too', async () => {
    const run = await verifyExport(`\uFEFF${ndjson(log).join('\r\n')}\r\n`);
    expect(run.text).toMatch(/^ok: 12 events in 3 streams; /);
    expect(run.code).toBe(0);
  });

  it('with a byte-order mark anywhere else fails at the line it is in, and a mark alone is an empty export', async () => {
    const lines = ndjson(log);
    const run = await verifyExport([...lines.slice(0, 3), `\uFEFF${lines[3]}`, ...lines.slice(4)].join('\n') + '\n');
    expect(run.text).toMatch(/^FAILED at leaf 3: /);
    expect(run.code).toBe(1);
    expect((await verifyExport('\uFEFF')).code).toBe(1);
  });

  it('loses its mark however the bytes come in pieces, and nothing else', async () => {
    const joined = async (pieces: number[][]) => {
      async function* source() {
        for (const p of pieces) yield Buffer.from(p);
      }
      const out: number[] = [];
      for await (const piece of exportWithoutByteOrderMark(source())) out.push(...piece);
      return out;
    };
    expect(await joined([[0xef], [0xbb], [0xbf, 0x7b], [0x7d]])).toEqual([0x7b, 0x7d]);
    expect(await joined([[0xef, 0xbb, 0xbf]])).toEqual([]);
    expect(await joined([[0xef, 0xbb], [0x7b]])).toEqual([0xef, 0xbb, 0x7b]);
    expect(await joined([[0xef, 0xbb]])).toEqual([0xef, 0xbb]);
    expect(await joined([[0x7b], [0xef, 0xbb, 0xbf]])).toEqual([0x7b, 0xef, 0xbb, 0xbf]);
    expect(await joined([])).toEqual([]);
  });
});
