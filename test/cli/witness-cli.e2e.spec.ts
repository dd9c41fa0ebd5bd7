// `witness vkey` reads an existing key and never makes one (a mistyped path is not a new witness); `witness serve`
// makes its key when missing, and on a port already taken says so in one line, exit 1, having made nothing.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/server-process.js';
import { startWitnessProcess } from '../support/witness-process.js';
import { newSigner } from '../verifier/fixture.js';

const LOG_VKEY = newSigner().vkey;
let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'cli-witness-'));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('witness vkey', () => {
  it('refuses a key file that does not exist, in one line, and creates nothing', async () => {
    const key = join(work, 'typo.key');
    const run = await runCli(['witness', 'vkey', '--key', key], {});
    expect(run).toEqual({ code: 1, stdout: '', stderr: `sandbox-ledger: ${key}: no such key file (witness serve creates one)\n` });
    expect(existsSync(key)).toBe(false);
  });

  it('prints the vkey of the key witness serve made', async () => {
    const key = join(work, 'w1.key');
    const witness = await startWitnessProcess({ keyFile: key, dataDir: join(work, 'w1'), name: 'w1.example', logVkeys: [LOG_VKEY] });
    await witness.stop();
    const run = await runCli(['witness', 'vkey', '--key', key, '--name', 'w1.example'], {});
    expect(run).toEqual({ code: 0, stdout: `${witness.vkey}\n`, stderr: '' });
  });
});

describe('witness serve on a port already taken', () => {
  it('names the address in one line, exits 1, and makes neither the key file nor the data directory', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = taken.address() as { port: number };
      const key = join(work, 'w2.key');
      const dataDir = join(work, 'w2');
      const run = await runCli(['witness', 'serve', '--key', key, '--log', LOG_VKEY, '--port', String(port), '--data-dir', dataDir], {});
      expect(run).toEqual({
        code: 1,
        stdout: '',
        stderr: `sandbox-ledger: listen EADDRINUSE: address already in use 127.0.0.1:${port}\n`,
      });
      expect(existsSync(key)).toBe(false);
      expect(existsSync(dataDir)).toBe(false);
    } finally {
      taken.close();
    }
  });
});

describe('witness serve --port', () => {
  it.each(['1e3', '0x50', '', ' 80', '65536', '8080.0'])('refuses %j as a port, a usage error that makes nothing', async (port) => {
    const key = join(work, 'w3.key');
    const run = await runCli(['witness', 'serve', '--key', key, '--log', LOG_VKEY, '--port', port], {});
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`--port must be a TCP port (0 to 65535), not ${JSON.stringify(port)}`);
    expect(existsSync(key)).toBe(false);
  });
});
