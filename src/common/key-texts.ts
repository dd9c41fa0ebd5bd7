// The texts of secrets an operator gives (an admin API key, the log's key seeds), checked where they are read: by the
// configuration before anything is opened, and by the code that uses them.

/** An API key given by the operator must carry at least 256 bits: 43 or more printable ASCII characters, no spaces. */
export const isStrongKey = (key: string): boolean => key.length >= 43 && /^[\x21-\x7e]+$/.test(key);

/** A key's 32-byte seed from its base64 text; `source` (a variable or a file) is named when it holds anything else. */
export const decodeSeed = (text: string, source: string, scheme: 'Ed25519' | 'ML-DSA-44' = 'Ed25519'): Uint8Array => {
  const seed = Buffer.from(text.trim(), 'base64');
  if (seed.length !== 32) throw new Error(`${source} must hold a base64 ${scheme} seed of 32 bytes`);
  return new Uint8Array(seed);
};
