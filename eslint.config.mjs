import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The layers of src/, top down (CONTRIBUTING.md, "Layout"): a folder imports its own files and
// folders of lower layers, never a higher layer and never a peer of its own layer. Where one folder
// serves another of the same kind, it sits a step lower: the CLI is a terminal client of the admin
// endpoint, transports put breaker facts on spans with telemetry's span helpers, the registry builds
// breakers from validated config. Root entry files (index, instrumentation*, register*,
// enabled-services) import anything and nothing imports them; semconv.ts imports nothing of ours
// and anyone may import it.
const LAYERS = [
  ['auto'],
  ['cli'],
  ['admin'],
  ['transport', 'agents', 'resilience'],
  ['telemetry'],
  ['fleet'],
  ['store'],
  ['registry'],
  ['config'],
  ['core'],
];
const ENTRY_FILES = '(index|instrumentation[a-z-]*|register[a-z-]*|enabled-services)(\\.js)?';

function layerRules(folder, layer) {
  const higher = LAYERS.slice(0, layer).flat();
  const peers = LAYERS[layer].filter((f) => f !== folder);
  const patterns = [
    ...higher.map((f) => ({
      regex: `^(\\.\\./)+${f}(/|$)`,
      message: `src/${folder}/ may not import src/${f}/: imports point down the layers only (see eslint.config.mjs).`,
    })),
    ...peers.map((f) => ({
      regex: `^(\\.\\./)+${f}(/|$)`,
      message: `src/${folder}/ may not import its peer src/${f}/: move what both need to a lower layer.`,
    })),
  ];
  if (folder !== 'auto')
    patterns.push({
      regex: `^(\\.\\./)+${ENTRY_FILES}$`,
      message: `src/${folder}/ may not import an entry file: only the entry wires everything.`,
    });
  return {
    files: [`src/${folder}/**/*.ts`],
    rules: { 'no-restricted-imports': ['error', { patterns }] },
  };
}

const layerConfigs = [
  ...LAYERS.flatMap((folders, layer) => folders.map((f) => layerRules(f, layer))),
  {
    // One job per file: past 300 lines a file is doing two.
    files: ['src/**/*.ts', 'src/**/*.js', 'src/**/*.mjs'],
    rules: { 'max-lines': ['error', { max: 300 }] },
  },
  {
    files: ['src/semconv.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^\\.', message: 'semconv.ts imports nothing of ours.' }] },
      ],
    },
  },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'test-artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setImmediate: 'readonly',
        queueMicrotask: 'readonly',
        performance: 'readonly',
        URL: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
        fetch: 'readonly',
        Response: 'readonly',
        Headers: 'readonly',
        Buffer: 'readonly',
        globalThis: 'readonly',
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    // The status page's script runs in the browser as a classic script (inlined, no modules).
    files: ['src/admin/assets/**/*.js'],
    languageOptions: {
      ecmaVersion: 2020,
      sourceType: 'script',
      globals: {
        document: 'readonly',
        sessionStorage: 'readonly',
        EventSource: 'readonly',
        fetch: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        process: 'off',
        require: 'off',
        module: 'off',
        __dirname: 'off',
        Buffer: 'off',
      },
    },
  },
  ...layerConfigs,
);
