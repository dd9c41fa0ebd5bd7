// The shared rules are bundled into the console as they are: they may import only their own files and src/verifier.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '..', '..', 'src', 'domain-rules');
const ALLOWED = /^(\.\/[a-z0-9-]+\.js|\.\.\/verifier\/[a-z0-9-]+\.js)$/;

describe('src/domain-rules stands alone', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));

  it.each(files)('%s imports only its own files and the verifier', (file) => {
    const source = readFileSync(join(dir, file), 'utf8');
    const specifiers = [...source.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"]([^'"]+)['"]/g)].map((m) => m[1]);
    expect(specifiers.filter((s) => !ALLOWED.test(s))).toEqual([]);
  });

  it('reads the folder', () => {
    expect(files).toEqual(expect.arrayContaining(['disputes.ts', 'digital-source-types.ts']));
  });
});
