// `sandbox-ledger verify` (the compiled CLI) checks an export of several chunks on worker threads: the verdicts and
// messages are those of one pass in log order, whichever thread checks which chunk and whenever it answers.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computeEventHash, type EventEnvelope } from '../../src/verifier/envelope.js';
import { failurePlace, verifyExport } from '../../src/verifier/export-verifier.js';
import { runCli } from '../support/server-process.js';
import { amendment, buildLog, ndjson, newSigner, rechain } from '../verifier/fixture.js';

const EVENTS = 3000; // about 2.7 MB: three chunks of 1 MiB, in flight on the two threads together
const SLOW = 240_000; // several CLI runs of a few MB each, on a machine that may be busy
const signer = newSigner();
const log = buildLog(
  Array.from({ length: EVENTS }, (_, i) => {
    const event = amendment(String((i * 13) % 997), i);
    return { ...event, data: { ...event.data, title: `作品 ${i}`, humanContributionNote: 'x'.repeat(700) } };
  }),
);
const clone = (events: EventEnvelope[]) => events.map((e) => structuredClone(e));
let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'verify-threads-'));
  writeFileSync(join(work, 'checkpoint'), signer.checkpoint(log));
  writeFileSync(join(work, 'vkey'), signer.vkey);
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * The CLI's output with 2 threads and with none (timings removed), and what the verifier gives in process, line by line;
 * against the checkpoint of the genuine log, or one the log's key signs over `events` (`signed`).
 */
async function verify(events: EventEnvelope[], signed = false) {
  const lines = ndjson(events);
  const file = join(work, 'export.ndjson');
  writeFileSync(file, lines.join('\n') + '\n');
  const checkpoint = signer.checkpoint(signed ? events : log);
  const checkpointFile = join(work, signed ? 'checkpoint-signed' : 'checkpoint');
  writeFileSync(checkpointFile, checkpoint);
  const outputs: Record<string, { code: number | null; stdout: string }> = {};
  for (const threads of ['0', '2']) {
    const run = await runCli(
      ['verify', '--export', file, '--checkpoint', checkpointFile, '--vkey', join(work, 'vkey'), '--threads', threads],
      {},
    );
    outputs[threads] = {
      code: run.code,
      stdout: run.stdout.replace(
        / \(\d+ events\/s, [\d.]+ MB\/s, (?:checked on the main thread|\d checking thread\(s\))\)\n$/,
        ' (timing)\n',
      ),
    };
    if (run.code === 1 && !run.stdout.startsWith('FAILED')) throw new Error(run.stderr);
  }
  return { outputs, inProcess: verifyExport(lines, [checkpoint], signer.vkey) };
}

describe('verify on worker threads', () => {
  it(
    'accepts a valid export of several chunks with 2 threads and with none, and says how many checked it',
    async () => {
      const raw = await runCli(
        ['verify', '--export', writeExport(log), '--checkpoint', join(work, 'checkpoint'), '--vkey', join(work, 'vkey'), '--threads', '2'],
        {},
      );
      expect(raw.stdout).toMatch(
        new RegExp(`^ok: ${EVENTS} events in 997 streams; .*\\(\\d+ events/s, [\\d.]+ MB/s, 2 checking thread\\(s\\)\\)\\n$`),
      );
      // An export of one chunk is checked on the main thread: no thread is started for it.
      writeFileSync(join(work, 'small.ndjson'), ndjson(log.slice(0, 50)).join('\n') + '\n');
      writeFileSync(join(work, 'checkpoint-50'), signer.checkpoint(log, 50));
      const small = await runCli(
        [
          'verify',
          '--export',
          join(work, 'small.ndjson'),
          '--checkpoint',
          join(work, 'checkpoint-50'),
          '--vkey',
          join(work, 'vkey'),
          '--threads',
          '2',
        ],
        {},
      );
      expect(small.stdout).toMatch(/^ok: 50 events .*, checked on the main thread\)\n$/);
      // Events past the last checkpoint given are checked, and said to be covered by no signature.
      writeFileSync(join(work, 'checkpoint-30'), signer.checkpoint(log, 30));
      const partial = await runCli(
        ['verify', '--export', join(work, 'small.ndjson'), '--checkpoint', join(work, 'checkpoint-30'), '--vkey', join(work, 'vkey')],
        {},
      );
      expect(partial.code).toBe(0);
      expect(partial.stdout).toContain(
        'signed up to tree size 30 (the last 20 event(s) hash and chain correctly, but no checkpoint given covers them: verify them again with a later checkpoint)',
      );
      expect(small.stdout).not.toContain('no checkpoint given covers');
      // With --all-signed those events fail the verdict; with the checkpoint that covers them all, it holds.
      const allSigned = (checkpoint: string) =>
        runCli(
          [
            'verify',
            '--export',
            join(work, 'small.ndjson'),
            '--checkpoint',
            join(work, checkpoint),
            '--vkey',
            join(work, 'vkey'),
            '--all-signed',
          ],
          {},
        );
      await expect(allSigned('checkpoint-30')).resolves.toEqual({
        code: 1,
        stdout:
          'FAILED in leaves 30..49: the last 20 event(s) hash and chain correctly, but no checkpoint given covers them (--all-signed); give a checkpoint of tree size 50\n',
        stderr: '',
      });
      await expect(allSigned('checkpoint-50')).resolves.toMatchObject({ code: 0, stdout: expect.stringMatching(/^ok: 50 events /) });
      const { outputs } = await verify(log);
      expect(outputs['0']).toEqual({ code: 0, stdout: expect.stringMatching(new RegExp(`^ok: ${EVENTS} events`)) });
      expect(outputs['2']).toEqual(outputs['0']);
    },
    SLOW,
  );

  it(
    'names the first bad event of a late chunk, with its stream, type and both hashes, as the one-pass verifier does',
    async () => {
      const events = clone(log);
      events[2600].data.title = 'forged';
      const { outputs, inProcess } = await verify(events);
      expect(inProcess).toMatchObject({ ok: false, leafIndex: 2600 });
      const expected =
        `FAILED at leaf 2600: hash does not match the event (${log[2600].type} in stream ${log[2600].stream}, leaf 2600): ` +
        `expected ${log[2600].hash} (its hash field), computed ${computeEventHash(events[2600])} (SHA-256 of its canonical form)\n`;
      for (const threads of ['0', '2']) expect(outputs[threads]).toEqual({ code: 1, stdout: expected });
    },
    SLOW,
  );

  it(
    "names an event out of the catalogue that the log's key signed, checked in a thread by the compiled schemas, as the one-pass verifier does",
    async () => {
      const events = clone(log);
      events[2700].data.title = 42; // a number where the catalogue has a string
      events[2700].hash = computeEventHash(events[2700]);
      const later = events.findIndex((e, i) => i > 2700 && e.stream === events[2700].stream);
      for (let i = later; i >= 0 && i < events.length; i = events.findIndex((e, k) => k > i && e.stream === events[2700].stream)) {
        const previous = events.findLastIndex((e, k) => k < i && e.stream === events[i].stream);
        events[i].prevHash = events[previous].hash;
        events[i].hash = computeEventHash(events[i]);
      }
      const { outputs, inProcess } = await verify(events, true);
      expect(inProcess).toMatchObject({ ok: false, leafIndex: 2700, code: 'catalogue', path: '/title', wanted: ['string', 'null'] });
      const expected = `FAILED at leaf 2700: FilingAmended's data member /title is not a string or null: the event is not as the event catalogue has it\n`;
      for (const threads of ['0', '2']) expect(outputs[threads]).toEqual({ code: 1, stdout: expected });
    },
    SLOW,
  );

  it(
    'reports the earliest of failures in different chunks, whichever thread answers first',
    async () => {
      const events = clone(log);
      events[2900].data.title = 'forged'; // last chunk: a small one, likely checked first
      events.splice(400, 1); // first chunk: a missing event
      const { outputs, inProcess } = await verify(events);
      expect(inProcess).toEqual({
        ok: false,
        leafIndex: 400,
        reason: 'leafIndex is 401, expected 400 (an event is missing, moved or inserted)',
        code: 'misplaced',
        claimed: 401,
        expected: 400,
      });
      for (const threads of ['0', '2'])
        expect(outputs[threads]).toEqual({ code: 1, stdout: `FAILED at leaf 400: ${inProcess.ok ? '' : inProcess.reason}\n` });
    },
    SLOW,
  );

  it(
    'finds a chain broken across chunks and a time that went back, as the one-pass verifier does',
    async () => {
      const rehashed = clone(log);
      rehashed[100].data.title = 'forged';
      rehashed[100].hash = computeEventHash(rehashed[100]); // its stream's next event, a few chunks later, no longer chains
      const backdated = clone(log);
      backdated[2500].recordedAt = '2025-01-01T00:00:00.000Z';
      backdated[2500].hash = computeEventHash(backdated[2500]);
      for (const events of [rehashed, backdated]) {
        const { outputs, inProcess } = await verify(events);
        expect(inProcess.ok).toBe(false);
        if (inProcess.ok) continue;
        for (const threads of ['0', '2']) {
          expect(outputs[threads]).toEqual({
            code: 1,
            stdout: `FAILED${failurePlace(inProcess)}: ${inProcess.reason}\n`,
          });
        }
      }
    },
    SLOW,
  );

  it(
    'finds an event id of the first chunk given again in the last, in a log its operator re-chained and signed',
    async () => {
      const copy = clone(log);
      copy[2800].id = log[50].id;
      const { outputs, inProcess } = await verify(rechain(copy, 2800), true);
      expect(inProcess).toMatchObject({ ok: false, leafIndex: 2800, code: 'duplicate-id', firstLeaf: 50 });
      const expected = `FAILED at leaf 2800: event id "${log[50].id}" is already used by leaf 50: each event's id must be unique\n`;
      for (const threads of ['0', '2']) expect(outputs[threads]).toEqual({ code: 1, stdout: expected });
    },
    SLOW,
  );

  it(
    'fails a line of a late chunk whose bytes are not well-formed UTF-8, at its leaf, with 2 threads and with none',
    async () => {
      const genuine = Buffer.from(ndjson(log).join('\n') + '\n');
      // Event 2700's title, 作品 2700: the last byte of its first character made 0xff.
      const at = genuine.indexOf('"title":"作品 2700"') + 9;
      const bytes = Buffer.from(genuine);
      bytes[at + 2] = 0xff;
      const file = join(work, 'undecodable.ndjson');
      writeFileSync(file, bytes);
      for (const threads of ['0', '2']) {
        const run = await runCli(
          ['verify', '--export', file, '--checkpoint', join(work, 'checkpoint'), '--vkey', join(work, 'vkey'), '--threads', threads],
          {},
        );
        expect({ threads, code: run.code, stdout: run.stdout }).toEqual({
          threads,
          code: 1,
          stdout: 'FAILED at leaf 2700: line is not well-formed UTF-8\n',
        });
      }
    },
    SLOW,
  );
});

function writeExport(events: EventEnvelope[]): string {
  const file = join(work, 'valid.ndjson');
  writeFileSync(file, ndjson(events).join('\n') + '\n');
  return file;
}
