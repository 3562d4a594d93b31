// @ts-check
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

/**
 * The layers of src/ (DESIGN.md): what each folder may import from the others. Anything not
 * listed is refused by the lint, so a reporter cannot reach into the engine's insides and the
 * engine cannot print. cli/ and index.ts sit on top and may import everything.
 */
const LAYERS = {
  bytes: [],
  diagnostics: [],
  files: [],
  source: ['bytes', 'diagnostics'],
  protocol: ['bytes', 'diagnostics'],
  link: ['bytes', 'diagnostics', 'protocol'],
  simulator: ['bytes', 'diagnostics', 'source', 'protocol', 'link'],
  engine: ['bytes', 'diagnostics', 'source', 'protocol', 'link'],
  report: ['bytes', 'diagnostics', 'files', 'source', 'protocol', 'engine'],
  replay: ['bytes', 'diagnostics', 'files', 'source', 'protocol', 'link', 'engine'],
  targets: ['bytes', 'diagnostics', 'files', 'source', 'protocol', 'link', 'simulator', 'engine', 'replay'],
  // Scenarios written from a doc page, a pasted log or a terminal session.
  authoring: ['bytes', 'diagnostics', 'files', 'source', 'protocol', 'link', 'replay', 'targets'],
}
const FOLDERS = [...Object.keys(LAYERS), 'cli']

/** Packages that do I/O, and who may use them. */
const SERIALPORT = { group: ['serialport', '@serialport/*'], message: 'Only link/ and simulator/ touch serialport.' }
const PURE = {
  group: ['serialport', '@serialport/*', 'execa', 'listr2', 'ws', 'node:fs*', 'node:net', 'node:child_process'],
  message: 'bytes/, protocol/ and diagnostics/ stay free of I/O.',
}

/** One config per layer: its forbidden folders, plus the package rules that hold for it. */
const layerConfigs = Object.entries(LAYERS).map(([folder, allowed]) => {
  const forbidden = FOLDERS.filter((f) => f !== folder && !allowed.includes(f))
  const packages = ['bytes', 'protocol', 'diagnostics'].includes(folder) ? [PURE] : folder === 'link' || folder === 'simulator' ? [] : [SERIALPORT]
  return {
    files: [`src/${folder}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            ...packages,
            {
              group: forbidden.flatMap((f) => [`../${f}/*`, `../../${f}/*`]),
              message: `${folder}/ may import only from ${allowed.length ? allowed.join(', ') : 'itself'} (the layers in eslint.config.js, DESIGN.md).`,
            },
          ],
        },
      ],
    },
  }
})

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'reports/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
      // An async method that implements a Promise-returning interface (a serialport binding, a
      // sink's close) reads better as `async` than as `Promise.resolve()` threaded through.
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Only the CLI and the tests talk to the console and to process-wide state.
    files: ['src/cli/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['src/cli/**/*.ts', 'src/index.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [SERIALPORT] }] },
  },
  ...layerConfigs,
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
)
