// The test harness's own promise: a ledger that fails to start leaves nothing behind (its data directory, and on
// PostgreSQL its schema), as one that started leaves nothing after close(). The ledgers are made in a temporary directory
// of this suite's own, where it counts them: the suites run in parallel workers, and another suite's ledgers come and go
// meanwhile in the system's.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startLedger } from '../support/ledger-app.js';
import { openFilesUnder } from '../support/open-files.js';

const ownTmp = mkdtempSync(join(tmpdir(), 'cleanup-test-'));
afterAll(() => rmSync(ownTmp, { recursive: true, force: true }));

/** The data directories startLedger makes (tempDir's `ledger-` and mkdtemp's six characters) that exist now. */
const ledgerDirs = () => new Set(readdirSync(ownTmp).filter((name) => /^ledger-[A-Za-z0-9]{6}$/.test(name)));
const made = (before: Set<string>) => [...ledgerDirs()].filter((name) => !before.has(name));

const TOO_SHORT_KEY = Buffer.from('too short').toString('base64');

it('removes the data directory it made when the app does not start', async () => {
  const before = ledgerDirs();
  await expect(startLedger({ signingKey: TOO_SHORT_KEY }, { tempRoot: ownTmp })).rejects.toThrow(
    'LEDGER_SIGNING_KEY must hold a base64 Ed25519 seed of 32 bytes',
  );
  expect(made(before)).toEqual([]);
});

it('removes it on close after a start, and keeps a directory it was given', async () => {
  const before = ledgerDirs();
  const ledger = await startLedger({}, { tempRoot: ownTmp });
  expect(made(before)).toHaveLength(1);
  await ledger.close();
  expect(made(before)).toEqual([]);
  const given = mkdtempSync(join(ownTmp, 'ledger-given-'));
  try {
    await expect(startLedger({ dataDir: given, signingKey: TOO_SHORT_KEY })).rejects.toThrow(
      'LEDGER_SIGNING_KEY must hold a base64 Ed25519 seed of 32 bytes',
    );
    expect(existsSync(given)).toBe(true);
  } finally {
    rmSync(given, { recursive: true, force: true });
  }
});

it("a start refused while the modules are made leaves none of the ledger's files open, then or later", async () => {
  // The key file is read once the event store and the Merkle tree's store are open, with their WAL files; the read
  // models may still be opening then.
  const given = mkdtempSync(join(ownTmp, 'ledger-given-'));
  try {
    writeFileSync(join(given, 'log-signing.key'), `${TOO_SHORT_KEY}\n`, { mode: 0o600 });
    await expect(startLedger({ dataDir: given })).rejects.toThrow('must hold a base64 Ed25519 seed of 32 bytes');
    expect(readdirSync(given)).toEqual(expect.arrayContaining(['events.sqlite', 'merkle.sqlite']));
    expect(openFilesUnder(given)).toEqual([]);
    expect(readdirSync(given)).not.toContain('log-mldsa.key'); // the second key is made after the first
    // Nothing opens again afterwards: a read-model database returned closed was initialised again by @nestjs/typeorm, and
    // one retried after its directory was removed made the directory again, three seconds later.
    await sleep(1000);
    expect(openFilesUnder(given)).toEqual([]);
    rmSync(given, { recursive: true, force: true });
    await sleep(3500);
    expect(existsSync(given)).toBe(false);
  } finally {
    rmSync(given, { recursive: true, force: true });
  }
});
