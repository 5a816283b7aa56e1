import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { REPO } from './fixture-workspace.js';

/** Where browser tests write their screenshots (git-ignored). */
export const SCREENSHOTS = join(REPO, 'server/test-output');

/** Debian's Chromium, or undefined when it is not installed. */
export function findChromium(): string | undefined {
  try {
    return execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Launches headless Chromium with the flags of the feasibility notes (no sandbox, GPU, network services), plus --disable-dev-shm-usage for containers with a small /dev/shm. */
export async function launchChromium(executablePath: string): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}
