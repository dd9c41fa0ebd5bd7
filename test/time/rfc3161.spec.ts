// RFC 3161 against a real TSA (`openssl ts -reply` behind a loopback endpoint): tokens verify with the verifier's portable
// code (pkijs over WebCrypto, no node: module), and nothing else does: no byte or bit of a token or of its CA changed.
import { execFile } from 'node:child_process';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { issueTsaCertificate, makeTsaCertificates, startOpensslTsa, type OpensslTsa } from '../../src/bench/openssl-tsa.js';
import { fetchTimestamp, newNonce, sha256 } from '../../src/timestamp/rfc3161.js';
import {
  checkCheckpointTimestamps,
  checkTrustAnchors,
  isDerEcdsaSignature,
  parsePemCertificates,
  signingCertificateProblem,
  TIMESTAMP_FAULT_CODES,
  TimestampError,
  timestampReason,
  verifyTimestampToken,
  type TimestampFaultCode,
} from '../../src/verifier/timestamp-token.js';

const run = promisify(execFile);

/** A DER value: its tag, its length (in long form past 127, as a P-521 signature needs) and its body. */
const tlv = (tag: number, body: Buffer) =>
  Buffer.concat([Buffer.from(body.length < 0x80 ? [tag, body.length] : [tag, 0x81, body.length]), body]);
/** An INTEGER with exactly the content octets given (hex), minimal or not. */
const derInt = (hex: string) => tlv(0x02, Buffer.from(hex, 'hex'));
const derSeq = (...parts: Buffer[]) => tlv(0x30, Buffer.concat(parts));
/** An unsigned big-endian value as the content octets of a minimal positive INTEGER (hex). */
function minimalHex(v: Buffer): string {
  let i = 0;
  while (i < v.length - 1 && v[i] === 0 && v[i + 1] < 0x80) i++;
  return (v[i] >= 0x80 ? '00' : '') + v.subarray(i).toString('hex');
}

/** Where the DER ECDSA signature that ends a token (its SignerInfo's last OCTET STRING) keeps r's last byte and s. */
function ecdsaSignatureAtEnd(token: Uint8Array): { rLast: number; sLength: number; sValue: number } {
  for (let n = 8; n < 0x80; n++) {
    const at = token.length - 2 - n;
    if (token[at] !== 0x04 || token[at + 1] !== n || token[at + 2] !== 0x30 || token[at + 3] !== n - 2 || token[at + 4] !== 0x02) continue;
    const rLength = token[at + 5];
    const sTag = at + 6 + rLength;
    if (token[sTag] !== 0x02 || sTag + 2 + token[sTag + 1] !== token.length) continue;
    return { rLast: token[sTag - 1], sLength: token[sTag + 1], sValue: sTag + 2 };
  }
  throw new Error('the token does not end with an ECDSA signature');
}

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

  it('refuses, with the portable verifier alone (WebCrypto), a token with one bit changed at every third byte, each bit in turn', async () => {
    // Node's global WebCrypto, as a browser in a secure context has it; no OpenSSL check behind it.
    expect(globalThis.crypto?.subtle).toBeDefined();
    const nonce = newNonce();
    const token = await fetchTimestamp(tsa.url, digest, nonce);
    const cas = parsePemCertificates(tsa.caPem);
    await expect(verifyTimestampToken(token, message, cas, nonce)).resolves.toMatchObject({ authority: 'CN=Test TSA' });
    const accepted: string[] = [];
    // Each refusal says why as data, its message worded from it: nothing refused is left without a code.
    const unworded: string[] = [];
    const codes = new Set<string>();
    for (let at = 0, n = 0; at < token.length; at += 3, n++) {
      const altered = token.slice();
      altered[at] ^= 1 << (n % 8); // bit 5 turns a letter's case, which a loose name comparison would miss
      if (
        await verifyTimestampToken(altered, message, cas, nonce).then(
          () => true,
          (err: unknown) => {
            const fault = err instanceof TimestampError ? err.fault : null;
            if (fault === null || (err as Error).message !== timestampReason(fault)) unworded.push(String(err));
            else codes.add(fault.code === 'malformed' ? `malformed/${fault.token.problem}` : fault.code);
            return false;
          },
        )
      )
        accepted.push(`${at}^${1 << (n % 8)}`);
    }
    expect(accepted).toEqual([]);
    expect(unworded).toEqual([]);
    expect([...codes].every((c) => TIMESTAMP_FAULT_CODES.includes(c.split('/')[0] as TimestampFaultCode))).toBe(true);
    expect(codes.has('chain') && codes.has('imprint')).toBe(true);
  }, 300_000);

  it("refuses a token whose signer's name differs from its certificate's in case only", async () => {
    const nonce = newNonce();
    const token = await fetchTimestamp(tsa.url, digest, nonce);
    const cas = parsePemCertificates(tsa.caPem);
    // The last "Test TSA Root CA" in the token is the issuer named by the SignerInfo's sid, outside what is signed.
    const name = Buffer.from('Test TSA Root CA');
    const at = Buffer.from(token).lastIndexOf(name);
    expect(at).toBeGreaterThan(0);
    const altered = token.slice();
    altered[at] ^= 0x20; // "test TSA Root CA"
    await expect(verifyTimestampToken(altered, message, cas, nonce)).rejects.toMatchObject({
      message: expect.stringMatching(/not named exactly/),
      fault: { code: 'signer-name' },
    });
  });

  it('takes an ECDSA signature only as one DER SEQUENCE of two minimal positive INTEGERs of the curve size at most', () => {
    const der = (sig: Buffer) => isDerEcdsaSignature(sig, 32);
    const r = '7f'.repeat(32);
    const highR = `00${'80'.repeat(32)}`;
    expect(der(derSeq(derInt(r), derInt(highR)))).toBe(true);
    // A leading zero that is not needed, a negative value, zero, a long-form length, bytes after it, a SET, three values.
    expect(der(derSeq(derInt(`00${r}`), derInt(r)))).toBe(false);
    expect(der(derSeq(derInt('80'.repeat(32)), derInt(r)))).toBe(false);
    expect(der(derSeq(derInt('00'), derInt(r)))).toBe(false);
    expect(der(Buffer.concat([Buffer.from('308144', 'hex'), derInt(r), derInt(r)]))).toBe(false);
    expect(der(Buffer.concat([derSeq(derInt(r), derInt(r)), Buffer.from([0])]))).toBe(false);
    const set = derSeq(derInt(r), derInt(r));
    set[0] = 0x31;
    expect(der(set)).toBe(false);
    expect(der(derSeq(derInt(r), derInt(r), derInt(r)))).toBe(false);
    // Longer than the curve: a high s whose needed leading zero became 01 (2^256 + s), which pkijs would write over
    // the last byte of r; the same for r; a key whose curve is not known.
    expect(der(derSeq(derInt(r), derInt(`01${'c6'.repeat(32)}`)))).toBe(false);
    expect(der(derSeq(derInt(`01${'c6'.repeat(32)}`), derInt(r)))).toBe(false);
    expect(isDerEcdsaSignature(derSeq(derInt(r), derInt(r)), null)).toBe(false);
  });

  it.each([
    ['P-256', 32],
    ['P-384', 48],
    ['P-521', 66],
  ] as const)('on %s, a real signature is taken, and the same with a byte before s is not', (namedCurve, size) => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve });
    // r‖s of fixed size, then each as a minimal positive DER INTEGER.
    const raw = sign('sha256', message, { key: privateKey, dsaEncoding: 'ieee-p1363' });
    const [r, s] = [raw.subarray(0, size), raw.subarray(size)];
    expect(isDerEcdsaSignature(derSeq(derInt(minimalHex(r)), derInt(minimalHex(s))), size)).toBe(true);
    const prefixed = Buffer.concat([Buffer.from([0x01]), s]); // 2^(8·size) + s: one byte more than the curve
    expect(isDerEcdsaSignature(derSeq(derInt(minimalHex(r)), derInt(minimalHex(prefixed))), size)).toBe(false);
  });

  it("refuses a token whose signature's s gained a leading byte, which pkijs would write over r's last byte", async () => {
    const cas = parsePemCertificates(tsa.caPem);
    // pkijs writes a 33-byte s over the last byte of r: with that byte equal to r's last one, the signature would still
    // verify. A real TSA signature with a high s (a needed leading 00) and r's last byte in 01..7f is looked for.
    for (let tries = 0; tries < 60; tries++) {
      const nonce = newNonce();
      const token = await fetchTimestamp(tsa.url, digest, nonce);
      const sig = ecdsaSignatureAtEnd(token);
      if (sig.sLength !== 33 || sig.rLast < 1 || sig.rLast > 0x7f) continue;
      await expect(verifyTimestampToken(token, message, cas, nonce)).resolves.toBeDefined();
      const altered = token.slice();
      altered[sig.sValue] = sig.rLast; // s becomes rLast·2^256 + s, above the curve order
      await expect(verifyTimestampToken(altered, message, cas, nonce)).rejects.toMatchObject({
        message: expect.stringMatching(/not a DER signature/),
        fault: { code: 'signature-not-der' },
      });
      return;
    }
    throw new Error('no token with a high s and r ending in 01..7f in 60');
  });

  it('refuses a token that carries a revocation list, which nothing would check', async () => {
    const dir = join(work, 'crl');
    mkdirSync(dir);
    // A CA of its own (made as the test TSAs' are), whose key signs the CRL.
    await makeTsaCertificates(dir, 'CRL issuer');
    const openssl = (...args: string[]) => run('openssl', args, { cwd: dir });
    writeFileSync(join(dir, 'index.txt'), '');
    writeFileSync(join(dir, 'ca.cnf'), '[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\ndefault_md=sha256\ndefault_crl_days=1\n');
    await openssl('ca', '-gencrl', '-config', 'ca.cnf', '-keyfile', 'ca.key', '-cert', 'ca.crt', '-out', 'crl.pem');
    await openssl('crl', '-in', 'crl.pem', '-outform', 'DER', '-out', 'crl.der');
    const nonce = newNonce();
    const token = await fetchTimestamp(tsa.url, digest, nonce);
    const cas = parsePemCertificates(tsa.caPem);
    // The CRL added to the token's SignedData, outside what the signer signed: re-encoded, the token is DER again.
    const signed = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(new Uint8Array(token)).content });
    signed.crls = [pkijs.CertificateRevocationList.fromBER(readFileSync(join(dir, 'crl.der')))];
    const content = new pkijs.ContentInfo({ contentType: pkijs.ContentInfo.SIGNED_DATA, content: signed.toSchema(true) });
    const withCrl = new Uint8Array(content.toSchema().toBER());
    await expect(verifyTimestampToken(token, message, cas, nonce)).resolves.toBeDefined();
    await expect(verifyTimestampToken(withCrl, message, cas, nonce)).rejects.toMatchObject({
      message: expect.stringMatching(/carries revocation lists/),
      fault: { code: 'malformed', token: { problem: 'crls' } },
    });
  });

  it('refuses a token whose signer certificate is swapped for another of the same key, or that does not sign which is its own', async () => {
    const dir = join(work, 'ess');
    mkdirSync(dir);
    await makeTsaCertificates(dir, 'ESS TSA');
    const openssl = (...args: string[]) => run('openssl', args, { cwd: dir });
    const cas = parsePemCertificates(readFileSync(join(dir, 'ca.crt'), 'utf8'));
    await openssl('ts', '-query', '-digest', Buffer.from(digest).toString('hex'), '-sha256', '-cert', '-no_nonce', '-out', 'q.tsq');
    // A second certificate for the TSA's key, from the same CA, with the same extensions (another serial number).
    await issueTsaCertificate(dir, 'tsa2.crt');
    const [second] = parsePemCertificates(readFileSync(join(dir, 'tsa2.crt'), 'utf8'));
    const config = readFileSync(join(dir, 'tsa.cnf'), 'utf8');
    const der = (c: pkijs.Certificate) => Buffer.from(c.toSchema().toBER());
    // ESSCertIDv2 by SHA-256 (RFC 5816) and ESSCertID by SHA-1 (RFC 3161), as openssl's ess_cert_id_alg makes them.
    for (const alg of ['sha256', 'sha1']) {
      writeFileSync(join(dir, `tsa-${alg}.cnf`), config.replace('ess_cert_id_alg = sha256', `ess_cert_id_alg = ${alg}`));
      await openssl(
        'ts',
        '-reply',
        '-config',
        `tsa-${alg}.cnf`,
        '-section',
        'tsa_config',
        '-queryfile',
        'q.tsq',
        '-token_out',
        '-out',
        `t-${alg}.der`,
      );
      const token = new Uint8Array(readFileSync(join(dir, `t-${alg}.der`)));
      await expect(verifyTimestampToken(token, message, cas)).resolves.toMatchObject({ authority: 'CN=ESS TSA' });
      const signed = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(token).content });
      const signerInfo = signed.signerInfos[0];
      const attribute = signerInfo.signedAttrs!.attributes.find((a) => a.type.startsWith('1.2.840.113549.1.9.16.2.'))!;
      expect(attribute.type).toBe(alg === 'sha1' ? '1.2.840.113549.1.9.16.2.12' : '1.2.840.113549.1.9.16.2.47');
      // The signer's certificate replaced by the second one, and the (unsigned) sid made to name it: the signature over
      // the signed attributes still verifies with the same key, and the second certificate chains to the same CA.
      const sid = signerInfo.sid as pkijs.IssuerAndSerialNumber;
      const at = signed.certificates!.findIndex((c) => c instanceof pkijs.Certificate && c.serialNumber.isEqual(sid.serialNumber));
      expect(at).toBeGreaterThanOrEqual(0);
      expect(der(signed.certificates![at] as pkijs.Certificate).equals(der(second))).toBe(false);
      signed.certificates![at] = second;
      sid.serialNumber = second.serialNumber;
      const swapped = new Uint8Array(
        new pkijs.ContentInfo({ contentType: pkijs.ContentInfo.SIGNED_DATA, content: signed.toSchema(true) }).toSchema().toBER(),
      );
      await expect(verifyTimestampToken(swapped, message, cas)).rejects.toThrow(
        /not the one it signed: its signingCertificate(V2)? attribute names another certificate/,
      );
    }
    // The same TSTInfo signed by the TSA's key with CMS's usual signed attributes only (content type, signing time,
    // message digest): a SignedData that names no signing certificate.
    const token = new Uint8Array(readFileSync(join(dir, 't-sha256.der')));
    const eContent = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(token).content }).encapContentInfo.eContent!;
    writeFileSync(join(dir, 'tstinfo.der'), Buffer.from(eContent.getValue()));
    await openssl(
      'cms',
      '-sign',
      '-binary',
      '-nodetach',
      '-nosmimecap',
      '-md',
      'sha256',
      '-econtent_type',
      '1.2.840.113549.1.9.16.1.4',
      '-in',
      'tstinfo.der',
      '-signer',
      'tsa.crt',
      '-inkey',
      'tsa.key',
      '-certfile',
      'ca.crt',
      '-outform',
      'DER',
      '-out',
      'plain.der',
    );
    const plain = new Uint8Array(readFileSync(join(dir, 'plain.der')));
    await expect(verifyTimestampToken(plain, message, cas)).rejects.toMatchObject({
      message: expect.stringMatching(/no ESS signingCertificate attribute/),
      fault: { code: 'signing-certificate', ess: { problem: 'none' } },
    });
  });

  it('reads the ESS attributes strictly: the hash they name, issuer and serial, and malformed ones refused without throwing', async () => {
    const dir = join(work, 'ess-attributes');
    mkdirSync(dir);
    await makeTsaCertificates(dir, 'ESS attributes TSA');
    const [cert] = parsePemCertificates(readFileSync(join(dir, 'tsa.crt'), 'utf8'));
    const der = Buffer.from(cert.toSchema().toBER());
    const digest = (alg: string) => createHash(alg).update(der).digest();
    const octets = (b: Buffer) => new asn1js.OctetString({ valueHex: new Uint8Array(b).buffer });
    const alg = (oid: string) => new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: oid })] });
    const issuerSerial = (serial: asn1js.Integer) =>
      new pkijs.IssuerSerial({
        issuer: new pkijs.GeneralNames({ names: [new pkijs.GeneralName({ type: 4, value: cert.issuer })] }),
        serialNumber: serial,
      }).toSchema();
    // SigningCertificate(V2) ::= SEQUENCE { certs SEQUENCE OF ESSCertID(v2) }, its first ESSCertID made of `fields`.
    const attribute = (v2: boolean, ...fields: asn1js.AsnType[]) =>
      new pkijs.Attribute({
        type: v2 ? '1.2.840.113549.1.9.16.2.47' : '1.2.840.113549.1.9.16.2.12',
        values: [new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [new asn1js.Sequence({ value: fields })] })] })],
      });
    const problem = (...attributes: pkijs.Attribute[]) =>
      signingCertificateProblem(
        new pkijs.SignerInfo({ signedAttrs: new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes }) }),
        cert,
      );

    expect(problem(attribute(true, octets(digest('sha256'))))).toBeNull();
    expect(problem(attribute(true, alg('2.16.840.1.101.3.4.2.2'), octets(digest('sha384'))))).toBeNull();
    expect(problem(attribute(true, octets(digest('sha256')), issuerSerial(cert.serialNumber)))).toBeNull();
    expect(problem(attribute(false, octets(digest('sha1')), issuerSerial(cert.serialNumber)))).toBeNull();
    expect(problem()).toMatch(/no ESS signingCertificate attribute/);
    // The hash named but another one given; another serial number; SHA-1 in a v2 named as its default SHA-256.
    expect(problem(attribute(true, alg('2.16.840.1.101.3.4.2.2'), octets(digest('sha256'))))).toMatch(/names another certificate/);
    expect(problem(attribute(true, octets(digest('sha256')), issuerSerial(new asn1js.Integer({ value: 7 }))))).toMatch(
      /another issuer or serial number/,
    );
    expect(problem(attribute(true, octets(digest('sha1'))))).toMatch(/names another certificate/);
    // Every ESS attribute must name the signer: a right v1 beside a wrong v2 is refused.
    expect(problem(attribute(false, octets(digest('sha1'))), attribute(true, octets(digest('sha1'))))).toMatch(/signingCertificateV2/);
    // Malformed: an empty or non-algorithm SEQUENCE where v2 names its hash, no hash at all, an unknown hash, a field too many.
    for (const fields of [
      [new asn1js.Sequence(), octets(digest('sha256'))],
      [new asn1js.Sequence({ value: [new asn1js.Integer({ value: 1 })] }), octets(digest('sha256'))],
      [],
      [alg('1.2.3.4'), octets(digest('sha256'))],
      [octets(digest('sha256')), issuerSerial(cert.serialNumber), new asn1js.Null()],
    ]) {
      expect(() => problem(attribute(true, ...fields))).not.toThrow();
      expect(problem(attribute(true, ...fields))).toMatch(/malformed/);
    }
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
