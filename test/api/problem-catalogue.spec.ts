// The OpenAPI document lists problem types from one catalogue (PROBLEM_STATUS): every problem code the source can throw
// must be in it, with the status its kind maps to, or a route could answer a problem its document does not name.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROBLEM_STATUS } from '../../src/common/api-docs.js';
import { ROOT } from '../../src/bench/processes.js';

const STATUS_OF_KIND: Record<string, number> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  'not-found': 404,
  timeout: 408,
  conflict: 409,
  'too-large': 413,
  unprocessable: 422,
  unavailable: 503,
};
/** The helpers that build a DomainError of one kind from a literal code (src/common/domain-error.ts and local ones). */
const HELPERS: Record<string, string> = {
  invalid: 'invalid',
  forbidden: 'forbidden',
  notFound: 'not-found',
  tooLarge: 'too-large',
  unprocessable: 'unprocessable',
  conflict: 'conflict',
  copyRefused: 'unprocessable',
};

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') && !e.name.endsWith('.spec.ts') ? [join(dir, e.name)] : [],
  );
}

/** Every (code, status) a source file throws with a literal code. */
function thrownProblems(): Array<{ code: string; status: number; file: string }> {
  const found: Array<{ code: string; status: number; file: string }> = [];
  for (const file of sources(join(ROOT, 'src'))) {
    const text = readFileSync(file, 'utf8');
    const name = file.slice(ROOT.length + 1);
    for (const m of text.matchAll(/new DomainError\(\s*'([a-z-]+)',\s*'([a-z0-9-]+)'/g))
      found.push({ code: m[2], status: STATUS_OF_KIND[m[1]], file: name });
    for (const m of text.matchAll(/\b(invalid|forbidden|notFound|tooLarge|unprocessable|conflict|copyRefused)\(\s*'([a-z0-9-]+)'/g))
      found.push({ code: m[2], status: STATUS_OF_KIND[HELPERS[m[1]]], file: name });
    // A file's own `refused` helper: its kind is in its definition.
    const refused = /const refused = \([^)]*\)\s*=>\s*(?:new DomainError\('([a-z-]+)'|(invalid|unprocessable|conflict)\()/.exec(text);
    if (refused)
      for (const m of text.matchAll(/\brefused\(\s*'([a-z0-9-]+)'/g))
        found.push({ code: m[1], status: STATUS_OF_KIND[refused[1] ?? HELPERS[refused[2]]], file: name });
  }
  return found;
}

describe('the problem catalogue', () => {
  it('names every problem the source throws, with the status of its kind', () => {
    const thrown = thrownProblems();
    expect(thrown.length).toBeGreaterThan(100);
    const catalogue = PROBLEM_STATUS as Record<string, number | readonly number[]>;
    const wrong = thrown
      .filter((p) => ![catalogue[p.code]].flat().includes(p.status))
      .map((p) => `${p.file}: ${p.code} ${p.status} (catalogue: ${String(catalogue[p.code])})`);
    expect([...new Set(wrong)]).toEqual([]);
  });
});
