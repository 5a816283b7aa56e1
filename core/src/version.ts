/** Version of @bioimageit/core, checked against plugins' `engines.core` ranges (a spec keeps it equal to package.json). */
export const CORE_VERSION = '0.1.0';
