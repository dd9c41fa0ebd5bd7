// RFC 3161 time-stamps over checkpoints: the request and the HTTP exchange with a Time-Stamp Authority. Tokens are
// verified by the verifier's portable code (src/verifier/timestamp-token.ts), the same in Node and in a browser.
import { createHash, randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { TimestampError } from '../verifier/timestamp-token.js';

const SHA256_OID = '2.16.840.1.101.3.4.2.1';

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
