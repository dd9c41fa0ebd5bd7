// RFC 3161 time-stamps over checkpoints: the request, the HTTP exchange with a Time-Stamp Authority, and the full
// verification of a token (CMS signature, chain to a trusted CA, timeStamping key purpose, message imprint, nonce).
import { createHash, randomBytes, verify as verifySignature, webcrypto, X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { parseCheckpoint } from '../verifier/checkpoint.js';
import { base64Decode, parseNote } from '../verifier/note.js';

pkijs.setEngine(
  'node',
  new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as unknown as ConstructorParameters<typeof pkijs.CryptoEngine>[0]['crypto'] }),
);

const SHA256_OID = '2.16.840.1.101.3.4.2.1';
const TST_INFO_OID = '1.2.840.113549.1.9.16.1.4';
const EXT_KEY_USAGE_OID = '2.5.29.37';
const TIME_STAMPING_OID = '1.3.6.1.5.5.7.3.8';
const NAME_OIDS: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
};

/** A token that is not what it claims: named, so callers can log and count it. */
export class TimestampError extends Error {
  readonly name = 'TimestampError';
}

export interface VerifiedTimestamp {
  /** genTime in unix seconds (rounded down). */
  time: number;
  genTime: Date;
  /** The TSA certificate's subject, e.g. `CN=Example TSA,O=Example`. */
  authority: string;
  serialNumber: string;
  policy: string;
}

/** The bytes a checkpoint's time-stamp is over: its note text (origin, size, root and extension lines), without signatures. */
export function checkpointMessage(note: string): Uint8Array {
  const parsed = parseNote(note);
  if (!parsed.ok) throw new TimestampError(parsed.reason);
  return new TextEncoder().encode(parsed.text);
}

/** A token as a checkpoint carries it: base64 DER, with the time the log recorded for it. */
export interface CarriedTimestamp {
  token: string;
  time?: number;
}

/**
 * Verifies each token over the checkpoint `note` against `trustedCas`: not before the checkpoint's own time, and at the
 * time stated beside it, if any. Returns who stamped it when; throws TimestampError naming the first that fails.
 */
export async function checkCheckpointTimestamps(
  note: string,
  tokens: readonly CarriedTimestamp[],
  trustedCas: pkijs.Certificate[],
): Promise<VerifiedTimestamp[]> {
  const message = checkpointMessage(note);
  const checkpointTime = parseCheckpoint(new TextDecoder().decode(message)).time;
  const out: VerifiedTimestamp[] = [];
  for (const [i, carried] of tokens.entries()) {
    let der: Uint8Array;
    try {
      der = base64Decode(carried.token);
    } catch {
      throw new TimestampError(`time-stamp ${i + 1} is not base64`);
    }
    const verified = await verifyTimestampToken(der, message, trustedCas).catch((err: Error) => {
      throw new TimestampError(`time-stamp ${i + 1}: ${err.message}`);
    });
    if (checkpointTime !== undefined && verified.time < checkpointTime) {
      throw new TimestampError(
        `time-stamp ${i + 1} by ${verified.authority} is at ${verified.time}, before the checkpoint's time ${checkpointTime}`,
      );
    }
    if (carried.time !== undefined && carried.time !== verified.time)
      throw new TimestampError(`time-stamp ${i + 1} is listed at ${carried.time} but its token says ${verified.time}`);
    out.push(verified);
  }
  return out;
}

export const sha256 = (data: Uint8Array | string): Uint8Array => new Uint8Array(createHash('sha256').update(data).digest());

// A copy: a Buffer may be a view into a larger pool, and slice() on a Buffer shares its memory.
const toArrayBuffer = (bytes: Uint8Array): ArrayBuffer => new Uint8Array(bytes).buffer;

/** A random positive nonce of 8 bytes whose DER encoding is minimal. */
export function newNonce(): Uint8Array {
  const nonce = randomBytes(8);
  nonce[0] = (nonce[0] & 0x7f) | 0x01;
  return new Uint8Array(nonce);
}

/** A DER TimeStampReq for a SHA-256 digest, asking for the TSA certificate in the token. */
export function timestampRequest(digest: Uint8Array, nonce: Uint8Array): Uint8Array {
  if (digest.length !== 32) throw new RangeError('a SHA-256 digest is 32 bytes');
  const request = new pkijs.TimeStampReq({
    version: 1,
    messageImprint: new pkijs.MessageImprint({
      hashAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: SHA256_OID }),
      hashedMessage: new asn1js.OctetString({ valueHex: toArrayBuffer(digest) }),
    }),
    nonce: new asn1js.Integer({ valueHex: toArrayBuffer(nonce) }),
    certReq: true,
  });
  return new Uint8Array(request.toSchema().toBER());
}

/** The TimeStampToken inside a TimeStampResp, byte for byte as the TSA encoded it; throws unless the status grants it. */
export function tokenFromResponse(response: Uint8Array): Uint8Array {
  const parsed = asn1js.fromBER(toArrayBuffer(response));
  if (parsed.offset === -1 || !(parsed.result instanceof asn1js.Sequence)) throw new TimestampError('the TSA response is not DER');
  const resp = new pkijs.TimeStampResp({ schema: parsed.result });
  if (resp.status.status !== pkijs.PKIStatus.granted && resp.status.status !== pkijs.PKIStatus.grantedWithMods) {
    const text = resp.status.statusStrings?.map((s) => s.valueBlock.value).join('; ') ?? '';
    throw new TimestampError(`the TSA refused the request (status ${resp.status.status}${text ? `: ${text}` : ''})`);
  }
  const token = parsed.result.valueBlock.value[1];
  if (!token) throw new TimestampError('the TSA response holds no token');
  return new Uint8Array(token.valueBeforeDecodeView);
}

/** Sends one request to a TSA (RFC 3161 §3.4, HTTP) and returns the token, unverified. */
export async function fetchTimestamp(url: string, digest: Uint8Array, nonce: Uint8Array, timeoutMs = 10_000): Promise<Uint8Array> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/timestamp-query' },
    body: Buffer.from(timestampRequest(digest, nonce)),
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!res.ok) throw new TimestampError(`${url} answered HTTP ${res.status}`);
  return tokenFromResponse(new Uint8Array(await res.arrayBuffer()));
}

/** The certificates of a PEM text (every CERTIFICATE block); strict base64, so a changed character is never skipped. */
export function parsePemCertificates(pem: string): pkijs.Certificate[] {
  const blocks = [...pem.matchAll(/-----BEGIN CERTIFICATE-----\r?\n([\s\S]*?)-----END CERTIFICATE-----/g)];
  if (blocks.length === 0) throw new TimestampError('no CERTIFICATE in the PEM text');
  // Nothing but the blocks and line breaks: a changed character anywhere is refused, not skipped.
  const rest = blocks.reduce((left, [block]) => left.replace(block, ''), pem);
  if (!/^[\r\n]*$/.test(rest)) throw new TimestampError('the PEM text holds more than certificates');
  return blocks.map(([, body]) => {
    const b64 = body.replace(/\r?\n/g, '');
    if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(b64))
      throw new TimestampError('a PEM certificate is not base64');
    const der = Buffer.from(b64, 'base64');
    if (der.toString('base64') !== b64) throw new TimestampError('a PEM certificate is not canonical base64');
    let cert: pkijs.Certificate;
    try {
      cert = pkijs.Certificate.fromBER(toArrayBuffer(new Uint8Array(der)));
    } catch (err) {
      throw new TimestampError(`a PEM certificate does not parse: ${(err as Error).message}`);
    }
    if (!bytesEqual(derOf(cert), new Uint8Array(der))) throw new TimestampError('a PEM certificate is not in canonical DER');
    return cert;
  });
}

/** A certificate's DER, as it was parsed. */
const derOf = (cert: pkijs.Certificate) => new Uint8Array(cert.toSchema().toBER());

/** `cert` is signed by `issuer`'s key, checked by OpenSSL, which takes only DER signatures and matching algorithm fields. */
function strictlySignedBy(cert: pkijs.Certificate, issuer: pkijs.Certificate): boolean {
  try {
    return new X509Certificate(derOf(cert)).verify(new X509Certificate(derOf(issuer)).publicKey);
  } catch {
    return false;
  }
}

const DIGESTS: Record<string, string> = { [SHA256_OID]: 'sha256', '2.16.840.1.101.3.4.2.2': 'sha384', '2.16.840.1.101.3.4.2.3': 'sha512' };
const ECDSA_OID = /^1\.2\.840\.10045\.4\.3\.[1-4]$/;

/** Parameters a digest or signature algorithm may carry: none, or NULL (PKCS #1 v1.5); anything else is unsigned room. */
const plainParams = (a: pkijs.AlgorithmIdentifier, nullAllowed: boolean) =>
  a.algorithmParams === undefined || (nullAllowed && a.algorithmParams instanceof asn1js.Null);

/** Trust anchors must at least be intact: each a CA whose own signature over itself verifies. */
export async function checkTrustAnchors(cas: pkijs.Certificate[]): Promise<void> {
  for (const ca of cas) {
    let ok = false;
    try {
      ok = await ca.verify();
    } catch {
      /* a malformed key or signature is a failed check */
    }
    if (!ok || !strictlySignedBy(ca, ca)) throw new TimestampError(`the CA certificate ${subjectOf(ca)} is not validly self-signed`);
  }
}

export function subjectOf(cert: pkijs.Certificate): string {
  return cert.subject.typesAndValues
    .map((tv) => `${NAME_OIDS[tv.type] ?? tv.type}=${String((tv.value.valueBlock as { value?: unknown }).value ?? '')}`)
    .join(',');
}

const bytesEqual = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Verifies a TimeStampToken (DER ContentInfo) over `message`: the CMS signature, the signer's chain to one of `trustedCas`
 * at genTime, its critical timeStamping key purpose, the SHA-256 message imprint, and the nonce when one is given.
 */
export async function verifyTimestampToken(
  token: Uint8Array,
  message: Uint8Array,
  trustedCas: pkijs.Certificate[],
  nonce?: Uint8Array,
): Promise<VerifiedTimestamp> {
  const digest = sha256(message);
  let signed: pkijs.SignedData;
  let info: pkijs.TSTInfo;
  try {
    // The whole token is one encoding: a changed length that leaves bytes over (or missing) is refused.
    const whole = asn1js.fromBER(toArrayBuffer(token));
    if (whole.offset !== token.length || whole.result.error) throw new Error('not exactly one DER value');
    const content = new pkijs.ContentInfo({ schema: whole.result });
    if (content.contentType !== pkijs.ContentInfo.SIGNED_DATA) throw new Error('not CMS SignedData');
    signed = new pkijs.SignedData({ schema: content.content });
    if (signed.encapContentInfo.eContentType !== TST_INFO_OID) throw new Error('the signed content is not a TSTInfo');
    const eContent = signed.encapContentInfo.eContent;
    if (!eContent) throw new Error('no TSTInfo');
    info = pkijs.TSTInfo.fromBER(eContent.getValue());
    if (signed.signerInfos.length !== 1) throw new Error('a token has exactly one signer');
    // RFC 5652: version 3 for content other than id-data; a signer named by issuer and serial is version 1, by key ID 3.
    const signerInfo = signed.signerInfos[0];
    if (signed.version !== 3) throw new Error(`SignedData version ${signed.version} is not 3`);
    if (signerInfo.version !== (signerInfo.sid instanceof pkijs.IssuerAndSerialNumber ? 1 : 3))
      throw new Error('SignerInfo version does not fit its sid');
    // What was parsed encodes back to the very bytes given: nothing in the token was skipped over.
    const again = new pkijs.ContentInfo({ contentType: content.contentType, content: signed.toSchema(true) }).toSchema().toBER();
    if (!bytesEqual(new Uint8Array(again), token)) throw new Error('not in canonical DER');
    const digestOid = signerInfo.digestAlgorithm.algorithmId;
    if (!signed.digestAlgorithms.every((a) => a.algorithmId === digestOid))
      throw new Error('digestAlgorithms name another digest than the signer');
    const ecdsa = ECDSA_OID.test(signerInfo.signatureAlgorithm.algorithmId);
    const digests = [...signed.digestAlgorithms, signerInfo.digestAlgorithm];
    if (!digests.every((a) => plainParams(a, true)) || !plainParams(signerInfo.signatureAlgorithm, !ecdsa)) {
      throw new Error('an algorithm identifier carries unexpected parameters');
    }
  } catch (err) {
    throw new TimestampError(`malformed time-stamp token: ${(err as Error).message}`);
  }
  if (info.messageImprint.hashAlgorithm.algorithmId !== SHA256_OID) throw new TimestampError('the token does not imprint a SHA-256 digest');
  if (!bytesEqual(new Uint8Array(info.messageImprint.hashedMessage.valueBlock.valueHexView), digest)) {
    throw new TimestampError('the token is over another digest than the checkpoint');
  }
  if (nonce && !(info.nonce && bytesEqual(new Uint8Array(info.nonce.valueBlock.valueHexView), nonce))) {
    throw new TimestampError('the token does not carry the nonce of the request');
  }
  let result: pkijs.SignedDataVerifyResult;
  try {
    result = await signed.verify({
      signer: 0,
      data: toArrayBuffer(message),
      trustedCerts: trustedCas,
      checkChain: true,
      checkDate: info.genTime,
      extendedMode: true,
    });
  } catch (err) {
    const message = (err as { message?: string }).message ?? String(err);
    throw new TimestampError(`the token's signature or certificate chain does not verify: ${message}`);
  }
  if (!result.signatureVerified || !result.signerCertificateVerified || !result.signerCertificate) {
    throw new TimestampError(`the token's signature or certificate chain does not verify: ${result.message}`);
  }
  // Again with OpenSSL, which takes only DER signatures: each link of the chain, and the signer's signature over the
  // signed attributes (a lenient parse could otherwise let a changed byte of a signature pass).
  const path = result.certificatePath;
  for (let i = 0; i + 1 < path.length; i++) {
    if (!strictlySignedBy(path[i], path[i + 1]))
      throw new TimestampError("a certificate of the token's chain is not signed in DER by its issuer");
  }
  const signerInfo = signed.signerInfos[0];
  const hash = DIGESTS[signerInfo.digestAlgorithm.algorithmId];
  const attrs = signerInfo.signedAttrs?.encodedValue;
  if (!hash || !attrs) throw new TimestampError("the token's signer uses no signed attributes or an unknown digest");
  const signedAttrs = new Uint8Array(attrs).slice();
  signedAttrs[0] = 0x31; // signed as a SET OF, stored as [0] IMPLICIT
  let strict = false;
  try {
    const key = new X509Certificate(derOf(result.signerCertificate)).publicKey;
    strict = verifySignature(hash, signedAttrs, key, new Uint8Array(signerInfo.signature.valueBlock.valueHexView));
  } catch {
    /* a malformed key or signature is a failed check */
  }
  if (!strict) throw new TimestampError("the token's signature is not a DER signature over its signed attributes");
  // Every certificate the token carries is on the verified path: nothing in it goes unchecked.
  const onPath = result.certificatePath.map((c) => Buffer.from(c.toSchema().toBER()).toString('hex'));
  for (const cert of signed.certificates ?? []) {
    if (!(cert instanceof pkijs.Certificate) || !onPath.includes(Buffer.from(cert.toSchema().toBER()).toString('hex'))) {
      throw new TimestampError('the token carries a certificate outside its verified chain');
    }
  }
  const signer = result.signerCertificate;
  const eku = signer.extensions?.find((e) => e.extnID === EXT_KEY_USAGE_OID);
  if (!eku?.critical || !(eku.parsedValue as pkijs.ExtKeyUsage | undefined)?.keyPurposes.includes(TIME_STAMPING_OID)) {
    throw new TimestampError('the signing certificate is not a TSA certificate (critical extendedKeyUsage timeStamping)');
  }
  return {
    time: Math.floor(info.genTime.getTime() / 1000),
    genTime: info.genTime,
    authority: subjectOf(signer),
    serialNumber: Buffer.from(info.serialNumber.valueBlock.valueHexView).toString('hex'),
    policy: info.policy,
  };
}
