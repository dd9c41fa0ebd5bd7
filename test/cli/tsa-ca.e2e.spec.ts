// `--tsa-ca` (the compiled CLI): a CA certificate the verifier cannot check is named with its signature algorithm, not
// called a bad self-signature; one it can check is taken. The certificates are made by `openssl` here.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { makeTsaCertificates } from '../../src/bench/openssl-tsa.js';
import { runCli } from '../support/server-process.js';

const run = promisify(execFile);

let work: string;
beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'cli-tsa-ca-'));
  await makeTsaCertificates(work); // ca.crt: a P-256 CA
  await run(
    'openssl',
    ['req', '-x509', '-newkey', 'ed25519', '-nodes', '-keyout', 'ed25519.key', '-out', 'ed25519.crt', '-days', '30'].concat([
      '-subj',
      '/CN=Ed25519 Root CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
    ]),
    { cwd: work },
  );
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('--tsa-ca', () => {
  it('names the signature algorithm of a CA certificate it cannot check, with the file, for verify-evidence and verify', async () => {
    const ca = join(work, 'ed25519.crt');
    const why =
      `--tsa-ca ${ca}: the CA certificate CN=Ed25519 Root CA is signed with Ed25519 (1.3.101.112), ` +
      'which the verifier does not support (it checks RSA and ECDSA signatures)';
    const bundle = join(work, 'bundle.json'); // not read: the options are checked first
    expect(await runCli(['verify-evidence', bundle, '--tsa-ca', ca], {})).toEqual({
      code: 1,
      stdout: '',
      stderr: `sandbox-ledger: ${why}\n`,
    });
    const verify = ['verify', '--export', join(work, 'log.ndjson'), '--checkpoint', join(work, 'checkpoint'), '--vkey', 'a+b+c'];
    expect(await runCli([...verify, '--tsa-ca', ca], {})).toEqual({ code: 1, stdout: '', stderr: `sandbox-ledger: ${why}\n` });
  });

  it('takes a CA certificate signed with ECDSA, and goes on to the bundle', async () => {
    const bundle = join(work, 'bundle.json');
    expect(await runCli(['verify-evidence', bundle, '--tsa-ca', join(work, 'ca.crt')], {})).toEqual({
      code: 1,
      stdout: '',
      stderr: `sandbox-ledger: ${bundle}: no such file\n`,
    });
  });
});
