// Child process for the resident-memory spec: N deconvolutions after a warm-up, RSS after gc().
// Run with --expose-gc; prints {"before":bytes,"after":bytes}.
import { createRequire } from 'node:module';

const [addonPath, calls] = [process.argv[2], Number(process.argv[3])];
const addon = createRequire(import.meta.url)(addonPath);
const shape = [16, 32, 32];
const image = Float32Array.from({ length: 16 * 32 * 32 }, (_, i) => 1 + (i % 17));
const psf = new Float32Array(125).fill(1 / 125);
const once = () => addon.deconvolve({ image, shape, psf, psfShape: [5, 5, 5], iterations: 2, planner: 'estimate', threads: 1 }).promise;
const settle = async () => {
  for (let i = 0; i < 3; i++) {
    globalThis.gc();
    await new Promise((r) => setTimeout(r, 20));
  }
};
for (let i = 0; i < 20; i++) await once();
await settle();
const before = process.memoryUsage().rss;
for (let i = 0; i < calls; i++) await once();
await settle();
const after = process.memoryUsage().rss;
process.stdout.write(JSON.stringify({ before, after }));
