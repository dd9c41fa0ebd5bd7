// The verifier runs outside the server (the CLI, a browser): it may import only its own modules, @noble/*, canonicalize,
// pkijs/asn1js (RFC 3161 tokens over WebCrypto) and TypeBox (the event catalogue's schemas).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..', 'src', 'verifier');
const ALLOWED = /^(\.\/[a-z0-9-]+\.js|@noble\/[a-z-]+\/[a-z0-9./-]+|canonicalize|pkijs|asn1js|@sinclair\/typebox(?:\/value)?)$/;

describe('src/verifier stands alone', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));

  it.each(files)('%s imports only the verifier, @noble/*, canonicalize, pkijs, asn1js and TypeBox', (file) => {
    const source = readFileSync(join(dir, file), 'utf8');
    const specifiers = [...source.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"]([^'"]+)['"]/g)].map((m) => m[1]);
    expect(specifiers.filter((s) => !ALLOWED.test(s))).toEqual([]);
  });

  it('reads the folder', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'rfc6962.ts',
        'merkle-proofs.ts',
        'rights-book.ts',
        'rights-events.ts',
        'rights-rules.ts',
        'timestamp-token.ts',
      ]),
    );
  });
});
