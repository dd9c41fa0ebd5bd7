// The verifier's RFC 3161 token check (src/verifier/timestamp-token.ts: pkijs and asn1js over WebCrypto), kept out of
// verifier.ts so it is a chunk of its own: pages import it dynamically, only when there are tokens to check.
export * from '../../src/verifier/timestamp-token.js';
