/**
 * Writes src/client/api-types.ts, the types of the typed client, from the OpenAPI document the
 * server builds from its routes (no server is started): `npm run generate:client` (and every
 * build). `--check` writes nothing and exits 1 when the file is not what it would write.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';
import { apiRoutes } from '../src/api/api-routes.js';
import type { ServerContext } from '../src/api/server-context.js';
import { SERVER_VERSION } from '../src/server-version.js';
import { generateApiTypes } from './api-types-generator.js';

/** Where the generated types live. */
export const API_TYPES_FILE = fileURLToPath(new URL('../src/client/api-types.ts', import.meta.url));

/** The generated file's text, formatted as the repository formats TypeScript. */
export async function apiTypesSource(): Promise<string> {
  const { document } = apiRoutes({ version: SERVER_VERSION } as ServerContext);
  const options = (await resolveConfig(API_TYPES_FILE)) ?? {};
  return format(generateApiTypes(document), { ...options, filepath: API_TYPES_FILE });
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const source = await apiTypesSource();
  if (process.argv.includes('--check')) {
    const current = await readFile(API_TYPES_FILE, 'utf8').catch(() => '');
    if (current !== source) {
      process.stderr.write(`${API_TYPES_FILE} is out of date: run npm run generate:client -w @bioimageit/server\n`);
      process.exit(1);
    }
  } else {
    await writeFile(API_TYPES_FILE, source);
    process.stdout.write(`wrote ${API_TYPES_FILE}\n`);
  }
}
