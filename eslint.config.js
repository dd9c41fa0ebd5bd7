import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const root = import.meta.dirname;
const tsconfig = `${root}/tsconfig.test.json`;
// The console (web/) is its own program: browser types, Preact JSX, bundler resolution.
const webTsconfig = `${root}/web/tsconfig.json`;

// Layers of src/, lowest first: a folder (or root file) may import only itself and the layers below it,
// so no two top-level folders can ever import each other.
const layers = [
  ['verifier'],
  ['domain-rules'],
  ['common'],
  ['config.ts'],
  ['timestamp', 'witness'],
  ['ledger'],
  ['inspection'],
  ['auth', 'policy'],
  ['filing'],
  ['labeling', 'disputes'],
  ['settlement'],
  ['event-types.ts'],
  ['app.module.ts'],
  ['console'],
  ['app.factory.ts'],
  ['cli', 'bench'],
  ['main.ts'],
];

const layerZones = layers.flatMap((layer, level) => {
  const below = layers.slice(0, level).flat();
  return layer.map((unit) => ({
    target: `./src/${unit}`,
    from: './src',
    except: [unit, ...below].map((allowed) => `./${allowed}`),
    message: below.length
      ? `src/${unit} may import only src/{${below.join(',')}} (layers are listed in eslint.config.js).`
      : `src/${unit} may import no other part of src.`,
  }));
});

// The verifier is checked and run on its own, without the server or Node: its own files, @noble/*, canonicalize,
// pkijs/asn1js (X.509 and CMS of RFC 3161 tokens, over WebCrypto) and TypeBox (the event catalogue's schemas) only.
const verifierOnly =
  'src/verifier may import only its own files, @noble/*, canonicalize, pkijs, asn1js and @sinclair/typebox: no node: module, no other package.';
const notVerifierDependency = '^(?!\\.{1,2}/|@noble/|canonicalize$|pkijs$|asn1js$|@sinclair/typebox(/value)?$)';
// The shared rules are pure data and functions, bundled into the console as they are: their own files and the verifier.
const domainRulesOnly = 'src/domain-rules may import only its own files and src/verifier: no package, no node: module.';
const notDomainRulesDependency = '^(?!\\./|\\.\\./verifier/)';

export default defineConfig(
  { ignores: ['dist/**', 'web/dist/**', 'coverage/**', 'node_modules/**', 'data/**', 'test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    plugins: { 'import-x': importX },
    // One program over src and test (tsconfig.test.json), one over the console (web/tsconfig.json), serve the type-aware rules below.
    languageOptions: { parserOptions: { project: [tsconfig, webTsconfig], tsconfigRootDir: root } },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: [tsconfig, webTsconfig], noWarnOnMultipleProjects: true })],
      // Without these, import-x skips .ts dependencies when it follows imports, and no-cycle would find nothing.
      'import-x/extensions': ['.ts', '.tsx', '.js', '.mjs', '.cjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx'] },
    },
    rules: {
      // Input validation rejects control characters on purpose, so its regexes have to name them.
      'no-control-regex': 'off',
      // `_`-prefixed names mark what a signature or an omitting destructure leaves unused on purpose.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // Promises nobody awaits lose their errors and their ordering (a missed await on an append or an expect).
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/only-throw-error': 'error',
      '@typescript-eslint/prefer-promise-reject-errors': 'error',
      '@typescript-eslint/no-for-in-array': 'error',
      '@typescript-eslint/no-array-delete': 'error',
      '@typescript-eslint/no-implied-eval': 'error',
      '@typescript-eslint/unbound-method': 'error',
      // A resolver that cannot find a relative import would silently switch the layer rule off for it.
      'import-x/no-unresolved': 'error',
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'import-x/no-restricted-paths': ['error', { basePath: root, zones: layerZones }],
      // File-level cycles inside a folder too: a value read during a cycle's module loading is still undefined.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    files: ['src/verifier/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: notVerifierDependency, message: verifierOnly }] }],
      'no-restricted-syntax': [
        'error',
        // esquery regexes cannot contain a slash, hence \x2F.
        { selector: `ImportExpression[source.value=/${notVerifierDependency.replaceAll('/', '\\x2F')}/]`, message: verifierOnly },
        { selector: 'ImportExpression:not([source.type="Literal"])', message: verifierOnly },
      ],
    },
  },
  {
    files: ['src/domain-rules/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: notDomainRulesDependency, message: domainRulesOnly }] }],
      'no-restricted-syntax': [
        'error',
        { selector: 'ImportExpression', message: domainRulesOnly },
        { selector: 'CallExpression[callee.name="require"]', message: domainRulesOnly },
      ],
    },
  },
  {
    files: ['web/**/*.ts', 'web/**/*.tsx'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      // The console runs in a browser: of the server's code it may bundle only the framework-free verifier and shared rules.
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+src/(?!verifier/|domain-rules/)',
              message: 'web/ may import only src/verifier and src/domain-rules of the server code.',
            },
          ],
        },
      ],
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // Specs read untyped JSON response bodies; typing each one would only restate the assertions.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    languageOptions: { globals: { ...globals.node } },
  },
);
