// RFC 3161 against a real TSA (`openssl ts -reply` behind a loopback endpoint): tokens verify, and nothing else does.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startOpensslTsa, type OpensslTsa } from '../../src/bench/openssl-tsa.js';
import {
  checkCheckpointTimestamps,
  checkTrustAnchors,
  fetchTimestamp,
  newNonce,
  parsePemCertificates,
  sha256,
  TimestampError,
  verifyTimestampToken,
} from '../../src/timestamp/rfc3161.js';

const run = promisify(execFile);

describe('RFC 3161 time-stamps from an openssl TSA', () => {
  let tsa: OpensslTsa;
  let other: OpensslTsa;
  const work = mkdtempSync(join(tmpdir(), 'ledger-rfc3161-'));
  beforeAll(async () => {
    [tsa, other] = await Promise.all([startOpensslTsa('Test TSA'), startOpensslTsa('Other TSA')]);
  });
  afterAll(async () => {
    await Promise.all([tsa.close(), other.close()]);
    rmSync(work, { recursive: true, force: true });
  });

  const message = new TextEncoder().encode('example.test/log\n5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\ntime 1767225600\n');
  const digest = sha256(message);

  it('obtains a token that verifies (signature, chain, imprint, nonce) and that openssl ts -verify accepts', async () => {
    const nonce = newNonce();
    const before = Math.floor(Date.now() / 1000);
    const token = await fetchTimestamp(tsa.url, digest, nonce);
    const verified = await verifyTimestampToken(token, message, parsePemCertificates(tsa.caPem), nonce);
    expect(verified.authority).toBe('CN=Test TSA');
    expect(verified.time).toBeGreaterThanOrEqual(before);
    expect(verified.time).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    const file = join(work, 'token.der');
    writeFileSync(file, token);
    const { stdout } = await run('openssl', [
      'ts',
      '-verify',
      '-in',
      file,
      '-token_in',
      '-digest',
      Buffer.from(digest).toString('hex'),
      '-CAfile',
      tsa.caFile,
    ]);
    expect(stdout).toMatch(/Verification: OK/);
  });

  it('refuses a token over another digest, with another nonce, from a TSA under another CA, or altered', async () => {
    const nonce = newNonce();
    const token = await fetchTimestamp(tsa.url, digest, nonce);
    const cas = parsePemCertificates(tsa.caPem);
    await expect(verifyTimestampToken(token, new TextEncoder().encode('other'), cas, nonce)).rejects.toThrow(/another digest/);
    await expect(verifyTimestampToken(token, message, cas, newNonce())).rejects.toThrow(/nonce/);
    await expect(verifyTimestampToken(token, message, parsePemCertificates(other.caPem), nonce)).rejects.toThrow(TimestampError);
    const accepted: number[] = [];
    for (let at = 0; at < token.length; at += 11) {
      const altered = token.slice();
      altered[at] ^= 0x01;
      if (
        !(await verifyTimestampToken(altered, message, cas, nonce).then(
          () => false,
          () => true,
        ))
      )
        accepted.push(at);
    }
    expect(accepted).toEqual([]);
  });

  it('checks that a CA given as trust anchor is intact', async () => {
    const cas = parsePemCertificates(tsa.caPem);
    await expect(checkTrustAnchors(cas)).resolves.toBeUndefined();
    expect(() => parsePemCertificates(tsa.caPem.replace(/\n([A-Za-z0-9+/])/, '\n!'))).toThrow(/base64/);
  });

  it('refuses a token or a CA certificate, as base64 text, with any one character changed', async () => {
    const token = Buffer.from(await fetchTimestamp(tsa.url, sha256(message), newNonce())).toString('base64');
    const note = `${new TextDecoder().decode(message)}\n\u2014 x AAAAAAA=\n`;
    const passes = async (tokenText: string, pem: string) => {
      try {
        const cas = parsePemCertificates(pem);
        await checkTrustAnchors(cas);
        await checkCheckpointTimestamps(note, [{ token: tokenText }], cas);
        return true;
      } catch {
        return false;
      }
    };
    expect(await passes(token, tsa.caPem)).toBe(true);
    const changed = (text: string, at: number) => text.slice(0, at) + String.fromCharCode(text.charCodeAt(at) ^ 1) + text.slice(at + 1);
    const survivors: string[] = [];
    for (let at = 0; at < token.length; at += 7) if (await passes(changed(token, at), tsa.caPem)) survivors.push(`token ${at}`);
    for (let at = 0; at < tsa.caPem.length; at += 5) if (await passes(token, changed(tsa.caPem, at))) survivors.push(`CA ${at}`);
    expect(survivors).toEqual([]);
  });

  it('reports a TSA that fails', async () => {
    other.mode = 'fail';
    await expect(fetchTimestamp(other.url, digest, newNonce())).rejects.toThrow(/HTTP 503/);
    other.mode = 'hang';
    await expect(fetchTimestamp(other.url, digest, newNonce(), 200)).rejects.toThrow();
    other.mode = 'ok';
  });
});
