// A ledger with two witnesses (separate processes of the compiled CLI, quorum 2) and a real RFC 3161 TSA: checkpoints
// are served cosigned and time-stamped; receipts, `verify`, `verify-receipt` and `verify-evidence` check all of it.
// Answers of a witness changed on their way to the log (through a relay) are not taken on their word.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { ed25519 } from '@noble/curves/ed25519.js';
import { ml_dsa44 } from '@noble/post-quantum/ml-dsa.js';
import { makeTsaCertificates, startOpensslTsa, type OpensslTsa } from '../../src/bench/openssl-tsa.js';
import { checkEvidence } from '../../src/cli/verify-evidence.js';
import { addCheckpointBody } from '../../src/ledger/log/checkpoint-witnesses.js';
import { signCheckpoint } from '../../src/verifier/checkpoint.js';
import {
  COSIGNATURE_V1,
  cosignerLabel,
  formatCosignerVkey,
  ML_DSA_44,
  parseCosignerVkey,
  signCosignatureV1,
  verifyCosignedCheckpoint,
} from '../../src/verifier/cosignature.js';
import { formatVkey, parseNote } from '../../src/verifier/note.js';
import { fetchExport, filingBody, principal, startLedger, tempDir, type LedgerApp } from '../support/ledger-app.js';
import { counterTotal } from '../support/metrics.js';
import { runCli } from '../support/server-process.js';
import {
  type RelayedAnswer,
  startWitnessAddress,
  startWitnessProcess,
  startWitnessRelay,
  type WitnessAddress,
  type WitnessProcess,
  type WitnessRelay,
} from '../support/witness-process.js';

const ORIGIN = 'witnessed.test/log';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const until = async (what: string, check: () => Promise<boolean>, ms = 10_000, detail?: () => Promise<string>) => {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${detail ? await detail() : ''}`);
    await sleep(100);
  }
};

interface Item {
  treeSize: number;
  time: number;
  note: string;
  cosignatures: Array<{ cosigner: string; time: number }>;
  timestamps: Array<{ time: number; token: string }>;
}

describe('a ledger with two witnesses and a TSA', () => {
  const work = tempDir('ledger-witnessed-');
  const seed = ed25519.utils.randomSecretKey();
  const logVkey = formatVkey(ORIGIN, ed25519.getPublicKey(seed));
  let tsa: OpensslTsa;
  let w1: WitnessProcess;
  let w2: WitnessProcess;
  let w2Address: WitnessAddress;
  /** A witness a test stopped with SIGSTOP: killed after the suite if the test did not end it (a stopped process ignores SIGTERM). */
  let paused: WitnessProcess | undefined;
  let ledger: LedgerApp;
  let creator: { key: string };
  let auditor: { key: string };
  let keys: { log: string; logMlDsa44: string; witnesses: string[]; witnessQuorum: number; tsaCertificates: string };
  const file = (name: string, text: string) => {
    const path = join(work, name);
    writeFileSync(path, text);
    return path;
  };
  const witness = (name: string) =>
    startWitnessProcess({
      keyFile: join(work, `${name}.key`),
      dataDir: join(work, `${name}-data`),
      name: `witness.test/${name}`,
      logVkeys: [logVkey],
    });

  beforeAll(async () => {
    tsa = await startOpensslTsa();
    [w1, w2] = await Promise.all([witness('w1'), witness('w2')]);
    // w2 is stopped and started again below: the log reaches it through an address that stays while it is down.
    w2Address = await startWitnessAddress(w2.url);
    ledger = await startLedger({
      origin: ORIGIN,
      signingKey: Buffer.from(seed).toString('base64'),
      checkpointIntervalMs: 300,
      witnesses: [
        { vkey: w1.vkey, url: w1.url },
        { vkey: w2.vkey, url: w2Address.url },
      ],
      witnessQuorum: 2,
      witnessWaitMs: 1500,
      witnessTimeoutMs: 1000,
      tsaUrls: [tsa.url],
      tsaCaFile: tsa.caFile,
      tsaIntervalS: 2,
      publicRateLimit: 100_000, // the tests poll the checkpoint history (a public route) ten times a second
    });
    creator = await principal(ledger, 'Wanda', ['creator']);
    auditor = await principal(ledger, 'Audrey', ['auditor']);
    keys = (await ledger.http().get('/v1/ledger/keys')).body;
  }, 60_000);
  afterAll(async () => {
    paused?.child.kill('SIGKILL');
    await ledger?.close();
    await Promise.all([w1?.stop(), w2?.stop(), w2Address?.close(), tsa?.close()]);
    rmSync(work, { recursive: true, force: true });
  });

  const fileWork = async (bytes = randomBytes(64)) => {
    const res = await ledger
      .http()
      .post('/v1/filings')
      .set('authorization', `Bearer ${creator.key}`)
      .send(filingBody({ contentHash: createHash('sha256').update(bytes).digest('hex') }));
    expect(res.status).toBe(201);
    return { filingId: res.body.filingId as string, leafIndex: res.body.leafIndex as number, bytes };
  };
  const history = async () => {
    const res = await ledger.http().get('/v1/ledger/checkpoints').query({ limit: 1000 });
    expect(res.status).toBe(200);
    return res.body.items as Item[];
  };
  const trust = () => ({
    vkey: logVkey,
    logMlDsa: parseCosignerVkey(keys.logMlDsa44),
    witnesses: [parseCosignerVkey(w1.vkey), parseCosignerVkey(w2.vkey)],
    quorum: 2,
  });
  const cli = (args: string[]) => runCli(args, {});
  const witnessArgs = () => ['--vkey', logVkey, '--witness', w1.vkey, '--witness', w2.vkey, '--witness-quorum', '2'];
  const receiptOf = async (filingId: string) =>
    (await ledger.http().get(`/v1/filings/${filingId}/receipt`).set('authorization', `Bearer ${creator.key}`)).body;

  it('publishes its keys: the Ed25519 and ML-DSA-44 vkeys, the witnesses and quorum, the TSA CA', () => {
    expect(keys).toMatchObject({ log: logVkey, witnesses: [w1.vkey, w2.vkey], witnessQuorum: 2, tsaCertificates: tsa.caPem });
    expect(parseCosignerVkey(keys.logMlDsa44).name).toBe(ORIGIN);
  });

  it("serves every checkpoint with two witness cosignatures and the log's ML-DSA-44 one, time-stamped within the interval", async () => {
    const started = Date.now();
    while (Date.now() - started < 5000) {
      await fileWork();
      await sleep(150);
    }
    await sleep(4000); // quiet: the last checkpoint gets cosigned and, within the interval, time-stamped (slack for a loaded machine)
    const served = (await ledger.http().get('/v1/ledger/checkpoint')).text;
    const verified = verifyCosignedCheckpoint(served, trust());
    expect(verified).toMatchObject({ ok: true });
    expect((verified as { checkpoint: { treeSize: number } }).checkpoint.treeSize).toBe(await ledger.store.count());
    const items = await history();
    expect(items.length).toBeGreaterThan(5);
    for (const c of items) expect(verifyCosignedCheckpoint(c.note, trust())).toMatchObject({ ok: true });
    const stamped = items.filter((c) => c.timestamps.length > 0);
    expect(stamped.length).toBeGreaterThanOrEqual(2);
    for (const c of items) expect(stamped.some((s) => s.treeSize >= c.treeSize && s.timestamps[0].time - c.time <= 2 + 4)).toBe(true);
  });

  it('says on /health that it is the sequencer, its latest checkpoint, how far each witness cosigned and the TSAs time-stamped', async () => {
    const [latest] = await history();
    const newestStamped = (await history()).find((c) => c.timestamps.length > 0)!;
    const health = (await ledger.http().get('/health')).body;
    const label = (vkey: string) => cosignerLabel(parseCosignerVkey(vkey));
    expect(health).toMatchObject({
      status: 'ok',
      sequencer: true,
      checkpoint: { treeSize: expect.any(Number), time: expect.any(Number) },
      witnesses: [
        { witness: label(w1.vkey), cosignedSize: expect.any(Number) },
        { witness: label(w2.vkey), cosignedSize: expect.any(Number) },
      ],
      timestampedSize: expect.any(Number),
    });
    expect(health.checkpoint.treeSize).toBeGreaterThanOrEqual(latest.treeSize);
    for (const w of health.witnesses) expect(w.cosignedSize).toBeGreaterThanOrEqual(latest.cosignatures.length === 2 ? latest.treeSize : 1);
    expect(health.timestampedSize).toBeGreaterThanOrEqual(newestStamped.treeSize);
    // The TSA's URL is not published.
    expect(JSON.stringify(health)).not.toContain(tsa.url);
  });

  it('passes `verify` with --witness x2 --witness-quorum 2 --pq-vkey --tsa-ca over the export and the history', async () => {
    const exportFile = file('export.ndjson', (await fetchExport(ledger, auditor.key)).body as string);
    const historyFile = file('history.json', JSON.stringify({ items: await history() }));
    const pq = file('pq.vkey', keys.logMlDsa44);
    const result = await cli([
      'verify',
      '--export',
      exportFile,
      '--checkpoints',
      historyFile,
      ...witnessArgs(),
      '--pq-vkey',
      pq,
      '--tsa-ca',
      tsa.caFile,
    ]);
    expect(result.stdout).toMatch(
      /^ok: .*every checkpoint cosigned by at least 2 of 2 witness\(es\); every checkpoint cosigned with the log's ML-DSA-44 key; [1-9]\d* RFC 3161 time-stamp\(s\) verified/,
    );
    expect(result.code).toBe(0);
    // Without --tsa-ca the tokens are not checked, and the ok line says so.
    const checkedTokens = Number(/; (\d+) RFC 3161 time-stamp\(s\) verified/.exec(result.stdout)![1]);
    const unchecked = await cli(['verify', '--export', exportFile, '--checkpoints', historyFile, '--vkey', logVkey]);
    expect(unchecked.stdout).toContain(`; ${checkedTokens} time-stamp token(s) not checked (give --tsa-ca)`);
    expect(unchecked.code).toBe(0);
  });

  it('refuses a forged checkpoint with one valid cosignature under --witness-quorum 2', async () => {
    const exportFile = file('export2.ndjson', (await fetchExport(ledger, auditor.key)).body as string);
    const latest = parseNote((await ledger.http().get('/v1/ledger/checkpoint')).text) as { text: string };
    // The operator re-signs the head at another time and one colluding witness cosigns it with its own key.
    const lines = latest.text.split('\n');
    const forgedText = [...lines.slice(0, 3), `time ${Number(lines[3].slice(5)) + 1}`, ''].join('\n');
    const forged = signCheckpoint(
      { origin: ORIGIN, treeSize: Number(lines[1]), rootHash: Buffer.from(lines[2], 'base64'), time: Number(lines[3].slice(5)) + 1 },
      seed,
    );
    expect(parseNote(forged)).toMatchObject({ text: forgedText });
    const w1Seed = new Uint8Array(Buffer.from(readFileSync(join(work, 'w1.key'), 'utf8').trim(), 'base64'));
    const withOne = file('forged.note', forged + signCosignatureV1(forgedText, 'witness.test/w1', w1Seed, Math.floor(Date.now() / 1000)));
    const refused = await cli(['verify', '--export', exportFile, '--checkpoint', withOne, ...witnessArgs()]);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(
      /^FAILED: checkpoint 1 of 1, claiming tree size \d+: checkpoint has 1 valid witness cosignature\(s\), 2 required/,
    );
    const one = await cli([
      'verify',
      '--export',
      exportFile,
      '--checkpoint',
      withOne,
      '--vkey',
      logVkey,
      '--witness',
      w1.vkey,
      '--witness',
      w2.vkey,
      '--witness-quorum',
      '1',
    ]);
    expect(one.code).toBe(0);
  });

  it('`verify` given a witness vkey made with another name than the witness signs with says so', async () => {
    const exportFile = file('export-misnamed.ndjson', (await fetchExport(ledger, auditor.key)).body as string);
    const checkpoint = file('misnamed.note', (await ledger.http().get('/v1/ledger/checkpoint')).text);
    const w1Key = parseCosignerVkey(w1.vkey);
    const renamed = formatCosignerVkey('witness.test/one', COSIGNATURE_V1, w1Key.publicKey);
    const res = await cli(['verify', '--export', exportFile, '--checkpoint', checkpoint, '--vkey', logVkey, '--witness', renamed]);
    expect(res.code).toBe(1);
    expect(res.stdout).toContain(
      `checkpoint has 0 valid witness cosignature(s), 1 required; the cosignature by "witness.test/w1" verifies with the key of ${cosignerLabel(parseCosignerVkey(renamed))}: the witness signs as "witness.test/w1", so its vkey must be made with that name`,
    );
  });

  it('verify-receipt prints what the receipt proves, checks the work and a newer checkpoint, and fails on a wrong file or a fork', async () => {
    const filed = await fileWork();
    const receipt = await receiptOf(filed.filingId);
    const receiptFile = file('receipt.json', JSON.stringify(receipt));
    const workFile = join(work, 'work.bin');
    writeFileSync(workFile, filed.bytes);
    for (let i = 0; i < 3; i++) await fileWork();
    const newer = (await ledger.http().get('/v1/ledger/checkpoint')).text;
    const newerFile = file('newer.note', newer);
    const ok = await cli([
      'verify-receipt',
      receiptFile,
      ...witnessArgs(),
      '--pq-vkey',
      keys.logMlDsa44,
      '--file',
      workFile,
      '--consistent-with',
      newerFile,
      '--server',
      ledger.url,
    ]);
    expect(ok.stdout).toMatch(/^ok: the receipt verifies/);
    expect(ok.stdout).toContain(`filing        ${filed.filingId}`);
    expect(ok.stdout).toMatch(/content hash {2}[0-9a-f]{64}\n/);
    expect(ok.stdout).toMatch(new RegExp(`leaf index    ${filed.leafIndex}\\n`));
    expect(ok.stdout).toMatch(/witness {7}witness\.test\/w1\+[0-9a-f]{8} cosigned at /);
    expect(ok.stdout).toMatch(/witness {7}witness\.test\/w2\+[0-9a-f]{8} cosigned at /);
    expect(ok.stdout).toMatch(/ML-DSA-44 {5}cosigned by the log/);
    expect(ok.stdout).toMatch(/file {10}.* matches the content hash/);
    expect(ok.stdout).toMatch(/consistent {4}with the checkpoint of \d+ leaves/);
    expect(ok.code).toBe(0);

    // The tlog-proof text form carries the same cosigned checkpoint.
    const text = (
      await ledger
        .http()
        .get(`/v1/filings/${filed.filingId}/receipt`)
        .set('authorization', `Bearer ${creator.key}`)
        .set('accept', 'text/plain')
    ).text;
    const textResult = await cli(['verify-receipt', file('receipt.txt', text), ...witnessArgs(), '--file', workFile]);
    expect(textResult.stdout).toContain(`filing        ${filed.filingId}`);
    expect(textResult.code).toBe(0);

    // A byte that is not UTF-8 (read leniently, U+FFFD) in the receipt or the newer checkpoint: refused as such.
    const bytes = Buffer.from(JSON.stringify(receipt));
    bytes[bytes.indexOf(filed.filingId) + 3] = 0xff;
    writeFileSync(join(work, 'undecodable.json'), bytes);
    const undecodable = await cli(['verify-receipt', join(work, 'undecodable.json'), '--vkey', logVkey]);
    expect({ code: undecodable.code, stderr: undecodable.stderr }).toEqual({
      code: 1,
      stderr: `sandbox-ledger: ${join(work, 'undecodable.json')}: not well-formed UTF-8\n`,
    });
    writeFileSync(join(work, 'undecodable.note'), Buffer.concat([Buffer.from(newer), Buffer.from([0xc0, 0xaf])]));
    const badNote = await cli(['verify-receipt', receiptFile, '--vkey', logVkey, '--consistent-with', join(work, 'undecodable.note')]);
    expect(badNote.code).toBe(1);
    expect(badNote.stderr).toBe(`sandbox-ledger: ${join(work, 'undecodable.note')}: not well-formed UTF-8\n`);

    const wrong = await cli(['verify-receipt', receiptFile, '--vkey', logVkey, '--file', file('wrong.bin', 'not the work')]);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toMatch(/^FAILED: --file: .* hashes to [0-9a-f]{64}, not the filed content hash/);

    // The operator signs a newer checkpoint of a forked tree: no consistency proof can join them.
    const size = Number(newer.split('\n')[1]);
    const fork = file(
      'fork.note',
      signCheckpoint({ origin: ORIGIN, treeSize: size, rootHash: randomBytes(32), time: Math.floor(Date.now() / 1000) }, seed),
    );
    const forked = await cli(['verify-receipt', receiptFile, '--vkey', logVkey, '--consistent-with', fork, '--server', ledger.url]);
    expect(forked.code).toBe(1);
    expect(forked.stdout).toMatch(/^FAILED: --consistent-with: checkpoints \d+ and \d+ are not consistent/);
    const proofFile = file(
      'proof.json',
      JSON.stringify((await ledger.http().get('/v1/ledger/proof/consistency').query({ from: receipt.treeSize, to: size })).body),
    );
    expect((await cli(['verify-receipt', receiptFile, '--vkey', logVkey, '--consistent-with', newerFile, '--proof', proofFile])).code).toBe(
      0,
    );
    expect((await cli(['verify-receipt', receiptFile, '--vkey', logVkey, '--consistent-with', fork, '--proof', proofFile])).code).toBe(1);
    // A proof of other sizes is named as such, not taken for a fork.
    const otherSizes = file(
      'proof-other.json',
      JSON.stringify((await ledger.http().get('/v1/ledger/proof/consistency').query({ from: 1, to: size })).body),
    );
    expect(
      await cli(['verify-receipt', receiptFile, '--vkey', logVkey, '--consistent-with', newerFile, '--proof', otherSizes]),
    ).toMatchObject({
      code: 2,
      stderr: expect.stringContaining(
        `--proof ${otherSizes} proves tree sizes 1 to ${size}, not the receipt's ${receipt.treeSize} to the newer checkpoint's ${size}\n`,
      ),
    });

    // The operator re-signs the receipt's checkpoint with a time before the entry was recorded, or a newer checkpoint
    // with a time before the receipt's: time runs forward, as verify and verify-evidence check.
    const lines = (parseNote(receipt.checkpoint) as { text: string }).text.split('\n');
    const resigned = (time: number, treeSize = Number(lines[1]), rootHash = Buffer.from(lines[2], 'base64')) =>
      signCheckpoint({ origin: ORIGIN, treeSize, rootHash, time }, seed);
    const back = await cli([
      'verify-receipt',
      file('receipt-back.json', JSON.stringify({ ...receipt, checkpoint: resigned(1_500_000_000) })),
      '--vkey',
      logVkey,
    ]);
    expect([back.code, back.stdout]).toEqual([
      1,
      `FAILED: the checkpoint's time 2017-07-14T02:40:00Z is earlier than the entry it covers (recorded at ${receipt.entry.recordedAt})\n`,
    ]);
    const newerLines = (parseNote(newer) as { text: string }).text.split('\n');
    const newerBack = file('newer-back.note', resigned(Number(lines[3].slice(5)) - 1, size, Buffer.from(newerLines[2], 'base64')));
    const backwards = await cli(['verify-receipt', receiptFile, '--vkey', logVkey, '--consistent-with', newerBack, '--proof', proofFile]);
    expect(backwards.code).toBe(1);
    expect(backwards.stdout).toMatch(/^FAILED: --consistent-with: the newer checkpoint's time \S+ is earlier than the receipt's \S+\n$/);
  });

  it('verify-evidence passes on a fetched bundle and fails after any one byte of it is changed', async () => {
    const filed = await fileWork();
    await ledger
      .http()
      .post(`/v1/filings/${filed.filingId}/amend`)
      .set('authorization', `Bearer ${creator.key}`)
      .send({ title: 'Amended' });
    // Within the interval a checkpoint covering both events gets its token, and the bundle rests on it.
    const fetchBundle = () => ledger.http().get(`/v1/filings/${filed.filingId}/evidence`).set('authorization', `Bearer ${creator.key}`);
    let res = await fetchBundle();
    await until(
      'an evidence bundle with a time-stamp',
      async () => (res = await fetchBundle()).body.checkpoint.timestamps.length > 0,
      15_000,
    );
    expect(res.status).toBe(200);
    const text = res.text;
    const bundleFile = file('evidence.json', text);
    const workFile = join(work, 'evidence-work.bin');
    writeFileSync(workFile, filed.bytes);
    const ok = await cli(['verify-evidence', bundleFile, '--vkey', logVkey, '--file', workFile]);
    expect(ok.stdout).toMatch(new RegExp(`^ok: the evidence bundle of filing ${filed.filingId} verifies offline`));
    expect(ok.stdout).toMatch(/time-stamp {4}\S+ by CN=Test TSA/);
    expect(ok.stdout).toMatch(/event {9}WorkFiled \(revision 0/);
    expect(ok.stdout).toMatch(/event {9}FilingAmended \(revision 1/);
    expect(ok.stdout).toContain(
      `  history       whole: the log signs that the stream had these 2 event(s) among the first ${res.body.checkpoint.note.split('\n')[1]} leaves\n`,
    );
    expect(ok.stdout).toContain('  witnesses     the keys the bundle names (give --witness to check them against keys you trust)\n');
    expect(ok.code).toBe(0);
    expect(res.body.format).toBe('sandbox-ledger/evidence-bundle/v2');

    // The witnesses, the ML-DSA-44 key and the TSA CA one trusts, given as verify-receipt takes them: each must hold.
    const pins = [...witnessArgs(), '--pq-vkey', keys.logMlDsa44, '--tsa-ca', tsa.caFile];
    const pinned = await cli(['verify-evidence', bundleFile, ...pins]);
    expect(pinned.stdout).toContain('  witnesses     2 of the 2 given with --witness cosigned (at least 2 required)\n');
    expect(pinned.stdout).toContain('  TSA CA        every time-stamp chains to the CA given with --tsa-ca\n');
    expect(pinned.stdout).toMatch(/ML-DSA-44 {5}cosigned by the log \(.+\), the key given with --pq-vkey\n/);
    expect(pinned.code).toBe(0);
    // A bundle that names its own witness (a key of the same name) and cosigns with it, the real cosignatures left out:
    // the keys it names vouch for it; the witnesses trusted here do not.
    const evilSeed = ed25519.utils.randomSecretKey();
    const evilVkey = formatCosignerVkey('witness.test/w1', COSIGNATURE_V1, ed25519.getPublicKey(evilSeed));
    const [noteText, signatures] = (res.body.checkpoint.note as string).split('\n\n');
    const evilNote =
      `${noteText}\n\n` +
      signatures
        .split('\n')
        .filter((line) => line !== '' && !line.startsWith('— witness.test/'))
        .map((line) => `${line}\n`)
        .join('') +
      signCosignatureV1(`${noteText}\n`, 'witness.test/w1', evilSeed, Math.floor(Date.now() / 1000));
    const evil = {
      ...res.body,
      keys: { ...res.body.keys, witnesses: [evilVkey] },
      checkpoint: { ...res.body.checkpoint, note: evilNote },
      receipt: { ...res.body.receipt, checkpoint: evilNote },
    };
    const evilFile = file('evidence-evil-witness.json', JSON.stringify(evil));
    const selfVouched = await cli(['verify-evidence', evilFile, '--vkey', logVkey]);
    expect(selfVouched.stdout).toContain(`witness       ${cosignerLabel(parseCosignerVkey(evilVkey))} cosigned at`);
    expect(selfVouched.code).toBe(0);
    const againstTrusted = await cli(['verify-evidence', evilFile, ...witnessArgs()]);
    expect([againstTrusted.code, againstTrusted.stdout]).toEqual([
      1,
      'FAILED: checkpoint, against the witnesses given with --witness: checkpoint has 0 valid witness cosignature(s), 2 required\n',
    ]);
    // Time-stamps by a TSA under another CA than the one trusted.
    const otherCa = join(work, 'other-ca');
    mkdirSync(otherCa);
    await makeTsaCertificates(otherCa, 'Other TSA');
    const otherTsa = await cli(['verify-evidence', bundleFile, '--vkey', logVkey, '--tsa-ca', join(otherCa, 'ca.crt')]);
    expect(otherTsa.code).toBe(1);
    expect(otherTsa.stdout).toMatch(/^FAILED: time-stamps, against the CA given with --tsa-ca: /);
    // Nor does a bundle without its time-stamps pass a --tsa-ca.
    const unstamped = {
      ...res.body,
      checkpoint: { ...res.body.checkpoint, timestamps: [] },
      keys: { ...res.body.keys, tsaCertificates: null },
    };
    const noTokens = await cli(['verify-evidence', file('evidence-unstamped.json', JSON.stringify(unstamped)), '--tsa-ca', tsa.caFile]);
    expect([noTokens.code, noTokens.stdout]).toEqual([1, 'FAILED: --tsa-ca was given but the bundle carries no time-stamp token\n']);
    // One token listed twice would count as two time-stamps.
    const [token] = res.body.checkpoint.timestamps;
    const twice = { ...res.body, checkpoint: { ...res.body.checkpoint, timestamps: [token, token] } };
    const repeated = await cli(['verify-evidence', file('evidence-token-twice.json', JSON.stringify(twice)), '--vkey', logVkey]);
    expect([repeated.code, repeated.stdout]).toEqual([
      1,
      'FAILED: time-stamps: time-stamp 2 is time-stamp 1 again: each token is listed once\n',
    ]);
    // The log's ML-DSA-44 key is pinned as its Ed25519 key is.
    const otherMlDsa = await cli([
      'verify-evidence',
      bundleFile,
      '--pq-vkey',
      formatCosignerVkey(ORIGIN, ML_DSA_44, ml_dsa44.keygen(randomBytes(32)).publicKey),
    ]);
    expect(otherMlDsa.code).toBe(1);
    expect(otherMlDsa.stdout).toBe(`FAILED: the bundle's ML-DSA-44 key ${keys.logMlDsa44} is not the one given with --pq-vkey\n`);
    // The key itself is compared, not only its name and 4-byte ID (another key with the same ID would pass on those).
    const sameIdOtherKey = { ...parseCosignerVkey(keys.logMlDsa44), publicKey: ml_dsa44.keygen(randomBytes(32)).publicKey };
    await expect(
      checkEvidence(res.body, { cosigners: { logMlDsa: sameIdOtherKey, witnesses: [], quorum: 0, tsaCas: null } }),
    ).rejects.toThrow('is not the one given with --pq-vkey');
    expect(res.body.history).toHaveLength(2);

    // The history cut short (the amendment left out) is every event it keeps, proven; the signed head tells it is not all.
    const cut = { ...res.body, history: res.body.history.slice(0, 1) };
    const short = await cli(['verify-evidence', file('evidence-cut.json', JSON.stringify(cut)), '--vkey', logVkey]);
    expect([short.code, short.stdout]).toEqual([
      1,
      `FAILED: the history is not whole: the log signs that filing-${filed.filingId} had 2 event(s) among the first ` +
        `${res.body.checkpoint.note.split('\n')[1]} leaves, the last with hash ${res.body.history[1].entry.hash}; the bundle has 1, ` +
        `the last with hash ${res.body.history[0].entry.hash}\n`,
    ]);
    // Nor does the head of another filing, signed by the same log, stand in for this one's.
    const other = await fileWork();
    let otherBundle = await ledger.http().get(`/v1/filings/${other.filingId}/evidence`).set('authorization', `Bearer ${creator.key}`);
    await until('a bundle of the other filing', async () => {
      otherBundle = await ledger.http().get(`/v1/filings/${other.filingId}/evidence`).set('authorization', `Bearer ${creator.key}`);
      return otherBundle.body.checkpoint?.timestamps?.length > 0;
    });
    await expect(checkEvidence({ ...cut, head: otherBundle.body.head })).rejects.toThrow(
      new RegExp(`^head is for filing-${other.filingId} at tree size \\d+ of \\S+, not filing-${filed.filingId} at the checkpoint's`),
    );
    // A bundle of the first format, without the head, fails: cut short and written as v1, it would pass. With
    // --accept-v1 it is checked on the events it holds, and the output says what it does not show.
    const { head: _head, ...v1 } = { ...res.body, format: 'sandbox-ledger/evidence-bundle/v1' };
    const v1File = file('evidence-v1.json', JSON.stringify(v1));
    expect(await cli(['verify-evidence', v1File, '--vkey', logVkey])).toMatchObject({
      code: 1,
      stdout:
        'FAILED: a sandbox-ledger/evidence-bundle/v1 bundle does not show its history whole (events after those it holds may ' +
        'have been left out): fetch the bundle again, or give --accept-v1 to check the events it holds\n',
    });
    const cutV1 = file('evidence-v1-cut.json', JSON.stringify({ ...v1, history: v1.history.slice(0, 1) }));
    expect((await cli(['verify-evidence', cutV1, '--vkey', logVkey])).code).toBe(1);
    const old = await cli(['verify-evidence', v1File, '--vkey', logVkey, '--accept-v1']);
    expect(old.code).toBe(0);
    expect(old.stdout).toContain(
      '  history       not shown to be whole: a sandbox-ledger/evidence-bundle/v1 bundle has no signed head, so events after these may be left out; fetch the bundle again\n',
    );
    await expect(checkEvidence({ ...v1, head: res.body.head })).rejects.toThrow('the bundle has an unexpected field "head"');

    const changed = Buffer.from(text);
    const at = text.indexOf('"title":"Amended"') + 10;
    changed[at] ^= 0x01;
    const tampered = await cli(['verify-evidence', file('evidence-changed.json', changed.toString()), '--vkey', logVkey]);
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toMatch(/^FAILED: history\[1\]: the hash does not match the event/);

    // Every position, a sample of them: no change of one byte goes unnoticed.
    const survivors: number[] = [];
    for (let i = 0; i < text.length; i += Math.max(1, Math.floor(text.length / 250))) {
      const bytes = Buffer.from(text);
      bytes[i] ^= 0x01;
      let parsed: unknown;
      try {
        parsed = JSON.parse(bytes.toString());
      } catch {
        continue; // not JSON any more: refused before anything else
      }
      if (
        await checkEvidence(parsed).then(
          () => true,
          () => false,
        )
      )
        survivors.push(i);
    }
    expect(survivors.map((i) => text.slice(Math.max(0, i - 30), i + 30))).toEqual([]);
  }, 180_000); // a verification for every byte of the bundle, and a dozen runs of the CLI: minutes on a loaded machine

  it('has a witness that fell behind cosign every checkpoint signed meanwhile, in order, not only the latest', async () => {
    const before = await ledger.store.count();
    const w1Label = cosignerLabel(parseCosignerVkey(w1.vkey));
    w1.child.kill('SIGSTOP'); // its requests wait (then time out and are retried) while the log signs checkpoints
    try {
      for (let i = 0; i < 6; i++) {
        await fileWork();
        await sleep(350); // more than the checkpoint interval: a checkpoint for each filing
      }
    } finally {
      w1.child.kill('SIGCONT');
    }
    const signedMeanwhile = async () => (await history()).filter((c) => c.treeSize > before);
    expect((await signedMeanwhile()).length).toBeGreaterThanOrEqual(3);
    await until(
      'w1 cosigning every checkpoint signed while it was stopped',
      async () => (await signedMeanwhile()).every((c) => c.cosignatures.some((x) => x.cosigner === w1Label)),
      30_000,
    );
    for (const c of await signedMeanwhile()) expect(verifyCosignedCheckpoint(c.note, trust())).toMatchObject({ ok: true });
  });

  it('answers writes while its request to a witness that stopped answering is still open', async () => {
    // A witness process paused (SIGSTOP: its port still takes connections and their bytes, nothing answers), following a
    // second ledger of this log whose witness timeout and wait are far beyond the test (an hour, which Node's fetch cuts
    // to its own 300 s wait for an answer's headers): a write that waited for the witness, or for its quorum, would not
    // be answered while the test runs. Each write has 15 s, so that such a wait fails the test here, not at its timeout.
    paused = await witness('paused');
    paused.child.kill('SIGSTOP');
    const label = cosignerLabel(parseCosignerVkey(paused.vkey));
    const other = await startLedger({
      origin: ORIGIN,
      signingKey: Buffer.from(seed).toString('base64'),
      checkpointIntervalMs: 200,
      witnesses: [{ vkey: paused.vkey, url: paused.url }],
      witnessQuorum: 1,
      witnessWaitMs: 3_600_000,
      witnessTimeoutMs: 3_600_000,
    });
    try {
      const requestsEnded = () => counterTotal(other, 'ledger_witness_requests_total', [`witness="${label}"`]);
      const history = async () => (await other.http().get('/v1/ledger/checkpoints').query({ limit: 1000 })).body.items as Item[];
      const cosignedByIt = async () => (await history()).filter((c) => c.cosignatures.some((x) => x.cosigner === label));
      const writer = await principal(other, 'Paula', ['creator']);
      const fileThere = () =>
        other.http().post('/v1/filings').set('authorization', `Bearer ${writer.key}`).timeout(15_000).send(filingBody());
      const first = await fileThere();
      expect(first.status).toBe(201);
      // A checkpoint of the log so far, offered to the witness as soon as it is signed.
      await until('a checkpoint covering the first filing', async () => (await history()).some((c) => c.treeSize > first.body.leafIndex));
      const sizeBefore = await other.store.count();
      for (let i = 0; i < 10; i++) expect((await fileThere()).status).toBe(201);
      expect(await requestsEnded()).toBe(0);
      expect(await cosignedByIt()).toEqual([]);
      // Resumed, the witness answers the request it was sent before those writes: a checkpoint no larger than the log was
      // then gets its cosignature.
      paused.child.kill('SIGCONT');
      await until('the paused witness cosigning', async () => (await cosignedByIt()).length > 0);
      expect(Math.min(...(await cosignedByIt()).map((c) => c.treeSize))).toBeLessThanOrEqual(sizeBefore);
    } finally {
      try {
        await other.close();
      } finally {
        paused.child.kill('SIGCONT');
        await paused.stop();
        paused = undefined;
      }
    }
  });

  it('keeps writes flowing with one witness stopped; receipts fall back to the newest checkpoint that met the quorum', async () => {
    const before = await fileWork();
    await until('a cosigned checkpoint covering the filing', async () => {
      const c = verifyCosignedCheckpoint((await ledger.http().get('/v1/ledger/checkpoint')).text, trust());
      return c.ok && c.checkpoint.treeSize > before.leafIndex;
    });
    w2Address.forwardTo(null);
    await w2.stop();
    const after = [];
    for (let i = 0; i < 10; i++) after.push(await fileWork());
    await sleep(1000);
    const count = await ledger.store.count();
    const expiredWaits = () => counterTotal(ledger, 'ledger_witness_quorum_waits_total', ['outcome="expired"']);
    const waitsBefore = await expiredWaits();
    const first = await ledger.http().get('/v1/ledger/checkpoint'); // waits for the quorum on the latest checkpoint, in vain
    const served = verifyCosignedCheckpoint(first.text, trust());
    expect(served).toMatchObject({ ok: true }); // the newest that met the quorum
    expect((served as { checkpoint: { treeSize: number } }).checkpoint.treeSize).toBeLessThan(count);
    expect(await expiredWaits()).toBe(waitsBefore + 1);
    // That wait over, the latest checkpoint is fresh no more: the requests after it are served the same one without
    // waiting again (each would wait LEDGER_WITNESS_WAIT_MS, 1.5 s here, while the witness is down).
    for (let i = 0; i < 5; i++) expect((await ledger.http().get('/v1/ledger/checkpoint')).text).toBe(first.text);
    expect(await expiredWaits()).toBe(waitsBefore + 1);

    const old = await receiptOf(before.filingId);
    expect(verifyCosignedCheckpoint(old.checkpoint, trust())).toMatchObject({ ok: true });
    const oldFile = file('old-receipt.json', JSON.stringify(old));
    expect((await cli(['verify-receipt', oldFile, ...witnessArgs()])).code).toBe(0);
    const fresh = await receiptOf(after[after.length - 1].filingId);
    const freshFile = file('fresh-receipt.json', JSON.stringify(fresh));
    const short = await cli(['verify-receipt', freshFile, ...witnessArgs()]);
    expect(short.code).toBe(1);
    expect(short.stdout).toMatch(/checkpoint has 1 valid witness cosignature\(s\), 2 required/);
    expect(
      (await cli(['verify-receipt', freshFile, '--vkey', logVkey, '--witness', w1.vkey, '--witness', w2.vkey, '--witness-quorum', '1']))
        .code,
    ).toBe(0);

    // Restarted with the same data dir (on a port of its own, at the address the log knows it by), it remembers what it
    // cosigned and catches up.
    const state = JSON.parse(readFileSync(join(work, 'w2-data', 'witness-state.json'), 'utf8'));
    expect(state.logs[ORIGIN].size).toBeGreaterThan(before.leafIndex);
    w2 = await witness('w2');
    w2Address.forwardTo(w2.url);
    const zero = await fetch(`${w2.url}/add-checkpoint`, { method: 'POST', body: addCheckpointBody(0, [], old.checkpoint) });
    expect(zero.status).toBe(409);
    expect(zero.headers.get('content-type')).toBe('text/x.tlog.size');
    expect(await zero.text()).toBe(`${state.logs[ORIGIN].size}\n`);
    await fileWork();
    await until(
      'the quorum again on the latest checkpoint',
      async () => {
        const c = verifyCosignedCheckpoint((await ledger.http().get('/v1/ledger/checkpoint')).text, trust());
        return c.ok && c.checkpoint.treeSize === (await ledger.store.count());
      },
      15_000,
    );
  });

  it('has witnesses refuse a fork: another checkpoint of the size they hold, or a larger one off their tree', async () => {
    const held = JSON.parse(readFileSync(join(work, 'w1-data', 'witness-state.json'), 'utf8')).logs[ORIGIN].size as number;
    const forkOf = (size: number) =>
      signCheckpoint({ origin: ORIGIN, treeSize: size, rootHash: randomBytes(32), time: Math.floor(Date.now() / 1000) }, seed);
    const same = await fetch(`${w1.url}/add-checkpoint`, { method: 'POST', body: addCheckpointBody(held, [], forkOf(held)) });
    expect(same.status).toBe(409);
    expect(await same.text()).toBe(`${held}\n`);
    const proof = (
      await ledger
        .http()
        .get('/v1/ledger/proof/consistency')
        .query({ from: held - 1, to: held })
    ).body.hashes;
    const larger = await fetch(`${w1.url}/add-checkpoint`, { method: 'POST', body: addCheckpointBody(held, proof, forkOf(held + 1)) });
    expect(larger.status).toBe(422);
    const stranger = signCheckpoint({ origin: ORIGIN, treeSize: held + 1, rootHash: randomBytes(32) }, ed25519.utils.randomSecretKey());
    expect((await fetch(`${w1.url}/add-checkpoint`, { method: 'POST', body: addCheckpointBody(held, [], stranger) })).status).toBe(403);
    expect((await fetch(`${w1.url}/add-checkpoint`, { method: 'POST', body: 'old 1\n' })).status).toBe(400);
  });

  describe('with a witness reached through a relay that changes its answers (as on a plain HTTP URL)', () => {
    let relayed: WitnessProcess;
    let relay: WitnessRelay;
    let other: LedgerApp;
    let writer: { key: string };
    let label: string;
    let relayedSeed: Uint8Array;
    /** The witness's answer with its cosignature replaced by one dated `when(the checkpoint's time)`, signed with its key. */
    const datedAt =
      (when: (checkpointTime: number) => number) =>
      (answer: RelayedAnswer, requestBody: string): RelayedAnswer => {
        if (answer.status !== 200) return answer;
        const text = (parseNote(requestBody.slice(requestBody.indexOf('\n\n') + 2)) as { text: string }).text;
        const time = Number(/^time (\d+)$/m.exec(text)![1]);
        return { ...answer, body: signCosignatureV1(text, 'witness.test/relayed', relayedSeed, when(time)) };
      };

    beforeAll(async () => {
      relayed = await witness('relayed');
      relayedSeed = new Uint8Array(Buffer.from(readFileSync(join(work, 'relayed.key'), 'utf8').trim(), 'base64'));
      label = cosignerLabel(parseCosignerVkey(relayed.vkey));
      relay = await startWitnessRelay(relayed.url);
      relay.rewrite = datedAt(() => Number.MAX_SAFE_INTEGER); // from the first submission on
      other = await startLedger({
        origin: ORIGIN,
        signingKey: Buffer.from(seed).toString('base64'),
        checkpointIntervalMs: 200,
        witnesses: [{ vkey: relayed.vkey, url: relay.url }],
        witnessQuorum: 1,
        witnessWaitMs: 300,
        // Generous: under a loaded machine an answer slower than this is a failed request, not the refusal a test waits for.
        witnessTimeoutMs: 10_000,
        publicRateLimit: 100_000,
      });
      writer = await principal(other, 'Rita', ['creator']);
    }, 60_000);
    afterAll(async () => {
      await other?.close();
      await relay?.close();
      await relayed?.stop();
    });

    const requests = (outcome: string) =>
      counterTotal(other, 'ledger_witness_requests_total', [`witness="${label}"`, `outcome="${outcome}"`]);
    const items = async () => (await other.http().get('/v1/ledger/checkpoints').query({ limit: 1000 })).body.items as Item[];
    const cosignedByIt = async () => (await items()).filter((c) => c.cosignatures.some((x) => x.cosigner === label));
    const fileThere = async () => {
      const res = await other.http().post('/v1/filings').set('authorization', `Bearer ${writer.key}`).send(filingBody());
      expect(res.status).toBe(201);
      return res.body.leafIndex as number;
    };
    const relayedTrust = () => ({ vkey: logVkey, witnesses: [parseCosignerVkey(relayed.vkey)], quorum: 1 });

    it("refuses a valid cosignature dated more than 5 minutes from the log's clock (its checkpoint's time, here), and stores none", async () => {
      const leaf = await fileThere();
      const outside: Array<(time: number) => number> = [
        () => Number.MAX_SAFE_INTEGER,
        () => 0,
        (time) => time - 301, // the checkpoint's time is never after the log's clock
        // Ahead of the relay's clock by a minute more than the skew: the log reads its own clock a moment later (a second
        // boundary crossed on the way, or seconds on a loaded machine), which must not bring it within 300 s.
        () => Math.floor(Date.now() / 1000) + 360,
      ];
      const outcomes = async () =>
        Object.fromEntries(
          await Promise.all(['ok', 'invalid', 'failed', 'conflict', 'ahead'].map(async (o) => [o, await requests(o)] as const)),
        );
      for (const [i, when] of outside.entries()) {
        const before = await requests('invalid');
        relay.rewrite = datedAt(when);
        await until(
          `cosignature ${i} refused`,
          async () => (await requests('invalid')) > before,
          60_000,
          async () => `; requests by outcome: ${JSON.stringify(await outcomes())}`,
        );
      }
      expect(await requests('ok')).toBe(0);
      expect(await cosignedByIt()).toEqual([]);
      // Dated a minute before the checkpoint (a witness whose clock is behind the log's): within the skew, taken.
      relay.rewrite = datedAt((time) => time - 60);
      await until('a cosignature dated a minute early', async () => (await cosignedByIt()).some((c) => c.treeSize > leaf), 60_000);
      for (const c of await cosignedByIt()) {
        expect(c.cosignatures.find((x) => x.cosigner === label)!.time).toBe(c.time - 60);
        expect(verifyCosignedCheckpoint(c.note, relayedTrust())).toMatchObject({ ok: true });
      }
      relay.rewrite = null;
    }, 330_000); // five waits of up to 60 s each: a loaded machine once took more than 30 s for one

    it('says so when the witness signs under another name than its vkey gives', async () => {
      const warned: string[] = [];
      const spy = jest.spyOn(Logger.prototype, 'warn').mockImplementation(function (this: Logger, message: unknown) {
        warned.push(String(message));
      });
      try {
        const before = await requests('invalid');
        relay.rewrite = (answer, requestBody) => {
          if (answer.status !== 200) return answer;
          const text = (parseNote(requestBody.slice(requestBody.indexOf('\n\n') + 2)) as { text: string }).text;
          // The witness's own key, under a name its vkey does not give (as a witness started with another --name).
          return { ...answer, body: signCosignatureV1(text, 'witness.test/renamed', relayedSeed, Math.floor(Date.now() / 1000)) };
        };
        await fileThere();
        await until('the cosignature refused', async () => (await requests('invalid')) > before, 30_000);
        expect(warned.join('\n')).toContain(
          'the witness signs as "witness.test/renamed", and LEDGER_WITNESSES names its key "witness.test/relayed": give its vkey made with the name it signs with',
        );
      } finally {
        relay.rewrite = null;
        spy.mockRestore();
      }
    }, 60_000);

    it('asks again after a 409 naming a size beyond the log, and the witness cosigns the checkpoints signed after it', async () => {
      const aheadBefore = await requests('ahead');
      let forged = 0;
      relay.rewrite = (answer) => (forged++ === 0 ? { status: 409, type: 'text/x.tlog.size', body: '999999\n' } : answer);
      for (let round = 0; round < 2; round++) {
        const leaf = await fileThere();
        await until(
          `the witness cosigning a checkpoint covering leaf ${leaf}`,
          async () => (await cosignedByIt()).some((c) => c.treeSize > leaf),
          15_000,
        );
      }
      expect(forged).toBeGreaterThan(1);
      expect(await requests('ahead')).toBe(aheadBefore + 1);
      const served = verifyCosignedCheckpoint((await other.http().get('/v1/ledger/checkpoint')).text, relayedTrust());
      expect(served).toMatchObject({ ok: true, checkpoint: { treeSize: await other.store.count() } });
    });
  });
});
