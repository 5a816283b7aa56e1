// ESLint for the whole repository: typescript-eslint's recommended rules on TypeScript, ESLint's
// recommended rules on JavaScript (Node scripts and tools, and the browser GUI under
// server/public). `npm run lint`; CI runs it.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/', '**/dist/', '**/build/', 'cli/bundle*/', '**/coverage/', '**/.bench/', 'server/test-output/', 'demo-workspace/'] },
  js.configs.recommended,
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['server/public/**/*.js'],
    languageOptions: { sourceType: 'module', globals: { ...globals.browser } },
  },
  {
    files: ['**/*.ts'],
    extends: [tseslint.configs.recommended],
    rules: {
      // Unused names prefixed with an underscore are deliberate (interface-shaped parameters).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
    },
  },
);
