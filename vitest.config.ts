import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['source', 'import', 'module', 'node', 'default'] },
  ssr: { resolve: { conditions: ['source', 'import', 'module', 'node', 'default'] } },
  test: {
    include: [
      'core/src/**/*.spec.ts',
      'plugins/*/src/**/*.spec.ts',
      'plugins/*/test/**/*.spec.ts',
      'server/src/**/*.spec.ts',
      'cli/src/**/*.spec.ts',
      'tests/**/*.spec.ts',
    ],
    globalSetup: ['tests/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
