// The auditor's pinned keys (web/src/pages/auditor/pinned-keys.ts) with a TSA CA: pinned with the served keys, checked
// when typed in (a real CA made by `openssl`), compared with what the server serves, and stored and read back.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { makeTsaCertificates } from '../../src/bench/openssl-tsa.js';
import { formatCosignerVkey, ML_DSA_44 } from '../../src/verifier/cosignature.js';
import { formatVkey } from '../../src/verifier/note.js';
import type { PublishedKeys } from '../../src/verifier/public-receipt.js';
import {
  checkPinnedCas,
  keyDifferences,
  loadPin,
  parsePin,
  pinInputOf,
  pinServed,
  savePin,
} from '../../web/src/pages/auditor/pinned-keys.js';

const dir = mkdtempSync(join(tmpdir(), 'pinned-keys-'));
let caPem: string;
let served: PublishedKeys;

beforeAll(async () => {
  await makeTsaCertificates(dir, 'Pinned TSA');
  caPem = readFileSync(join(dir, 'ca.crt'), 'utf8');
  served = {
    log: formatVkey('log.example/pin', ed25519.getPublicKey(ed25519.utils.randomSecretKey())),
    logMlDsa44: '',
    witnesses: [],
    witnessQuorum: 0,
    tsaCertificates: caPem,
  };
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a pinned TSA CA', () => {
  it('is pinned with the served keys, named, and agrees with them whatever their line ends', async () => {
    const pinned = pinServed(served);
    expect(pinned.tsaCertificates).toBe(caPem.trim() + '\n');
    await expect(checkPinnedCas(pinned)).resolves.toEqual({ ok: true, names: ['Pinned TSA Root CA'] });
    expect(keyDifferences(served, pinned)).toEqual([]);
    expect(keyDifferences({ ...served, tsaCertificates: caPem.replace(/\n/g, '\r\n') + '\n\n' }, pinned)).toEqual([]);
    // Wrapped at 76 columns instead of 64: the same certificate.
    const body = caPem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, '');
    const rewrapped = `-----BEGIN CERTIFICATE-----\n${body.match(/.{1,76}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
    expect(rewrapped).not.toBe(caPem);
    expect(keyDifferences({ ...served, tsaCertificates: rewrapped }, pinned)).toEqual([]);
  });

  it('differs from a CA served in its place, or from none; unpinned, it is not compared', async () => {
    const other = join(dir, 'other');
    mkdirSync(other);
    await makeTsaCertificates(other, 'Other TSA');
    const pinned = pinServed(served);
    expect(keyDifferences({ ...served, tsaCertificates: readFileSync(join(other, 'ca.crt'), 'utf8') }, pinned)).toEqual([
      'tsaCertificates',
    ]);
    expect(keyDifferences({ ...served, tsaCertificates: null }, pinned)).toEqual(['tsaCertificates']);
    const unpinned = parsePin({ ...pinInputOf(pinned), tsaCertificates: '  ' });
    expect(unpinned).toMatchObject({ ok: true, pinned: { tsaCertificates: null } });
    if (unpinned.ok) expect(keyDifferences({ ...served, tsaCertificates: null }, unpinned.pinned)).toEqual([]);
  });

  it('is refused when typed in as anything but certificates, or as a certificate changed by one character', async () => {
    const typed = (tsaCertificates: string) => {
      const parsed = parsePin({ ...pinInputOf(pinServed(served)), tsaCertificates });
      if (!parsed.ok) throw new Error('the keys did not parse');
      return checkPinnedCas(parsed.pinned);
    };
    await expect(typed('not a certificate')).resolves.toEqual({
      ok: false,
      error: { field: 'tsaCertificates', reason: 'no CERTIFICATE in the PEM text', fault: { code: 'no-certificate' } },
    });
    await expect(typed(caPem + 'trailing words\n')).resolves.toEqual({
      ok: false,
      error: { field: 'tsaCertificates', reason: 'the PEM text holds more than certificates', fault: { code: 'pem-extra' } },
    });
    // A character of the signature changed: still PEM and DER, no longer validly self-signed.
    const lines = caPem.trim().split('\n');
    const at = lines.length - 3;
    lines[at] = lines[at].slice(0, 10) + (lines[at][10] === 'A' ? 'B' : 'A') + lines[at].slice(11);
    const changed = await typed(lines.join('\n') + '\n');
    expect(changed).toMatchObject({ ok: false, error: { field: 'tsaCertificates' } });
  });

  it('is stored with the other keys and read back; a pin stored without one reads back with none', () => {
    const store = new Map<string, string>();
    (globalThis as { localStorage?: unknown }).localStorage = {
      getItem: (k: string) => store.get(k) ?? null,
      setItem: (k: string, v: string) => void store.set(k, v),
      removeItem: (k: string) => void store.delete(k),
    };
    try {
      const pinned = pinServed(served);
      expect(savePin(pinned)).toBe(true);
      expect(loadPin()).toEqual(pinned);
      const { tsaCertificates: _, ...older } = pinned;
      store.set('sandbox-ledger.auditor.pinned-keys', JSON.stringify(older));
      expect(loadPin()).toEqual({ ...pinned, tsaCertificates: null });
    } finally {
      delete (globalThis as { localStorage?: unknown }).localStorage;
    }
  });
});

describe('a key typed in that is no vkey of its kind', () => {
  it('is refused with why, as data for the page’s language and in the verifier’s English', () => {
    const input = pinInputOf(pinServed(served));
    const origin = served.log.split('+')[0];
    expect(parsePin({ ...input, log: `${origin}+00000000+AAAA` })).toEqual({
      ok: false,
      error: { field: 'log', reason: 'vkey is not an Ed25519 (type 0x01) key', vkey: { problem: 'not-ed25519' } },
    });
    expect(parsePin({ ...input, logMlDsa44: served.log })).toEqual({
      ok: false,
      error: {
        field: 'logMlDsa44',
        reason: 'vkey is not a cosigner key (type 0x04 Ed25519 or 0x06 ML-DSA-44)',
        vkey: { problem: 'not-cosigner' },
      },
    });
    const witness = formatCosignerVkey('witness.example/w1', ML_DSA_44, new Uint8Array(1312));
    expect(parsePin({ ...input, witnesses: witness })).toEqual({
      ok: false,
      error: {
        field: 'witnesses',
        witness: 'witness.example/w1',
        reason: 'vkey is not an Ed25519 cosigner (type 0x04) key',
        vkey: { problem: 'not-ed25519-cosigner' },
      },
    });
    expect(parsePin({ ...input, witnesses: 'w1+0000' })).toMatchObject({
      ok: false,
      error: { field: 'witnesses', witness: 'w1', vkey: { problem: 'format' } },
    });
  });
});
