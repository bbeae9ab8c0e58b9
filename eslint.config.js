// @ts-check
import tseslint from 'typescript-eslint';

// ---------------------------------------------------------------------------------------------
// Dependency rules (docs/architecture.md, "Layers and their rules"). Each area lists everything
// it may not import: ESLint replaces, not merges, a rule's options when a later block matches the
// same file, so the most specific area comes last and repeats the rules above it.
// test/unit/architecture-rules.test.ts proves these fire.
// ---------------------------------------------------------------------------------------------

/** Libraries only an adapter may touch: the store's, the bus's, the RPC layer's, the metrics'. */
const ADAPTER_LIBRARIES = {
  group: [
    'typeorm',
    'typeorm/*',
    'mysql2',
    'mysql2/*',
    'better-sqlite3',
    'amqplib',
    'amqplib/*',
    '@connectrpc/*',
    '@grpc/*',
    '@bufbuild/*',
    'prom-client',
  ],
  message: 'only src/adapters (and src/rpc-kit for Connect/gRPC) touch this library',
};

/** A relative import that climbs into one of `folders` of src/. */
function reaches(folders, message) {
  return { regex: `^(\\.\\./)+(${folders.join('|')})(/|$)`, message };
}

const NO_COMPOSITION = {
  regex: '^(\\.\\./)+(composition/|server\\.js$|cli\\.js$|index\\.js$)',
  message: 'only the composition root (src/server.ts, src/composition) wires the layers together',
};

const coreRules = [
  ADAPTER_LIBRARIES,
  reaches(
    ['adapters', 'rpc-kit', 'gen', 'plugins'],
    'src/core is the domain: it never imports an adapter, the RPC kit, generated code or a plugin; put a port beside the domain and implement it in src/adapters',
  ),
  NO_COMPOSITION,
];

const contractRules = [
  ADAPTER_LIBRARIES,
  {
    regex: '^\\.\\./',
    message: 'src/core/contract is the plugin contract: it imports nothing else of the project',
  },
];

const rpcKitRules = [
  {
    group: ['typeorm', 'typeorm/*', 'amqplib', 'amqplib/*', 'prom-client'],
    message: 'src/rpc-kit is a generic RPC kit: no store, bus or metrics library',
  },
  reaches(
    ['core', 'adapters', 'plugins'],
    'src/rpc-kit is generic: it knows no notification concept (no src/core, no src/adapters, no plugin)',
  ),
  NO_COMPOSITION,
];

const PLUGIN_MESSAGE =
  'a plugin imports only the contract (src/core/contract) and the HTTP kit (src/plugins/http-kit)';

/** Plugin rules for a file directly in src/plugins/<id>/, allowed to reach the sibling folders in `siblings`. */
function pluginRules(siblings) {
  return [
    ADAPTER_LIBRARIES,
    { regex: '^(\\.\\./)+core/(?!contract/)', message: PLUGIN_MESSAGE },
    reaches(['adapters', 'rpc-kit', 'gen'], PLUGIN_MESSAGE),
    NO_COMPOSITION,
    {
      regex: `^\\.\\./(?!${[...siblings.map((folder) => `${folder}/`), '\\.\\./'].join('|')})`,
      message: `${PLUGIN_MESSAGE}; another plugin's folder is off limits`,
    },
  ];
}

const adapterRules = [
  reaches(['plugins'], 'an adapter implements a port of src/core; it never imports a plugin'),
  NO_COMPOSITION,
];

/** The runtime never loads test code: vitest and the test kit are the plugin author's dev concern. */
const NO_TEST_CODE = [
  {
    group: ['vitest', 'vitest/*'],
    message: 'src/ is the runtime: vitest belongs to test/ (the test kit is test/kit)',
  },
  { regex: '^(\\.\\./)+test/', message: 'src/ is the runtime: it never imports test code' },
];

/** @param {string[]} files @param {object[]} patterns */
function restrict(files, patterns) {
  return {
    files,
    rules: { 'no-restricted-imports': ['error', { patterns: [...patterns, ...NO_TEST_CODE] }] },
  };
}

export const dependencyRules = [
  restrict(['src/**/*.ts'], []),
  restrict(['src/adapters/**/*.ts'], adapterRules),
  restrict(['src/core/**/*.ts'], coreRules),
  restrict(['src/core/contract/**/*.ts'], contractRules),
  restrict(['src/rpc-kit/**/*.ts'], rpcKitRules),
  restrict(['src/plugins/**/*.ts'], pluginRules(['http-kit']).slice(0, 4)),
  restrict(['src/plugins/*/*.ts'], pluginRules(['http-kit'])),
  restrict(['src/plugins/feishu-*/*.ts'], pluginRules(['http-kit', 'feishu-common'])),
  restrict(['src/plugins/http-kit/*.ts'], pluginRules([])),
];

export default tseslint.config(
  { ignores: ['dist/**', 'src/gen/**', 'node_modules/**', 'coverage/**', 'templates/**'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true },
      ],
    },
  },
  ...dependencyRules,
  {
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
);
