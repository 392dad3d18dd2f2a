import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'coverage/**', 'node_modules/**', 'test-output/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
      // The guard's checks throw a Refusal (an answer, not a failure: no stack) and catch it in one place.
      '@typescript-eslint/only-throw-error': ['error', {
        allow: [{ from: 'file', name: 'Refusal', path: 'middleware/refusal.ts' }],
      }],
      'max-len': ['error', {
        code: 140,
        ignoreUrls: true,
        ignoreStrings: true,
        ignoreTemplateLiterals: true,
        ignoreRegExpLiterals: true,
      }],
    },
  },
  {
    files: ['test/**', 'bench/**', 'example-app/**', 'scripts/**'],
    rules: { 'no-console': 'off', '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
  {
    files: ['test/**'],
    // supertest's res.body (and JSON.parse / fetch().json()) is `any` by design; every other type-checked rule stays on.
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // docs/examples/ are whole programs a reader runs: they print where they listen.
    files: ['lib/emulator/cli.ts', 'docs/examples/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // Plain JavaScript (scripts/*.mjs, this config) is outside tsconfig.json: lint it untyped.
    files: ['**/*.mjs', '**/*.js', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['scripts/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
