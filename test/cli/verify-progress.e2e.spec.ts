// `verify` on a terminal: its progress bar counts what was checked, so a run that fails part-way does not end at 100%,
// and a run that failed ends saying so, not with a time left.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../src/bench/processes.js';
import { longAmendedLog, ndjson, newSigner } from '../verifier/fixture.js';

const signer = newSigner();
// Some 5.5 MB: six chunks of 1 MiB.
const events = longAmendedLog(8000);
let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'cli-progress-'));
  writeFileSync(join(work, 'checkpoint'), signer.checkpoint(events));
  writeFileSync(join(work, 'checkpoint-10'), signer.checkpoint(events.slice(0, 10)));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The compiled CLI's verify of `lines`, run by `script` on a terminal of its own; the last figures its bar drew. */
async function verifyOnTerminal(name: string, lines: string[], options: string[] = ['--checkpoint', join(work, 'checkpoint')]) {
  const file = join(work, `${name}.ndjson`);
  writeFileSync(file, lines.join('\n') + '\n');
  const transcript = join(work, `${name}.typescript`);
  const command = [process.execPath, join(ROOT, 'dist/cli/main.js'), 'verify', '--export', file]
    .concat([...options, '--vkey', signer.vkey])
    .map((a) => `'${a}'`)
    .join(' ');
  const run = spawn('script', ['-qfec', command, transcript], { stdio: 'ignore' });
  const code = await new Promise<number | null>((resolve) => run.on('exit', resolve));
  const written = readFileSync(transcript, 'utf8');
  const drawn = [...written.matchAll(/verifying \[[^\]]*\] (\d+)% \| ([\d.]+) of ([\d.]+) (MB|kB) \| (failed|\S+ left)/g)];
  expect(drawn.length).toBeGreaterThan(0);
  const [, percent, done, total, unit, tail] = drawn[drawn.length - 1];
  return { code, written, percent: Number(percent), done: Number(done), total: Number(total), unit, tail };
}

describe('verify on a terminal', () => {
  it('ends the bar at 100% when the export verifies, and where the checks stopped when a leaf fails part-way', async () => {
    const lines = ndjson(events);
    const good = await verifyOnTerminal('good', lines);
    expect(good.code).toBe(0);
    expect(good.written).toContain('ok: 8001 events');
    expect(good.percent).toBe(100);
    expect(good.unit).toBe('MB');
    expect(good.tail).toMatch(/^\S+ left$/);

    const bad = [...lines];
    bad[4000] = bad[4000].replace('take 4000 ', 'take 4OOO ');
    const failed = await verifyOnTerminal('bad', bad);
    expect(failed.code).toBe(1);
    expect(failed.written).toContain('FAILED at leaf 4000: hash does not match the event');
    // Not past the line that failed (the figures are rounded to 0.1 MB).
    const before = Buffer.byteLength(bad.slice(0, 4000).join('\n') + '\n') / 1e6;
    expect(failed.percent).toBeLessThan(100);
    expect(failed.done).toBeLessThanOrEqual(before + 0.05);
    expect(failed.total).toBe(good.total);
    expect(failed.tail).toBe('failed');
  });

  it('does not fill the bar for an export of one chunk that fails', async () => {
    const lines = ndjson(events.slice(0, 12));
    lines[5] = lines[5].replace('"v":1', '"v":1 ');
    const failed = await verifyOnTerminal('small', lines);
    expect(failed.code).toBe(1);
    expect(failed.written).toContain('FAILED at leaf 5: ');
    expect(failed.percent).toBe(0);
    // Under 1 MB in all, in kB: in MB the bar read 0.0 of 0.0.
    const size = Buffer.byteLength(lines.join('\n') + '\n') / 1e3;
    expect([failed.unit, failed.total]).toEqual(['kB', Number(size.toFixed(1))]);
    expect(failed.tail).toBe('failed');
  });

  it('ends the bar with failed when every event checks out but the checkpoints given do not cover them all', async () => {
    const lines = ndjson(events.slice(0, 12));
    const unsigned = await verifyOnTerminal('all-signed', lines, ['--checkpoint', join(work, 'checkpoint-10'), '--all-signed']);
    expect(unsigned.code).toBe(1);
    expect(unsigned.written).toContain('FAILED in leaves 10..11: ');
    expect(unsigned.percent).toBe(100);
    expect(unsigned.tail).toBe('failed');
    const none = await verifyOnTerminal('no-checkpoint', lines, []);
    expect(none.code).toBe(1);
    expect(none.written).toContain('FAILED: no checkpoint given');
    expect(none.tail).toBe('failed');
  });
});
