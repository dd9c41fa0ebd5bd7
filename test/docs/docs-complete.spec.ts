// The documentation covers what the code has, and the repository refers to nothing outside it: every event type in the
// catalogue, every route in the API reference and the README, every environment variable the configuration reads in
// the configuration page, and every relative link resolving to a file of the repository.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ROOT } from '../../src/bench/processes.js';

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

function files(dir: string, keep: (path: string) => boolean): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) out.push(...files(path, keep));
    else if (keep(path)) out.push(path);
  }
  return out;
}

const DOCS = ['README.md', ...files('docs', (p) => p.endsWith('.md')), ...files('src', (p) => p.endsWith('README.md'))];

/** Every route the controllers declare: method and full path, e.g. `POST /v1/filings/:id/labels/verify`. */
function routes(): string[] {
  const out: string[] = [];
  for (const file of files('src', (p) => p.endsWith('.controller.ts'))) {
    const source = read(file);
    for (const cls of source.split(/^@Controller\(/m).slice(1)) {
      const prefix = /^(?:'([^']*)')?\)/.exec(cls)?.[1] ?? '';
      for (const m of cls.matchAll(/^\s*@(Get|Post|Delete|Put|Patch)\((?:'([^']*)')?\)/gm)) {
        const path = ['', prefix, m[2] ?? ''].filter((s, i) => i === 0 || s !== '').join('/');
        out.push(`${m[1].toUpperCase()} ${path === '' ? '/' : path}`);
      }
    }
  }
  return out;
}

describe('the documentation', () => {
  it('lists every event type with its stream and fields in the event catalogue', () => {
    const catalogue = read('docs/event-catalogue.md');
    const types = new Set<string>();
    for (const file of [...files('src', (p) => p.endsWith('.events.ts')), 'src/verifier/rights-events.ts'])
      for (const m of read(file).matchAll(/DomainEvent<\s*'(\w+)'/g)) types.add(m[1]);
    expect(types.size).toBeGreaterThanOrEqual(24);
    const missing = [...types].filter((t) => !new RegExp(`^\\| \`${t}\` \\|`, 'm').test(catalogue));
    expect(missing).toEqual([]);
  });

  it('gives every route of every controller in the API reference', () => {
    const api = read('docs/api.md');
    const all = routes();
    expect(all.length).toBeGreaterThan(40);
    // A route is documented when its path appears after its method (query strings and bodies may follow the path).
    const documented = (route: string) => {
      const [method, path] = route.split(' ');
      const escaped = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      return new RegExp(`\`${method} ${escaped}(?=[\`?\\s])`).test(api);
    };
    expect(all.filter((r) => !documented(r))).toEqual([]);
  });

  it('names every environment variable the configuration reads, with its default', () => {
    const config = read('src/config.ts');
    const page = read('docs/configuration.md');
    // Read as env.NAME, or by name (the numbers: int(env, 'NAME', default)).
    const vars = [...new Set([...config.matchAll(/env\.([A-Z][A-Z0-9_]+)|int\(env, '([A-Z][A-Z0-9_]+)'/g)].map((m) => m[1] ?? m[2]))];
    expect(vars).toContain('LEDGER_UPLOAD_LIMIT');
    expect(vars.filter((v) => !page.includes(`\`${v}\``))).toEqual([]);
  });

  it('refers to nothing outside the repository', () => {
    const texts = [
      ...DOCS,
      ...files('src', (p) => p.endsWith('.ts')),
      ...files('test', (p) => p.endsWith('.ts')),
      'package.json',
      'Dockerfile',
      'docker-compose.yml',
    ].filter((p) => existsSync(join(ROOT, p)));
    const outside = /\bSPEC\.md\b|\bSTYLE\.md\b|\.\.\/shared\/|\bSPEC \d+(\.\d+)*\b/;
    const self = 'test/docs/docs-complete.spec.ts';
    expect(texts.filter((p) => p !== self && outside.test(read(p)))).toEqual([]);
  });

  it('has no relative link that leads nowhere, nor outside the repository', () => {
    const broken: string[] = [];
    for (const doc of DOCS) {
      for (const m of read(doc).matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1].split('#')[0];
        if (target === '' || /^[a-z]+:/.test(target)) continue;
        const path = resolve(ROOT, dirname(doc), target);
        if (relative(ROOT, path).startsWith('..') || !existsSync(path)) broken.push(`${doc} → ${m[1]}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('links the module READMEs from the documentation', () => {
    const readme = read('README.md');
    for (const module of files('src', (p) => p.endsWith('README.md'))) expect(readme).toContain(`](${module})`);
  });
});
