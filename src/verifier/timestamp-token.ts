// RFC 3161 time-stamp tokens over checkpoints, verified anywhere WebCrypto is (Node ≥ 20, a browser in a secure context):
// CMS signature, chain to trusted CAs at genTime, timeStamping key purpose, the signed ESS certificate identifier,
// message imprint, nonce, and a strict reading of every signature, so no byte of a token or of its certificates goes
// unchecked. Only pkijs/asn1js and @noble/hashes.
import { sha1 } from '@noble/hashes/legacy.js';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { parseCheckpoint } from './checkpoint.js';
import { base64Decode, parseNote } from './note.js';

const SHA256_OID = '2.16.840.1.101.3.4.2.1';
const TST_INFO_OID = '1.2.840.113549.1.9.16.1.4';
const EXT_KEY_USAGE_OID = '2.5.29.37';
const TIME_STAMPING_OID = '1.3.6.1.5.5.7.3.8';
const EC_PUBLIC_KEY_OID = '1.2.840.10045.2.1';
const ECDSA_OID = /^1\.2\.840\.10045\.4\.(?:1|3\.[1-4])$/;
/** The digests a signer may use: SHA-256, SHA-384, SHA-512. */
const DIGEST_OIDS = ['2.16.840.1.101.3.4.2.1', '2.16.840.1.101.3.4.2.2', '2.16.840.1.101.3.4.2.3'];
/** The signed attributes naming the signer's certificate (RFC 2634 §5.4, RFC 5035 §3): ESSCertID by SHA-1, ESSCertIDv2. */
const SIGNING_CERTIFICATE_OID = '1.2.840.113549.1.9.16.2.12';
const SIGNING_CERTIFICATE_V2_OID = '1.2.840.113549.1.9.16.2.47';
/** The hashes an ESSCertIDv2 may name (SHA-256 when it names none) and ESSCertID's SHA-1. */
const CERT_HASHES: Record<string, (data: Uint8Array) => Uint8Array> = {
  '1.3.14.3.2.26': sha1,
  [SHA256_OID]: sha256,
  '2.16.840.1.101.3.4.2.2': sha384,
  '2.16.840.1.101.3.4.2.3': sha512,
};
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
  /** The token's serial number, hex. */
  serialNumber: string;
  policy: string;
}

/** A token as a checkpoint carries it: base64 DER, with the time the log recorded for it. */
export interface CarriedTimestamp {
  token: string;
  time?: number;
}

/** True where tokens can be checked: WebCrypto's SubtleCrypto is there (a browser offers it only in a secure context). */
const timestampCryptoAvailable = (): boolean => globalThis.crypto?.subtle !== undefined;

type EngineCrypto = ConstructorParameters<typeof pkijs.CryptoEngine>[0]['crypto'];
let cryptoEngine: pkijs.CryptoEngine | undefined;
/** pkijs over this runtime's WebCrypto, handed to every check (not pkijs' global engine, which others may set). */
function engine(): pkijs.CryptoEngine {
  if (!timestampCryptoAvailable()) throw new TimestampError('WebCrypto (crypto.subtle) is not available here');
  cryptoEngine ??= new pkijs.CryptoEngine({ name: 'webcrypto', crypto: globalThis.crypto as unknown as EngineCrypto });
  return cryptoEngine;
}

/** The bytes a checkpoint's time-stamp is over: its note text (origin, size, root and extension lines), without signatures. */
export function checkpointMessage(note: string): Uint8Array {
  const parsed = parseNote(note);
  if (!parsed.ok) throw new TimestampError(parsed.reason);
  return new TextEncoder().encode(parsed.text);
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

// A copy, so the buffer holds these bytes only (a view may share a larger one).
const toArrayBuffer = (bytes: Uint8Array): ArrayBuffer => new Uint8Array(bytes).buffer;
const bytesEqual = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The certificates of a PEM text (every CERTIFICATE block); strict base64, so a changed character is never skipped. */
export function parsePemCertificates(pem: string): pkijs.Certificate[] {
  const blocks = [...pem.matchAll(/-----BEGIN CERTIFICATE-----\r?\n([\s\S]*?)-----END CERTIFICATE-----/g)];
  if (blocks.length === 0) throw new TimestampError('no CERTIFICATE in the PEM text');
  // Nothing but the blocks and line breaks: a changed character anywhere is refused, not skipped.
  const rest = blocks.reduce((left, [block]) => left.replace(block, ''), pem);
  if (!/^[\r\n]*$/.test(rest)) throw new TimestampError('the PEM text holds more than certificates');
  return blocks.map(([, body]) => {
    const b64 = body.replace(/\r?\n/g, '');
    if (!BASE64.test(b64)) throw new TimestampError('a PEM certificate is not base64');
    let der: Uint8Array;
    try {
      der = base64Decode(b64);
    } catch {
      throw new TimestampError('a PEM certificate is not canonical base64');
    }
    let cert: pkijs.Certificate;
    try {
      cert = pkijs.Certificate.fromBER(toArrayBuffer(der));
    } catch (err) {
      throw new TimestampError(`a PEM certificate does not parse: ${(err as Error).message}`);
    }
    if (!bytesEqual(derOf(cert), der)) throw new TimestampError('a PEM certificate is not in canonical DER');
    return cert;
  });
}

/** A certificate's DER, as it was parsed. */
const derOf = (cert: pkijs.Certificate) => new Uint8Array(cert.toSchema().toBER());

/** Parameters a digest or signature algorithm may carry: none, or NULL (PKCS #1 v1.5); anything else is unsigned room. */
const plainParams = (a: pkijs.AlgorithmIdentifier, nullAllowed: boolean) =>
  a.algorithmParams === undefined || (nullAllowed && a.algorithmParams instanceof asn1js.Null);

const isEcKey = (key: pkijs.PublicKeyInfo) => key.algorithm.algorithmId === EC_PUBLIC_KEY_OID;

/** The size in bytes of an EC key's named curve (32 for P-256); null for another kind of key or a curve pkijs lacks. */
function curveBytesOf(key: pkijs.PublicKeyInfo): number | null {
  const params = key.algorithm.algorithmParams as unknown;
  if (!isEcKey(key) || !(params instanceof asn1js.ObjectIdentifier)) return null;
  return pkijs.ECNamedCurves.find(params.valueBlock.toString())?.size ?? null;
}

/**
 * Why the signer's signed attributes do not name `signer` as its certificate, or null when they do. RFC 3161 §2.4.1 (and
 * RFC 5816 for v2) has a TSA sign an ESS signingCertificate or signingCertificateV2 attribute whose first certificate
 * identifier is the TSA's own: its hash (SHA-1 for v1; for v2 the one it names, SHA-256 by default) and, when present,
 * its issuer and serial number. The SignerInfo's sid is not signed: without this attribute another certificate for the
 * same key could be put in a token and the token would still verify.
 */
export function signingCertificateProblem(signerInfo: pkijs.SignerInfo, signer: pkijs.Certificate): string | null {
  const attributes = (signerInfo.signedAttrs?.attributes ?? []).filter(
    (a) => a.type === SIGNING_CERTIFICATE_OID || a.type === SIGNING_CERTIFICATE_V2_OID,
  );
  if (attributes.length === 0) return 'the signer does not sign which certificate is its own (no ESS signingCertificate attribute)';
  const der = derOf(signer);
  for (const attribute of attributes) {
    const v2 = attribute.type === SIGNING_CERTIFICATE_V2_OID;
    const name = v2 ? 'signingCertificateV2' : 'signingCertificate';
    let problem: string | null;
    try {
      problem = essCertIdProblem(attribute, v2, name, der, signer);
    } catch {
      problem = `its ${name} attribute is malformed`; // pkijs refuses a schema it does not recognise by throwing
    }
    if (problem !== null) return problem;
  }
  return null;
}

/** Why the first certificate identifier of one ESS attribute does not name `signer` (`der`), or null. */
function essCertIdProblem(
  attribute: pkijs.Attribute,
  v2: boolean,
  name: string,
  der: Uint8Array,
  signer: pkijs.Certificate,
): string | null {
  // SigningCertificate(V2) ::= SEQUENCE { certs SEQUENCE OF ESSCertID(v2), policies … OPTIONAL }
  const value = attribute.values.length === 1 ? (attribute.values[0] as unknown) : null;
  const certs = value instanceof asn1js.Sequence ? value.valueBlock.value[0] : undefined;
  const first = certs instanceof asn1js.Sequence ? certs.valueBlock.value[0] : undefined;
  if (!(first instanceof asn1js.Sequence)) return `its ${name} attribute is malformed`;
  // ESSCertID ::= SEQUENCE { certHash OCTET STRING, issuerSerial OPTIONAL }; v2 may name its hash first.
  const fields = [...first.valueBlock.value];
  let hashOid = v2 ? SHA256_OID : '1.3.14.3.2.26';
  if (v2 && fields[0] instanceof asn1js.Sequence) {
    const algorithm = new pkijs.AlgorithmIdentifier({ schema: fields.shift() });
    if (!plainParams(algorithm, true)) return `its ${name} attribute names a hash with parameters`;
    hashOid = algorithm.algorithmId;
  }
  const hash = CERT_HASHES[hashOid];
  const certHash = fields[0];
  if (!hash || !(certHash instanceof asn1js.OctetString) || fields.length > 2)
    return `its ${name} attribute is malformed or names an unknown hash`;
  if (!bytesEqual(new Uint8Array(certHash.valueBlock.valueHexView), hash(der)))
    return `its ${name} attribute names another certificate than the one that verifies its signature`;
  if (fields.length === 2) {
    let issuerSerial: pkijs.IssuerSerial;
    try {
      issuerSerial = new pkijs.IssuerSerial({ schema: fields[1] });
    } catch {
      return `its ${name} attribute's issuerSerial is malformed`;
    }
    const issuer = new Uint8Array(signer.issuer.toSchema().toBER());
    const names = issuerSerial.issuer.names;
    const sameIssuer =
      names.length === 1 &&
      names[0].type === 4 &&
      bytesEqual(new Uint8Array((names[0].value as pkijs.RelativeDistinguishedNames).toSchema().toBER()), issuer);
    const sameSerial = bytesEqual(
      new Uint8Array(issuerSerial.serialNumber.valueBlock.valueHexView),
      new Uint8Array(signer.serialNumber.valueBlock.valueHexView),
    );
    if (!sameIssuer || !sameSerial) return `its ${name} attribute names another issuer or serial number than the signer's certificate`;
  }
  return null;
}

/**
 * `sig` is exactly one DER Ecdsa-Sig-Value by a key on a curve of `curveBytes` bytes: a SEQUENCE of two minimal positive
 * INTEGERs of at most that many bytes (beside a sign byte), nothing before or after. pkijs places r and s right-aligned
 * in r‖s without checking their length, so a longer s would overwrite the end of r: with its extra byte equal to r's
 * last one, a changed signature would still verify. WebCrypto then checks that r and s are below the curve's order.
 * A null size (a curve not known) is refused.
 */
export function isDerEcdsaSignature(sig: Uint8Array, curveBytes: number | null): boolean {
  if (curveBytes === null) return false;
  const parsed = asn1js.fromBER(toArrayBuffer(sig));
  if (parsed.offset !== sig.length || parsed.result.error || !(parsed.result instanceof asn1js.Sequence)) return false;
  const ints = parsed.result.valueBlock.value;
  if (ints.length !== 2 || !ints.every((i) => i instanceof asn1js.Integer)) return false;
  const values = ints.map((i) => new Uint8Array(i.valueBlock.valueHexView));
  const minimalPositive = (v: Uint8Array) =>
    v.length > 0 && (v[0] & 0x80) === 0 && !(v[0] === 0 && (v.length === 1 || (v[1] & 0x80) === 0));
  if (!values.every(minimalPositive)) return false;
  if (!values.every((v) => v.length - (v[0] === 0 ? 1 : 0) <= curveBytes)) return false;
  // Encoded afresh (short lengths where they fit): equal only if the given bytes were DER themselves.
  const again = new asn1js.Sequence({ value: values.map((v) => new asn1js.Integer({ valueHex: toArrayBuffer(v) })) }).toBER();
  return bytesEqual(new Uint8Array(again), sig);
}

/**
 * What the signature check of a certificate leaves open: the outer signatureAlgorithm is the one inside the signed part,
 * with no parameters beyond NULL (none for ECDSA), the signature BIT STRING has no unused bits, and an ECDSA signature by
 * `issuerKey` is in DER.
 */
function certificateSignatureStrict(cert: pkijs.Certificate, issuerKey: pkijs.PublicKeyInfo): boolean {
  const outer = cert.signatureAlgorithm;
  if (!bytesEqual(new Uint8Array(outer.toSchema().toBER()), new Uint8Array(cert.signature.toSchema().toBER()))) return false;
  const ecdsa = ECDSA_OID.test(outer.algorithmId) || isEcKey(issuerKey);
  if (!plainParams(outer, !ecdsa)) return false;
  if (cert.signatureValue.valueBlock.unusedBits !== 0) return false;
  return !ecdsa || isDerEcdsaSignature(new Uint8Array(cert.signatureValue.valueBlock.valueHexView), curveBytesOf(issuerKey));
}

/** Trust anchors must at least be intact: each a CA whose own signature over itself verifies, in DER. */
export async function checkTrustAnchors(cas: pkijs.Certificate[]): Promise<void> {
  const crypto = engine();
  for (const ca of cas) {
    let ok = false;
    try {
      ok = (await ca.verify(undefined, crypto)) && certificateSignatureStrict(ca, ca.subjectPublicKeyInfo);
    } catch {
      /* a malformed key or signature is a failed check */
    }
    if (!ok) throw new TimestampError(`the CA certificate ${subjectOf(ca)} is not validly self-signed`);
  }
}

/** The common name (CN) in a subject as `subjectOf` writes it, or the whole subject when it has none: how a TSA is named to people. */
export const authorityName = (subject: string): string => /(?:^|,)CN=([^,]*)/.exec(subject)?.[1] ?? subject;

export function subjectOf(cert: pkijs.Certificate): string {
  return cert.subject.typesAndValues
    .map((tv) => `${NAME_OIDS[tv.type] ?? tv.type}=${String((tv.value.valueBlock as { value?: unknown }).value ?? '')}`)
    .join(',');
}

/**
 * Verifies a TimeStampToken (DER ContentInfo) over `message`: the CMS signature, the signer's chain to one of `trustedCas`
 * at genTime, its critical timeStamping key purpose, the certificate its ESS attribute names, the SHA-256 message imprint,
 * and the nonce when one is given.
 */
export async function verifyTimestampToken(
  token: Uint8Array,
  message: Uint8Array,
  trustedCas: pkijs.Certificate[],
  nonce?: Uint8Array,
): Promise<VerifiedTimestamp> {
  const crypto = engine();
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
    // pkijs's chain check would take revocation lists from the token and check their signatures by its own lenient
    // ECDSA reading; nothing here relies on them, so a token carries none.
    if (signed.crls && signed.crls.length > 0) throw new Error('it carries revocation lists');
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
    if (!signerInfo.signedAttrs) throw new Error('the signer uses no signed attributes');
    if (!DIGEST_OIDS.includes(digestOid)) throw new Error(`the signer's digest ${digestOid} is not SHA-256, SHA-384 or SHA-512`);
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
    result = await signed.verify(
      { signer: 0, data: toArrayBuffer(message), trustedCerts: trustedCas, checkChain: true, checkDate: info.genTime, extendedMode: true },
      crypto,
    );
  } catch (err) {
    const message = (err as { message?: string }).message || String(err);
    throw new TimestampError(`the token's signature or certificate chain does not verify: ${message}`);
  }
  const signer = result.signerCertificate;
  if (!result.signatureVerified || !result.signerCertificateVerified || !signer) {
    const why = result.message || (result.signatureVerified ? 'the chain is not valid' : 'the signature does not match');
    throw new TimestampError(`the token's signature or certificate chain does not verify: ${why}`);
  }
  // pkijs read the signatures leniently: each must also be the one DER encoding of itself, the signer's over its signed
  // attributes and each certificate's on the path (the last one, a trust anchor, signed by itself).
  const signerInfo = signed.signerInfos[0];
  // pkijs found the signer by a name compared loosely (case, spaces): the sid must name it byte for byte.
  const sid = signerInfo.sid;
  if (
    sid instanceof pkijs.IssuerAndSerialNumber &&
    !bytesEqual(new Uint8Array(sid.issuer.toSchema().toBER()), new Uint8Array(signer.issuer.toSchema().toBER()))
  ) {
    throw new TimestampError("the token's signer is not named exactly as its certificate");
  }
  if (
    (ECDSA_OID.test(signerInfo.signatureAlgorithm.algorithmId) || isEcKey(signer.subjectPublicKeyInfo)) &&
    !isDerEcdsaSignature(new Uint8Array(signerInfo.signature.valueBlock.valueHexView), curveBytesOf(signer.subjectPublicKeyInfo))
  ) {
    throw new TimestampError("the token's signature is not a DER signature over its signed attributes");
  }
  const path = result.certificatePath;
  for (const [i, cert] of path.entries()) {
    if (!certificateSignatureStrict(cert, (path[i + 1] ?? cert).subjectPublicKeyInfo))
      throw new TimestampError("a certificate of the token's chain is not signed in DER by its issuer");
  }
  // Every certificate the token carries is on the verified path: nothing in it goes unchecked.
  const onPath = path.map(derOf);
  for (const cert of signed.certificates ?? []) {
    if (!(cert instanceof pkijs.Certificate) || !onPath.some((c) => bytesEqual(c, derOf(cert)))) {
      throw new TimestampError('the token carries a certificate outside its verified chain');
    }
  }
  const unnamed = signingCertificateProblem(signerInfo, signer);
  if (unnamed !== null) throw new TimestampError(`the token's signer certificate is not the one it signed: ${unnamed}`);
  const eku = signer.extensions?.find((e) => e.extnID === EXT_KEY_USAGE_OID);
  if (!eku?.critical || !(eku.parsedValue as pkijs.ExtKeyUsage | undefined)?.keyPurposes.includes(TIME_STAMPING_OID)) {
    throw new TimestampError('the signing certificate is not a TSA certificate (critical extendedKeyUsage timeStamping)');
  }
  return {
    time: Math.floor(info.genTime.getTime() / 1000),
    genTime: info.genTime,
    authority: subjectOf(signer),
    serialNumber: bytesToHex(new Uint8Array(info.serialNumber.valueBlock.valueHexView)),
    policy: info.policy,
  };
}
