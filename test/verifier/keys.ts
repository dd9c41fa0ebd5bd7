// Ed25519 test keys from node:crypto, and native sign / verify functions to inject into the verifier.
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import type { Ed25519Sign, Ed25519Verify } from '../../src/verifier/note.js';

export interface TestKey {
  secretKey: Uint8Array;
  publicKey: Uint8Array;
  publicKeyObject: KeyObject;
}

export function newKey(): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  return {
    secretKey: new Uint8Array(Buffer.from(jwk.d!, 'base64url')),
    publicKey: new Uint8Array(Buffer.from(jwk.x!, 'base64url')),
    publicKeyObject: publicKey,
  };
}

const publicKeyObject = (raw: Uint8Array) =>
  createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') }, format: 'jwk' });

export const nativeVerify: Ed25519Verify = (signature, message, publicKey) => verify(null, message, publicKeyObject(publicKey), signature);

export const nativeSign: Ed25519Sign = (message, secretKey) => {
  const { x } = createPublicKey(
    createPrivateKey({
      key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), secretKey]),
      format: 'der',
      type: 'pkcs8',
    }),
  ).export({ format: 'jwk' });
  const key = createPrivateKey({
    key: { kty: 'OKP', crv: 'Ed25519', d: Buffer.from(secretKey).toString('base64url'), x: x! },
    format: 'jwk',
  });
  return new Uint8Array(sign(null, message, key));
};
