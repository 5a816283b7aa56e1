import { readFileSync } from 'node:fs';

/** This package's version (read from its package.json, one folder above src/ and dist/). */
export const SERVER_VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** The GUI's files (`server/public`, next to src/ and dist/). */
export const PUBLIC_DIR: URL = new URL('../public/', import.meta.url);
