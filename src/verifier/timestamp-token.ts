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

/** How a token's encoding is malformed (`parse`: the parser's own words, in English). */
export type TokenMalformation =
  | { problem: 'not-one-der' }
  | { problem: 'not-signed-data' }
  | { problem: 'not-tst-info' }
  | { problem: 'no-tst-info' }
  | { problem: 'signers' }
  | { problem: 'signed-data-version'; version: number }
  | { problem: 'signer-info-version' }
  | { problem: 'crls' }
  | { problem: 'not-canonical' }
  | { problem: 'digest-algorithms' }
  | { problem: 'algorithm-parameters' }
  | { problem: 'no-signed-attributes' }
  | { problem: 'digest'; oid: string }
  | { problem: 'parse'; detail: string };

/** The ESS attribute that names a signer's certificate. */
export type EssAttribute = 'signingCertificate' | 'signingCertificateV2';

/** Why the signer's signed attributes do not name its certificate. */
export type EssFault =
  | { problem: 'none' }
  | { problem: 'malformed'; attribute: EssAttribute }
  | { problem: 'hash-parameters'; attribute: EssAttribute }
  | { problem: 'unknown-hash'; attribute: EssAttribute }
  | { problem: 'other-certificate'; attribute: EssAttribute }
  | { problem: 'issuer-serial'; attribute: EssAttribute }
  | { problem: 'other-issuer'; attribute: EssAttribute };

/**
 * Why a time-stamp, or the CA certificates it is checked against, does not check, as data: the message of the
 * TimestampError (`timestampReason`) is worded from it, so a reader in another language has all the English says.
 * `detail` is the words of a library (pkijs) or of the note's parser, in English only. `index` counts from 1.
 */
export type TimestampFault =
  | { code: 'no-webcrypto' }
  | { code: 'note'; detail: string }
  | { code: 'token-not-base64'; index: number }
  | { code: 'token-repeated'; index: number; first: number }
  | { code: 'token'; index: number; token: TimestampFault }
  | { code: 'before-checkpoint'; index: number; authority: string; time: number; checkpointTime: number }
  | { code: 'listed-time'; index: number; listed: number; time: number }
  | { code: 'no-certificate' }
  | { code: 'pem-extra' }
  | { code: 'pem-not-base64' }
  | { code: 'pem-not-canonical-base64' }
  | { code: 'pem-parse'; detail: string }
  | { code: 'pem-not-der' }
  | { code: 'ca-not-self-signed'; subject: string }
  | { code: 'ca-signature-algorithm'; subject: string; oid: string; name: string | null }
  | { code: 'malformed'; token: TokenMalformation }
  | { code: 'imprint-algorithm' }
  | { code: 'imprint' }
  | { code: 'nonce' }
  | { code: 'chain'; failed: 'signature' | 'chain' | null; detail: string | null }
  | { code: 'signer-name' }
  | { code: 'signature-not-der' }
  | { code: 'chain-not-der' }
  | { code: 'extra-certificate' }
  | { code: 'signing-certificate'; ess: EssFault }
  | { code: 'not-tsa-certificate' };

export type TimestampFaultCode = TimestampFault['code'];

/** Every code a time-stamp's fault can carry, every malformation and every ESS fault: what another language must word. */
export const TIMESTAMP_FAULT_CODES = Object.keys({
  'no-webcrypto': 1,
  note: 1,
  'token-not-base64': 1,
  'token-repeated': 1,
  token: 1,
  'before-checkpoint': 1,
  'listed-time': 1,
  'no-certificate': 1,
  'pem-extra': 1,
  'pem-not-base64': 1,
  'pem-not-canonical-base64': 1,
  'pem-parse': 1,
  'pem-not-der': 1,
  'ca-not-self-signed': 1,
  'ca-signature-algorithm': 1,
  malformed: 1,
  'imprint-algorithm': 1,
  imprint: 1,
  nonce: 1,
  chain: 1,
  'signer-name': 1,
  'signature-not-der': 1,
  'chain-not-der': 1,
  'extra-certificate': 1,
  'signing-certificate': 1,
  'not-tsa-certificate': 1,
} satisfies Record<TimestampFaultCode, 1>) as TimestampFaultCode[];
export const TOKEN_MALFORMATIONS = Object.keys({
  'not-one-der': 1,
  'not-signed-data': 1,
  'not-tst-info': 1,
  'no-tst-info': 1,
  signers: 1,
  'signed-data-version': 1,
  'signer-info-version': 1,
  crls: 1,
  'not-canonical': 1,
  'digest-algorithms': 1,
  'algorithm-parameters': 1,
  'no-signed-attributes': 1,
  digest: 1,
  parse: 1,
} satisfies Record<TokenMalformation['problem'], 1>) as Array<TokenMalformation['problem']>;
export const ESS_FAULTS = Object.keys({
  none: 1,
  malformed: 1,
  'hash-parameters': 1,
  'unknown-hash': 1,
  'other-certificate': 1,
  'issuer-serial': 1,
  'other-issuer': 1,
} satisfies Record<EssFault['problem'], 1>) as Array<EssFault['problem']>;

function malformationReason(m: TokenMalformation): string {
  switch (m.problem) {
    case 'not-one-der':
      return 'not exactly one DER value';
    case 'not-signed-data':
      return 'not CMS SignedData';
    case 'not-tst-info':
      return 'the signed content is not a TSTInfo';
    case 'no-tst-info':
      return 'no TSTInfo';
    case 'signers':
      return 'a token has exactly one signer';
    case 'signed-data-version':
      return `SignedData version ${m.version} is not 3`;
    case 'signer-info-version':
      return 'SignerInfo version does not fit its sid';
    case 'crls':
      return 'it carries revocation lists';
    case 'not-canonical':
      return 'not in canonical DER';
    case 'digest-algorithms':
      return 'digestAlgorithms name another digest than the signer';
    case 'algorithm-parameters':
      return 'an algorithm identifier carries unexpected parameters';
    case 'no-signed-attributes':
      return 'the signer uses no signed attributes';
    case 'digest':
      return `the signer's digest ${m.oid} is not SHA-256, SHA-384 or SHA-512`;
    case 'parse':
      return m.detail;
  }
}

/** An ESS fault in English. */
export function essReason(f: EssFault): string {
  switch (f.problem) {
    case 'none':
      return 'the signer does not sign which certificate is its own (no ESS signingCertificate attribute)';
    case 'malformed':
      return `its ${f.attribute} attribute is malformed`;
    case 'hash-parameters':
      return `its ${f.attribute} attribute names a hash with parameters`;
    case 'unknown-hash':
      return `its ${f.attribute} attribute is malformed or names an unknown hash`;
    case 'other-certificate':
      return `its ${f.attribute} attribute names another certificate than the one that verifies its signature`;
    case 'issuer-serial':
      return `its ${f.attribute} attribute's issuerSerial is malformed`;
    case 'other-issuer':
      return `its ${f.attribute} attribute names another issuer or serial number than the signer's certificate`;
  }
}

/** A time-stamp's fault in English: the message of its TimestampError, as the CLI prints it. */
export function timestampReason(f: TimestampFault): string {
  switch (f.code) {
    case 'no-webcrypto':
      return 'WebCrypto (crypto.subtle) is not available here';
    case 'note':
      return f.detail;
    case 'token-not-base64':
      return `time-stamp ${f.index} is not base64`;
    case 'token-repeated':
      return `time-stamp ${f.index} is time-stamp ${f.first} again: each token is listed once`;
    case 'token':
      return `time-stamp ${f.index}: ${timestampReason(f.token)}`;
    case 'before-checkpoint':
      return `time-stamp ${f.index} by ${f.authority} is at ${f.time}, before the checkpoint's time ${f.checkpointTime}`;
    case 'listed-time':
      return `time-stamp ${f.index} is listed at ${f.listed} but its token says ${f.time}`;
    case 'no-certificate':
      return 'no CERTIFICATE in the PEM text';
    case 'pem-extra':
      return 'the PEM text holds more than certificates';
    case 'pem-not-base64':
      return 'a PEM certificate is not base64';
    case 'pem-not-canonical-base64':
      return 'a PEM certificate is not canonical base64';
    case 'pem-parse':
      return `a PEM certificate does not parse: ${f.detail}`;
    case 'pem-not-der':
      return 'a PEM certificate is not in canonical DER';
    case 'ca-not-self-signed':
      return `the CA certificate ${f.subject} is not validly self-signed`;
    case 'ca-signature-algorithm':
      return `the CA certificate ${f.subject} is signed with ${f.name === null ? `the algorithm ${f.oid}` : `${f.name} (${f.oid})`}, which the verifier does not support (it checks RSA and ECDSA signatures)`;
    case 'malformed':
      return `malformed time-stamp token: ${malformationReason(f.token)}`;
    case 'imprint-algorithm':
      return 'the token does not imprint a SHA-256 digest';
    case 'imprint':
      return 'the token is over another digest than the checkpoint';
    case 'nonce':
      return 'the token does not carry the nonce of the request';
    case 'chain':
      return `the token's signature or certificate chain does not verify: ${
        f.detail ?? (f.failed === 'signature' ? 'the signature does not match' : 'the chain is not valid')
      }`;
    case 'signer-name':
      return "the token's signer is not named exactly as its certificate";
    case 'signature-not-der':
      return "the token's signature is not a DER signature over its signed attributes";
    case 'chain-not-der':
      return "a certificate of the token's chain is not signed in DER by its issuer";
    case 'extra-certificate':
      return 'the token carries a certificate outside its verified chain';
    case 'signing-certificate':
      return `the token's signer certificate is not the one it signed: ${essReason(f.ess)}`;
    case 'not-tsa-certificate':
      return 'the signing certificate is not a TSA certificate (critical extendedKeyUsage timeStamping)';
  }
}

/**
 * A token that is not what it claims: named, so callers can log and count it. Made from a fault, its message is the
 * fault's English and `fault` says it as data; made from a message (the TSA client's own errors), `fault` is null.
 */
export class TimestampError extends Error {
  readonly name = 'TimestampError';
  readonly fault: TimestampFault | null;
  constructor(what: string | TimestampFault) {
    super(typeof what === 'string' ? what : timestampReason(what));
    this.fault = typeof what === 'string' ? null : what;
  }
}

/** A token's encoding found malformed, inside the parse of verifyTimestampToken. */
class Malformed extends Error {
  constructor(readonly malformation: TokenMalformation) {
    super(malformationReason(malformation));
  }
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
  if (!timestampCryptoAvailable()) throw new TimestampError({ code: 'no-webcrypto' });
  cryptoEngine ??= new pkijs.CryptoEngine({ name: 'webcrypto', crypto: globalThis.crypto as unknown as EngineCrypto });
  return cryptoEngine;
}

/** The bytes a checkpoint's time-stamp is over: its note text (origin, size, root and extension lines), without signatures. */
export function checkpointMessage(note: string): Uint8Array {
  const parsed = parseNote(note);
  if (!parsed.ok) throw new TimestampError({ code: 'note', detail: parsed.reason });
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
  // Listed twice, one token would be counted as two time-stamps.
  for (const [i, carried] of tokens.entries()) {
    const first = tokens.findIndex((t) => t.token === carried.token);
    if (first < i) throw new TimestampError({ code: 'token-repeated', index: i + 1, first: first + 1 });
  }
  for (const [i, carried] of tokens.entries()) {
    let der: Uint8Array;
    try {
      der = base64Decode(carried.token);
    } catch {
      throw new TimestampError({ code: 'token-not-base64', index: i + 1 });
    }
    const verified = await verifyTimestampToken(der, message, trustedCas).catch((err: Error) => {
      throw err instanceof TimestampError && err.fault !== null
        ? new TimestampError({ code: 'token', index: i + 1, token: err.fault })
        : new TimestampError(`time-stamp ${i + 1}: ${err.message}`);
    });
    if (checkpointTime !== undefined && verified.time < checkpointTime) {
      throw new TimestampError({
        code: 'before-checkpoint',
        index: i + 1,
        authority: verified.authority,
        time: verified.time,
        checkpointTime,
      });
    }
    if (carried.time !== undefined && carried.time !== verified.time)
      throw new TimestampError({ code: 'listed-time', index: i + 1, listed: carried.time, time: verified.time });
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
  if (blocks.length === 0) throw new TimestampError({ code: 'no-certificate' });
  // Nothing but the blocks and line breaks: a changed character anywhere is refused, not skipped.
  const rest = blocks.reduce((left, [block]) => left.replace(block, ''), pem);
  if (!/^[\r\n]*$/.test(rest)) throw new TimestampError({ code: 'pem-extra' });
  return blocks.map(([, body]) => {
    const b64 = body.replace(/\r?\n/g, '');
    if (!BASE64.test(b64)) throw new TimestampError({ code: 'pem-not-base64' });
    let der: Uint8Array;
    try {
      der = base64Decode(b64);
    } catch {
      throw new TimestampError({ code: 'pem-not-canonical-base64' });
    }
    let cert: pkijs.Certificate;
    try {
      cert = pkijs.Certificate.fromBER(toArrayBuffer(der));
    } catch (err) {
      throw new TimestampError({ code: 'pem-parse', detail: (err as Error).message });
    }
    if (!bytesEqual(derOf(cert), der)) throw new TimestampError({ code: 'pem-not-der' });
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
  const fault = signingCertificateFault(signerInfo, signer);
  return fault === null ? null : essReason(fault);
}

/** `signingCertificateProblem` as data: why the ESS attributes do not name `signer`, or null when they do. */
export function signingCertificateFault(signerInfo: pkijs.SignerInfo, signer: pkijs.Certificate): EssFault | null {
  const attributes = (signerInfo.signedAttrs?.attributes ?? []).filter(
    (a) => a.type === SIGNING_CERTIFICATE_OID || a.type === SIGNING_CERTIFICATE_V2_OID,
  );
  if (attributes.length === 0) return { problem: 'none' };
  const der = derOf(signer);
  for (const attribute of attributes) {
    const v2 = attribute.type === SIGNING_CERTIFICATE_V2_OID;
    const name: EssAttribute = v2 ? 'signingCertificateV2' : 'signingCertificate';
    let problem: EssFault | null;
    try {
      problem = essCertIdProblem(attribute, v2, name, der, signer);
    } catch {
      problem = { problem: 'malformed', attribute: name }; // pkijs refuses a schema it does not recognise by throwing
    }
    if (problem !== null) return problem;
  }
  return null;
}

/** Why the first certificate identifier of one ESS attribute does not name `signer` (`der`), or null. */
function essCertIdProblem(
  attribute: pkijs.Attribute,
  v2: boolean,
  name: EssAttribute,
  der: Uint8Array,
  signer: pkijs.Certificate,
): EssFault | null {
  // SigningCertificate(V2) ::= SEQUENCE { certs SEQUENCE OF ESSCertID(v2), policies … OPTIONAL }
  const value = attribute.values.length === 1 ? (attribute.values[0] as unknown) : null;
  const certs = value instanceof asn1js.Sequence ? value.valueBlock.value[0] : undefined;
  const first = certs instanceof asn1js.Sequence ? certs.valueBlock.value[0] : undefined;
  if (!(first instanceof asn1js.Sequence)) return { problem: 'malformed', attribute: name };
  // ESSCertID ::= SEQUENCE { certHash OCTET STRING, issuerSerial OPTIONAL }; v2 may name its hash first.
  const fields = [...first.valueBlock.value];
  let hashOid = v2 ? SHA256_OID : '1.3.14.3.2.26';
  if (v2 && fields[0] instanceof asn1js.Sequence) {
    const algorithm = new pkijs.AlgorithmIdentifier({ schema: fields.shift() });
    if (!plainParams(algorithm, true)) return { problem: 'hash-parameters', attribute: name };
    hashOid = algorithm.algorithmId;
  }
  const hash = CERT_HASHES[hashOid];
  const certHash = fields[0];
  if (!hash || !(certHash instanceof asn1js.OctetString) || fields.length > 2) return { problem: 'unknown-hash', attribute: name };
  if (!bytesEqual(new Uint8Array(certHash.valueBlock.valueHexView), hash(der))) return { problem: 'other-certificate', attribute: name };
  if (fields.length === 2) {
    let issuerSerial: pkijs.IssuerSerial;
    try {
      issuerSerial = new pkijs.IssuerSerial({ schema: fields[1] });
    } catch {
      return { problem: 'issuer-serial', attribute: name };
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
    if (!sameIssuer || !sameSerial) return { problem: 'other-issuer', attribute: name };
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

/** Signature algorithms pkijs does not check that a CA is most likely to use, by OID: to name them rather than their OID alone. */
const UNSUPPORTED_SIGNATURES: Record<string, string> = {
  '1.3.101.112': 'Ed25519',
  '1.3.101.113': 'Ed448',
  '2.16.840.1.101.3.4.3.17': 'ML-DSA-44',
  '2.16.840.1.101.3.4.3.18': 'ML-DSA-65',
  '2.16.840.1.101.3.4.3.19': 'ML-DSA-87',
};

/** Trust anchors must at least be intact: each a CA whose own signature over itself verifies, in DER. */
export async function checkTrustAnchors(cas: pkijs.Certificate[]): Promise<void> {
  const crypto = engine();
  for (const ca of cas) {
    // pkijs knows no hash for a signature algorithm it cannot check (its verify then throws): the CA is named with the
    // algorithm, not as a signature that does not verify.
    const oid = ca.signatureAlgorithm.algorithmId;
    if (crypto.getHashAlgorithm(ca.signatureAlgorithm) === '')
      throw new TimestampError({ code: 'ca-signature-algorithm', subject: subjectOf(ca), oid, name: UNSUPPORTED_SIGNATURES[oid] ?? null });
    let ok = false;
    try {
      ok = (await ca.verify(undefined, crypto)) && certificateSignatureStrict(ca, ca.subjectPublicKeyInfo);
    } catch {
      /* a malformed key or signature is a failed check */
    }
    if (!ok) throw new TimestampError({ code: 'ca-not-self-signed', subject: subjectOf(ca) });
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
    if (whole.offset !== token.length || whole.result.error) throw new Malformed({ problem: 'not-one-der' });
    const content = new pkijs.ContentInfo({ schema: whole.result });
    if (content.contentType !== pkijs.ContentInfo.SIGNED_DATA) throw new Malformed({ problem: 'not-signed-data' });
    signed = new pkijs.SignedData({ schema: content.content });
    if (signed.encapContentInfo.eContentType !== TST_INFO_OID) throw new Malformed({ problem: 'not-tst-info' });
    const eContent = signed.encapContentInfo.eContent;
    if (!eContent) throw new Malformed({ problem: 'no-tst-info' });
    info = pkijs.TSTInfo.fromBER(eContent.getValue());
    if (signed.signerInfos.length !== 1) throw new Malformed({ problem: 'signers' });
    // RFC 5652: version 3 for content other than id-data; a signer named by issuer and serial is version 1, by key ID 3.
    const signerInfo = signed.signerInfos[0];
    if (signed.version !== 3) throw new Malformed({ problem: 'signed-data-version', version: signed.version });
    if (signerInfo.version !== (signerInfo.sid instanceof pkijs.IssuerAndSerialNumber ? 1 : 3))
      throw new Malformed({ problem: 'signer-info-version' });
    // pkijs's chain check would take revocation lists from the token and check their signatures by its own lenient
    // ECDSA reading; nothing here relies on them, so a token carries none.
    if (signed.crls && signed.crls.length > 0) throw new Malformed({ problem: 'crls' });
    // What was parsed encodes back to the very bytes given: nothing in the token was skipped over.
    const again = new pkijs.ContentInfo({ contentType: content.contentType, content: signed.toSchema(true) }).toSchema().toBER();
    if (!bytesEqual(new Uint8Array(again), token)) throw new Malformed({ problem: 'not-canonical' });
    const digestOid = signerInfo.digestAlgorithm.algorithmId;
    if (!signed.digestAlgorithms.every((a) => a.algorithmId === digestOid)) throw new Malformed({ problem: 'digest-algorithms' });
    const ecdsa = ECDSA_OID.test(signerInfo.signatureAlgorithm.algorithmId);
    const digests = [...signed.digestAlgorithms, signerInfo.digestAlgorithm];
    if (!digests.every((a) => plainParams(a, true)) || !plainParams(signerInfo.signatureAlgorithm, !ecdsa)) {
      throw new Malformed({ problem: 'algorithm-parameters' });
    }
    if (!signerInfo.signedAttrs) throw new Malformed({ problem: 'no-signed-attributes' });
    if (!DIGEST_OIDS.includes(digestOid)) throw new Malformed({ problem: 'digest', oid: digestOid });
  } catch (err) {
    throw new TimestampError({
      code: 'malformed',
      token: err instanceof Malformed ? err.malformation : { problem: 'parse', detail: (err as Error).message },
    });
  }
  if (info.messageImprint.hashAlgorithm.algorithmId !== SHA256_OID) throw new TimestampError({ code: 'imprint-algorithm' });
  if (!bytesEqual(new Uint8Array(info.messageImprint.hashedMessage.valueBlock.valueHexView), digest)) {
    throw new TimestampError({ code: 'imprint' });
  }
  if (nonce && !(info.nonce && bytesEqual(new Uint8Array(info.nonce.valueBlock.valueHexView), nonce))) {
    throw new TimestampError({ code: 'nonce' });
  }
  let result: pkijs.SignedDataVerifyResult;
  try {
    result = await signed.verify(
      { signer: 0, data: toArrayBuffer(message), trustedCerts: trustedCas, checkChain: true, checkDate: info.genTime, extendedMode: true },
      crypto,
    );
  } catch (err) {
    const detail = (err as { message?: string }).message || String(err);
    throw new TimestampError({ code: 'chain', failed: null, detail });
  }
  const signer = result.signerCertificate;
  if (!result.signatureVerified || !result.signerCertificateVerified || !signer) {
    const failed = result.signatureVerified ? 'chain' : 'signature';
    throw new TimestampError({ code: 'chain', failed, detail: result.message || null });
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
    throw new TimestampError({ code: 'signer-name' });
  }
  if (
    (ECDSA_OID.test(signerInfo.signatureAlgorithm.algorithmId) || isEcKey(signer.subjectPublicKeyInfo)) &&
    !isDerEcdsaSignature(new Uint8Array(signerInfo.signature.valueBlock.valueHexView), curveBytesOf(signer.subjectPublicKeyInfo))
  ) {
    throw new TimestampError({ code: 'signature-not-der' });
  }
  const path = result.certificatePath;
  for (const [i, cert] of path.entries()) {
    if (!certificateSignatureStrict(cert, (path[i + 1] ?? cert).subjectPublicKeyInfo)) throw new TimestampError({ code: 'chain-not-der' });
  }
  // Every certificate the token carries is on the verified path: nothing in it goes unchecked.
  const onPath = path.map(derOf);
  for (const cert of signed.certificates ?? []) {
    if (!(cert instanceof pkijs.Certificate) || !onPath.some((c) => bytesEqual(c, derOf(cert)))) {
      throw new TimestampError({ code: 'extra-certificate' });
    }
  }
  const unnamed = signingCertificateFault(signerInfo, signer);
  if (unnamed !== null) throw new TimestampError({ code: 'signing-certificate', ess: unnamed });
  const eku = signer.extensions?.find((e) => e.extnID === EXT_KEY_USAGE_OID);
  if (!eku?.critical || !(eku.parsedValue as pkijs.ExtKeyUsage | undefined)?.keyPurposes.includes(TIME_STAMPING_OID)) {
    throw new TimestampError({ code: 'not-tsa-certificate' });
  }
  return {
    time: Math.floor(info.genTime.getTime() / 1000),
    genTime: info.genTime,
    authority: subjectOf(signer),
    serialNumber: bytesToHex(new Uint8Array(info.serialNumber.valueBlock.valueHexView)),
    policy: info.policy,
  };
}
