// How a failed start or command is told: one line that names the path or the address, from the error Node gave (a real
// one here: a directory made where a file is, a file opened in a directory that does not exist, a refused connection).
import { mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { failureLine } from '../../src/cli/exit-on-error.js';

let dir: string;
beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'failure-line-'))));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const thrown = (f: () => unknown): unknown => {
  try {
    f();
  } catch (err) {
    return err;
  }
  throw new Error('nothing was thrown');
};

it('names the path of a file system error, in words', () => {
  const file = join(dir, 'a-file');
  writeFileSync(file, '');
  expect(failureLine(thrown(() => mkdirSync(file, { recursive: true })))).toBe(`${file}: a file, not a directory`);
  const missing = join(dir, 'missing', 'x.ndjson');
  expect(failureLine(thrown(() => openSync(missing, 'w')))).toBe(`${missing}: no such file or directory`);
  expect(failureLine(thrown(() => openSync(dir, 'w')))).toBe(`${dir}: a directory, not a file`);
});

it('names the address of a connection that was refused, and the settings that name it', async () => {
  // A port that was just free: nothing listens there.
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  const err = await new Promise((done) => connect(port, '127.0.0.1').on('error', done));
  expect(failureLine(err)).toBe(
    `cannot connect to 127.0.0.1:${port} (ECONNREFUSED): is the store that DATABASE_URL or EVENTSTORE_URL names up and reachable?`,
  );
});

it('leaves any other error as its message', () => {
  expect(failureLine(new Error('LEDGER_ORIGIN must be a log name'))).toBe('LEDGER_ORIGIN must be a log name');
  expect(failureLine('a string')).toBe('a string');
});
