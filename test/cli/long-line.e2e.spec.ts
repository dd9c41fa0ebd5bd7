// `verify` (the compiled CLI's command, on worker threads and without) fails an export line longer than it reads at
// that line's leaf, naming the limit, instead of ending with the engine's error. The limit is Node's longest string
// (512 MiB); the test lowers it with the command's `maxLineBytes` option, as writing and reading a line of 512 MiB
// would take the suite's time and memory.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT } from '../../src/bench/processes.js';
import { MAX_LINE_BYTES } from '../../src/verifier/export-chunk.js';
import { ndjson, newSigner, sampleLog } from '../verifier/fixture.js';

const run = promisify(execFile);
/** Runs the compiled `verifyCommand` on its own: its exit code and what it printed. */
const RUNNER = `
const [, , args, options] = process.argv;
const { verifyCommand } = await import(${JSON.stringify(join(ROOT, 'dist/cli/verify.js'))});
process.exitCode = await verifyCommand(JSON.parse(args), process.stdout, JSON.parse(options));
`;

let work: string;
let runner: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'cli-long-line-'));
  runner = join(work, 'verify.mjs'); // a file: the worker threads would inherit an --input-type for -e
  writeFileSync(runner, RUNNER);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('verify, given a line longer than it reads', () => {
  it('is the longest string Node makes, by default', async () => {
    const { stdout } = await run(process.execPath, ['-p', 'require("node:buffer").constants.MAX_STRING_LENGTH']);
    expect(Number(stdout)).toBe(MAX_LINE_BYTES);
  });

  it.each([0, 2])('fails that leaf and names the limit, with %i thread(s)', async (threads) => {
    const signer = newSigner();
    const events = sampleLog();
    const lines = ndjson(events);
    // 3 MiB: past the limit of 1.5 MiB, the line is cut where it has come to (at 2 MiB) and handed on to be failed.
    lines[3] = JSON.stringify({ v: 1, pad: 'x'.repeat(3 << 20) });
    const [file, checkpoint] = [join(work, `long-${threads}.ndjson`), join(work, 'checkpoint')];
    writeFileSync(file, lines.join('\n') + '\n');
    writeFileSync(checkpoint, signer.checkpoint(events));
    const args = { export: file, checkpoint: [checkpoint], checkpoints: [], vkey: signer.vkey };
    const limit = 3 << 19;
    const { stdout } = await run(process.execPath, [runner, JSON.stringify(args), JSON.stringify({ threads, maxLineBytes: limit })]).catch(
      (err: { code: number; stdout: string; stderr: string }) => {
        expect({ code: err.code, stderr: err.stderr }).toEqual({ code: 1, stderr: '' });
        return err;
      },
    );
    expect(stdout).toBe(`FAILED at leaf 3: line is longer than ${limit} bytes, the most a verifier reads as one line\n`);
  });
});
