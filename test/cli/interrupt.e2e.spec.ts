// `verify` interrupted (Ctrl-C, SIGTERM) in the middle of an export removes its scratch directories and ends by the
// signal, as an uninterrupted run removes them at its end.
import { spawn, spawnSync } from 'node:child_process';
import { open } from 'node:fs/promises';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT } from '../../src/bench/processes.js';
import { ndjson, newSigner, sampleLog } from '../verifier/fixture.js';

describe('verify, interrupted', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'cli-interrupt-'));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it.each(['SIGINT', 'SIGTERM'] as const)('by %s, removes its scratch directories and ends by that signal', async (signal) => {
    const signer = newSigner();
    const events = sampleLog();
    const [checkpoint, scratch] = [join(work, `checkpoint-${signal}`), join(work, `tmp-${signal}`)];
    writeFileSync(checkpoint, signer.checkpoint(events));
    rmSync(scratch, { recursive: true, force: true });
    mkdirSync(scratch); // a fresh, empty TMPDIR of its own
    // The export comes through a named pipe, held open after its first lines: the run is then in the middle of it for certain.
    const fifo = join(work, `export-${signal}`);
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const child = spawn(
      process.execPath,
      [join(ROOT, 'dist/cli/main.js'), 'verify', '--export', fifo, '--checkpoint', checkpoint, '--vkey', signer.vkey],
      { env: { ...process.env, TMPDIR: scratch }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, sig) => resolve({ code, signal: sig })),
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const writer = await open(fifo, 'w');
    await writer.write(ndjson(events.slice(0, 4)).join('\n') + '\n');
    const deadline = Date.now() + 30_000;
    while (readdirSync(scratch).length < 2 && Date.now() < deadline) await sleep(50);
    expect(readdirSync(scratch).filter((d) => d.startsWith('sandbox-ledger-verify-'))).toHaveLength(2); // the chain runs, the filings
    child.kill(signal);
    expect(await exited).toEqual({ code: null, signal });
    await writer.close();
    expect(readdirSync(scratch)).toEqual([]);
    expect(stderr).toBe('');
  });
});
