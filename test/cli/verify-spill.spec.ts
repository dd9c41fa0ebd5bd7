// `verify` keeps the chain and id checks' runs in a temporary file: it spills, names the first bad leaf, and leaves
// nothing behind.
import { mkdirSync, mkdtempSync, readdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { FileSpill } from '../../src/cli/file-spill.js';
import { verifyCommand } from '../../src/cli/verify.js';
import { computeEventHash } from '../../src/verifier/envelope.js';
import { amendment, buildLog, ndjson, newSigner, rechain } from '../verifier/fixture.js';

const signer = newSigner();
const log = buildLog(Array.from({ length: 50 }, (_, i) => amendment(`s-${(i * 3) % 8}`, i)));
let work: string;
let spillDir: string;

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'verify-spill-test-'));
  spillDir = join(work, 'spill');
  mkdirSync(spillDir);
  writeFileSync(join(work, 'checkpoint'), signer.checkpoint(log));
  writeFileSync(join(work, 'vkey'), signer.vkey);
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

async function verify(events: unknown[], exportFile = join(work, 'log.ndjson')) {
  writeFileSync(join(work, 'log.ndjson'), ndjson(events).join('\n') + '\n');
  const out = new PassThrough();
  let text = '';
  out.on('data', (d) => {
    text += d;
  });
  const code = await verifyCommand(
    { export: exportFile, checkpoint: [join(work, 'checkpoint')], checkpoints: [], vkey: join(work, 'vkey') },
    out,
    { runRecords: 4, spillDir, threads: 0 }, // worker threads run the compiled CLI: test/cli/verify-threads.e2e.spec.ts
  );
  return { code, text };
}

describe('verify with the chain runs in a file', () => {
  it('accepts a valid export spilled in many runs and removes the spill', async () => {
    expect(await verify(log)).toMatchObject({ code: 0, text: expect.stringMatching(/^ok: 50 events in 8 streams/) });
    expect(readdirSync(spillDir)).toEqual([]);
  });

  it('names the first bad leaf of a broken chain in an early and in a late run, and removes the spill', async () => {
    for (const leaf of [2, 37]) {
      const events = log.map((e) => structuredClone(e));
      events[leaf].data.title = 'forged';
      events[leaf].hash = computeEventHash(events[leaf]);
      const next = log.findIndex((e, i) => i > leaf && e.stream === log[leaf].stream);
      expect(await verify(events)).toEqual({
        code: 1,
        text: `FAILED at leaf ${next}: prevHash does not chain to revision ${log[leaf].revision} of ${log[leaf].stream}\n`,
      });
      expect(readdirSync(spillDir)).toEqual([]);
    }
  });

  it('names an event id given again many runs later, in a log re-chained and signed, and removes the spill', async () => {
    const events = log.map((e) => structuredClone(e));
    events[45].id = log[1].id;
    const signed = rechain(events, 45);
    writeFileSync(join(work, 'checkpoint'), signer.checkpoint(signed));
    expect(await verify(signed)).toEqual({
      code: 1,
      text: `FAILED at leaf 45: event id "${log[1].id}" is already used by leaf 1: each event's id must be unique\n`,
    });
    expect(readdirSync(spillDir)).toEqual([]);
  });

  it('removes the spill when the export cannot be read', async () => {
    await expect(verify(log, join(work, 'missing.ndjson'))).rejects.toThrow(/missing.ndjson: no such file/);
    expect(readdirSync(spillDir)).toEqual([]);
  });
});

describe('FileSpill', () => {
  it('reads back what was appended, and removes its directory once disposed', () => {
    const spill = new FileSpill(spillDir);
    expect(readdirSync(spillDir)).toHaveLength(1);
    expect(spill.append(Uint8Array.of(1, 2, 3))).toBe(0);
    expect(spill.append(Uint8Array.of(4, 5))).toBe(3); // where each append starts: runs of two checks share one spill
    const out = new Uint8Array(4);
    expect(spill.read(out, 1)).toBe(4);
    expect([...out]).toEqual([2, 3, 4, 5]);
    expect(spill.read(out, 5)).toBe(0);
    spill.dispose();
    spill.dispose();
    expect(readdirSync(spillDir)).toEqual([]);
    expect(() => spill.append(Uint8Array.of(1))).toThrow(/removed/);
  });
});
