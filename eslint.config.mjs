// Lint guards the habits that tests cannot see: forgotten awaits, non-exhaustive switches,
// and I/O or Node modules creeping into deterministic workflow code.
import tseslint from 'typescript-eslint';

const workflowForbidden = [
  { group: ['node:*', 'fs', 'path', 'crypto', 'http', 'https', 'net', 'child_process', 'os'], message: 'Workflow code runs in a deterministic sandbox: do I/O in an activity.' },
  { group: ['typeorm', 'pg', 'nodemailer', '@nestjs/*', 'class-validator', 'class-transformer', 'reflect-metadata'], message: 'Workflow code must not load I/O libraries or framework code.' },
  { group: ['**/libs/persistence/**', '**/libs/mail/**', '**/libs/config/**', '**/libs/platform/**', '**/apps/**', '@temporalio/activity', '@temporalio/client', '@temporalio/worker'], message: 'Workflows import only sandbox-safe modules: libs/contracts, libs/domain, @temporalio/workflow.' },
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.data/**', '.tools/**', 'eslint.config.mjs', 'jest.config.js', 'apps/web/dist/**', 'apps/web/src/api/schema.d.ts'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    // The web app is its own TypeScript project (DOM, JSX, bundler resolution); its Vite config runs in Node.
    files: ['apps/web/**/*.ts', 'apps/web/**/*.tsx'],
    languageOptions: {
      parserOptions: {
        projectService: false,
        project: ['apps/web/tsconfig.json', 'apps/web/tsconfig.node.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['workflows/**/*.ts', 'libs/contracts/**/*.ts', 'libs/domain/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: workflowForbidden }] },
  },
  {
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-empty-function': 'off' },
  },
);
