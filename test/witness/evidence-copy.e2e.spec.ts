// An evidence bundle from a ledger without witnesses or TSA, for a filing with a registered copy: `verify-evidence`
// checks it offline, and `--file` accepts the filed work or the registered copy, nothing else.
import { rmSync, writeFileSync } from 'node:fs';
import { formatVkey } from '../../src/verifier/note.js';
import { newKey } from '../verifier/keys.js';
import { join } from 'node:path';
import { filingBody, principal, startLedger, tempDir, type LedgerApp } from '../support/ledger-app.js';
import { iTXt } from '../support/files.js';
import { scenePng, withPngChunks } from '../support/images.js';
import { runCli } from '../support/server-process.js';

describe('the evidence bundle of a filing with a registered copy', () => {
  const work = tempDir('ledger-evidence-copy-');
  let ledger: LedgerApp;
  let alice: { key: string };
  let original: Buffer;
  let copy: Buffer;
  let filingId: string;
  let bundleFile: string;

  beforeAll(async () => {
    ledger = await startLedger();
    alice = await principal(ledger, 'Alice', ['creator']);
    original = await scenePng(301, 400, 300);
    const { contentHash: _c, perceptualHash: _p, ...meta } = filingBody();
    const filed = await ledger
      .http()
      .post('/v1/filings')
      .set('authorization', `Bearer ${alice.key}`)
      .field('metadata', JSON.stringify(meta))
      .attach('file', original, 'work.png');
    expect(filed.status).toBe(201);
    filingId = filed.body.filingId;
    const declared = await ledger
      .http()
      .post(`/v1/filings/${filingId}/labels`)
      .set('authorization', `Bearer ${alice.key}`)
      .send({
        explicit: { text: 'AI生成', placement: ['bottom-right'], textHeightRatio: 0.06 },
        implicit: { AIGC: { Label: '1', ContentProducer: 'ACME-AI', ProduceID: 'gen-1', ReservedCode1: '', ReservedCode2: '' } },
      });
    expect(declared.status).toBe(201);
    copy = withPngChunks(original, [iTXt('AIGC', declared.body.aigcJson)]);
    const registered = await ledger
      .http()
      .post(`/v1/filings/${filingId}/copies`)
      .set('authorization', `Bearer ${alice.key}`)
      .attach('file', copy, 'copy.png');
    expect(registered.status).toBe(201);
    const bundle = await ledger.http().get(`/v1/filings/${filingId}/evidence`).set('authorization', `Bearer ${alice.key}`);
    expect(bundle.status).toBe(200);
    expect(bundle.body.history.map((h: { entry: { type: string } }) => h.entry.type)).toEqual([
      'WorkFiled',
      'LabelsDeclared',
      'CopyRegistered',
    ]);
    expect(bundle.body.keys).toMatchObject({ witnesses: [], tsaCertificates: null });
    bundleFile = join(work, 'evidence.json');
    writeFileSync(bundleFile, bundle.text);
  });
  afterAll(async () => {
    await ledger.close();
    rmSync(work, { recursive: true, force: true });
  });

  const file = (name: string, bytes: Buffer) => {
    const path = join(work, name);
    writeFileSync(path, bytes);
    return path;
  };

  it('verifies offline and names the copy a file matches', async () => {
    const vkey = (await ledger.http().get('/v1/ledger/key')).text.trim();
    const asWork = await runCli(['verify-evidence', bundleFile, '--vkey', vkey, '--file', file('work.png', original)], {});
    expect(asWork.stdout).toMatch(new RegExp(`^ok: the evidence bundle of filing ${filingId} verifies offline`));
    expect(asWork.stdout).toMatch(/matches the filed content hash/);
    expect(asWork.stdout).toMatch(/time-stamp {4}none in this bundle/);
    // A ledger without witnesses: the bundle has none, and says so.
    expect(asWork.stdout).toContain(
      '  witnesses     none in this bundle (give --witness to require the cosignatures of witnesses you trust)\n',
    );
    expect(asWork.code).toBe(0);
    const asCopy = await runCli(['verify-evidence', bundleFile, '--file', file('copy.png', copy)], {});
    expect(asCopy.stdout).toMatch(/matches the copy registered at leaf \d+/);
    expect(asCopy.code).toBe(0);
    const other = await runCli(['verify-evidence', bundleFile, '--file', file('other.png', await scenePng(302, 400, 300))], {});
    expect(other.stdout).toMatch(/^FAILED: --file: .* neither the filed content hash [0-9a-f]{64} nor a registered copy's/);
    expect(other.code).toBe(1);
  });

  it('refuses a bundle naming another log key than the one pinned with --vkey', async () => {
    const other = formatVkey('sandbox-ledger.local/log', newKey().publicKey); // another log's key of the same name
    const pinned = await runCli(['verify-evidence', bundleFile, '--vkey', other], {});
    expect(pinned.code).toBe(1);
    expect(pinned.stdout).toMatch(/^FAILED: the bundle's log key .* is not the one given with --vkey/);
  });

  it('names a malformed --vkey as a bad verifier key, as verify-receipt does', async () => {
    const garbage = file('garbage.vkey', Buffer.from('not a key at all\n'));
    const bad = 'FAILED: bad verifier key: vkey must be <name>+<hex key ID>+<base64 key>\n';
    expect(await runCli(['verify-evidence', bundleFile, '--vkey', garbage], {})).toEqual({ code: 1, stdout: bad, stderr: '' });
    const receipt = await ledger.http().get(`/v1/filings/${filingId}/receipt`).set('authorization', `Bearer ${alice.key}`);
    const receiptFile = file('receipt.json', Buffer.from(receipt.text));
    expect(await runCli(['verify-receipt', receiptFile, '--vkey', garbage], {})).toEqual({ code: 1, stdout: bad, stderr: '' });
  });
});
