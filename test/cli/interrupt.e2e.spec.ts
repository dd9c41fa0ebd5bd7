// `verify` interrupted (Ctrl-C, SIGTERM) in the middle of an export removes its scratch directories and ends by the
// signal, as an uninterrupted run removes them at its end.
import { spawn, spawnSync } from 'node:child_process';
import { open } from 'node:fs/promises';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT } from '../../src/bench/processes.js';
import { longAmendedLog, ndjson, newSigner, sampleLog } from '../verifier/fixture.js';

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

  it('on a terminal, gives the cursor back when the export stops coming (a connection cut mid-way), as when it ends', async () => {
    const signer = newSigner();
    // Some 5.5 MB: chunks of 1 MiB are checked (and the bar drawn) from the second one on.
    const events = longAmendedLog(8000);
    const checkpoint = join(work, 'checkpoint-cut');
    writeFileSync(checkpoint, signer.checkpoint(events));
    const text = ndjson(events).join('\n') + '\n';
    // Says twice the export's length, sends the export, waits so that the bar is drawn, then cuts the connection.
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-ndjson', 'content-length': String(Buffer.byteLength(text) * 2) });
      // Cut once all of it was handed over (a loaded machine takes longer to send it than the wait), then some time for the bar.
      res.write(text, () => setTimeout(() => res.socket?.destroy(), 500));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/export`;
    const transcript = join(work, 'cut.typescript');
    const command = [
      process.execPath,
      join(ROOT, 'dist/cli/main.js'),
      'verify',
      '--export',
      url,
      '--checkpoint',
      checkpoint,
      '--vkey',
      signer.vkey,
    ]
      .map((a) => `'${a}'`)
      .join(' ');
    // `script` runs it on a terminal of its own (the bar is drawn only on one) and keeps what it wrote.
    const run = spawn('script', ['-qfec', command, transcript], { stdio: 'ignore' });
    const code = await new Promise<number | null>((resolve) => run.on('exit', resolve));
    server.close();
    const written = readFileSync(transcript, 'latin1');
    expect(code).toBe(1);
    expect(written).toContain('sandbox-ledger: ');
    const hidden = written.lastIndexOf('\x1b[?25l');
    expect(hidden).toBeGreaterThanOrEqual(0); // the bar was drawn, the cursor hidden
    expect(written.indexOf('\x1b[?25h', hidden)).toBeGreaterThan(hidden); // and shown again after
  });
});
