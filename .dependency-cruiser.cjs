/**
 * dependency-cruiser configuration of `npm run check:cycles`: no import cycle in the sources of
 * the repository (type-only imports count; cycles through another workspace package count, as
 * `@bioimageit/*` imports resolve to their sources through the `source` export condition).
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle: move what both sides need into a module both import, or pass a narrow interface.',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules|build|test-output|coverage)/|^cli/bundle[.a-z0-9-]*/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.check.json' },
    enhancedResolveOptions: {
      conditionNames: ['source', 'import', 'node', 'default'],
      exportsFields: ['exports'],
      mainFields: ['module', 'main', 'types'],
      extensions: ['.ts', '.mts', '.d.mts', '.d.ts', '.js', '.mjs', '.json'],
    },
  },
};
