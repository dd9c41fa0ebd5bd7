// The witness side of C2SP tlog-witness, in process: every answer the spec prescribes, and state that survives a restart.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { addCheckpointBody } from '../../src/ledger/log/checkpoint-witnesses.js';
import { COSIGNATURE_V1, formatCosignerVkey, parseCosignerVkey, verifyCosignatures } from '../../src/verifier/cosignature.js';
import { Witness, witnessServer } from '../../src/witness/witness-server.js';
import { WitnessState } from '../../src/witness/witness-state.js';
import { consistencyProof } from '../support/merkle-tree.js';
import { buildLog, leafHashesOf, newSigner, ORIGIN } from '../verifier/fixture.js';
import { hex } from '../verifier/vectors.js';

const signer = newSigner();
const log = buildLog(Array.from({ length: 20 }, (_, i) => ({ stream: `s-${i % 4}`, type: 'T', data: { i } })));
const forkedLog = buildLog(Array.from({ length: 20 }, (_, i) => ({ stream: `s-${i % 4}`, type: 'T', data: { i, forked: i >= 8 } })));
const leaves = leafHashesOf(log);
const proof = (from: number, to: number) => consistencyProof(from, leaves.slice(0, to)).map(hex);

describe('witness: POST /add-checkpoint', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-witness-'));
  const seed = ed25519.utils.randomSecretKey();
  const vkey = formatCosignerVkey('witness.test/w1', COSIGNATURE_V1, ed25519.getPublicKey(seed));
  const open = () => new Witness({ name: 'witness.test/w1', secretKey: seed, logs: [signer.vkey], state: new WitnessState(dir) });
  let witness = open();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const add = (old: number, hashes: string[], note: string) => witness.addCheckpoint(addCheckpointBody(old, hashes, note));

  it('cosigns a first checkpoint (old 0) with a timestamped cosignature/v1 line', async () => {
    const note = signer.checkpoint(log, 5);
    const answer = await add(0, [], note);
    expect(answer).toMatchObject({ status: 200 });
    expect(answer.body).toMatch(/^\u2014 witness\.test\/w1 [A-Za-z0-9+/]+=*\n$/);
    const [cosig] = verifyCosignatures(note + answer.body, [parseCosignerVkey(vkey)]).valid;
    expect(Math.abs(cosig.timestamp - Date.now() / 1000)).toBeLessThan(5);
  });

  it('answers 409 with the size it holds (text/x.tlog.size) when the old size is stale', async () => {
    expect(await add(0, [], signer.checkpoint(log, 9))).toEqual({ status: 409, type: 'text/x.tlog.size', body: '5\n' });
    expect(await add(3, proof(3, 9), signer.checkpoint(log, 9))).toMatchObject({ status: 409, body: '5\n' });
  });

  it('answers 422 on a bad consistency proof and 400 on an old size beyond the checkpoint', async () => {
    const bad = proof(5, 9);
    bad[0] = bad[0].replace(/^./, (c) => (c === 'a' ? 'b' : 'a'));
    expect(await add(5, bad, signer.checkpoint(log, 9))).toMatchObject({ status: 422 });
    expect(await add(12, [], signer.checkpoint(log, 9))).toMatchObject({ status: 400 });
    expect(await witness.addCheckpoint('old x\n\n' + signer.checkpoint(log, 9))).toMatchObject({ status: 400 });
  });

  it('answers 404 for an unknown origin and 403 when no trusted key signed the checkpoint', async () => {
    const stranger = newSigner('other.example/log');
    expect(await add(0, [], stranger.checkpoint(log, 3))).toMatchObject({ status: 404 });
    const impostor = newSigner(ORIGIN);
    expect(await add(5, proof(5, 9), impostor.checkpoint(log, 9))).toMatchObject({ status: 403 });
  });

  it('advances with a valid proof, re-cosigns the same checkpoint, and refuses a fork of the same size', async () => {
    expect(await add(5, proof(5, 9), signer.checkpoint(log, 9))).toMatchObject({ status: 200 });
    expect(await add(9, [], signer.checkpoint(log, 9))).toMatchObject({ status: 200 });
    expect(await add(9, [], signer.checkpoint(forkedLog, 9))).toEqual({ status: 409, type: 'text/x.tlog.size', body: '9\n' });
  });

  it('refuses a fork at a larger size: the proof cannot verify against what it cosigned', async () => {
    const forkedProof = consistencyProof(9, leafHashesOf(forkedLog).slice(0, 14)).map(hex);
    expect(await add(9, forkedProof, signer.checkpoint(forkedLog, 14))).toMatchObject({ status: 422 });
  });

  it('keeps its state across a restart', async () => {
    witness = open();
    expect(await add(0, [], signer.checkpoint(log, 12))).toMatchObject({ status: 409, body: '9\n' });
    expect(await add(9, proof(9, 12), signer.checkpoint(log, 12))).toMatchObject({ status: 200 });
    expect(JSON.parse(readFileSync(join(dir, 'witness-state.json'), 'utf8')).logs[ORIGIN].size).toBe(12);
  });
});

describe('witness: its HTTP interface', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ledger-witness-http-'));
  const seed = ed25519.utils.randomSecretKey();
  const vkey = formatCosignerVkey('witness.test/w1', COSIGNATURE_V1, ed25519.getPublicKey(seed));
  const server = witnessServer(
    new Witness({ name: 'witness.test/w1', secretKey: seed, logs: [signer.vkey], state: new WitnessState(dir) }),
    vkey,
  );
  let url: string;
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers a body over 1 MiB with 413, declared so or sent in chunks, rather than resetting the connection', async () => {
    const declared = await fetch(`${url}/add-checkpoint`, { method: 'POST', body: 'x'.repeat((1 << 20) + 1) });
    expect([declared.status, await declared.text()]).toEqual([413, 'request too large\n']);
    // Chunked, with no length: found too large as it arrives.
    const chunks = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 17; i++) controller.enqueue(new TextEncoder().encode('y'.repeat(64 * 1024)));
        controller.close();
      },
    });
    const streamed = await fetch(`${url}/add-checkpoint`, { method: 'POST', body: chunks, duplex: 'half' } as RequestInit);
    expect([streamed.status, await streamed.text()]).toEqual([413, 'request too large\n']);
    // It goes on answering.
    expect(await (await fetch(`${url}/`)).text()).toBe(`${vkey}\n`);
  });
});
