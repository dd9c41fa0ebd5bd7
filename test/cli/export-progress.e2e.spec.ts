// `export` on a terminal: its progress bar ends with the time left when the export is written whole, and with `failed`
// when it is not, a write that fails at the end (a full disk) included.
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../../src/bench/processes.js';
import { filingBody, principal, startLedger, tempDir } from '../support/ledger-app.js';

const dataDir = tempDir('cli-export-progress-');
const work = tempDir('cli-export-progress-work-');

beforeAll(async () => {
  const ledger = await startLedger({ dataDir });
  const alice = await principal(ledger, 'Alice', ['creator']);
  for (let i = 0; i < 3; i++) {
    const res = await ledger.http().post('/v1/filings').set('authorization', `Bearer ${alice.key}`).send(filingBody());
    expect(res.status).toBe(201);
  }
  await ledger.close();
});
afterAll(() => {
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

/** The compiled CLI's export to `out`, run by `script` on a terminal of its own; how its bar last ended. */
async function exportOnTerminal(name: string, out: string) {
  const transcript = join(work, `${name}.typescript`);
  const command = [process.execPath, join(ROOT, 'dist/cli/main.js'), 'export', '--out', out].map((a) => `'${a}'`).join(' ');
  const run = spawn('script', ['-qfec', command, transcript], {
    stdio: 'ignore',
    env: { ...process.env, LEDGER_DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
  });
  const code = await new Promise<number | null>((resolve) => run.on('exit', resolve));
  const written = readFileSync(transcript, 'utf8');
  const drawn = [...written.matchAll(/exporting \[[^\]]*\] (\d+)% \| ([\d,]+) of ([\d,]+) events \| (failed|\S+ left)/g)];
  expect(drawn.length).toBeGreaterThan(0);
  const [, percent, , , tail] = drawn[drawn.length - 1];
  return { code, written, percent: Number(percent), tail };
}

describe('export on a terminal', () => {
  it('ends the bar with the time left once the file has every event, and with failed when the last write fails', async () => {
    const whole = await exportOnTerminal('whole', join(work, 'log.ndjson'));
    expect(whole.code).toBe(0);
    expect({ percent: whole.percent, tail: whole.tail }).toEqual({ percent: 100, tail: expect.stringMatching(/ left$/) });
    expect(readFileSync(join(work, 'log.ndjson'), 'utf8').trim().split('\n').length).toBeGreaterThan(6);

    // Every event read, and the disk full when they are written out.
    const full = await exportOnTerminal('full', '/dev/full');
    expect(full.code).toBe(1);
    expect(full.written).toContain('no space left');
    expect({ percent: full.percent, tail: full.tail }).toEqual({ percent: 100, tail: 'failed' });
  });
});
