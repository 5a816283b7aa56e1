// Child process for the wisdom spec: one MEASURE-planned deconvolution of a fixed shape with the
// given wisdom folder, twice; prints the plan sources and planning times of both calls.
import { createRequire } from 'node:module';

const [addonPath, wisdomDir] = [process.argv[2], process.argv[3]];
const addon = createRequire(import.meta.url)(addonPath);
const shape = [20, 40, 40];
const image = Float32Array.from({ length: 20 * 40 * 40 }, (_, i) => 1 + (i % 13));
const psf = new Float32Array(125).fill(1 / 125);
const run = () => addon.deconvolve({ image, shape, psf, psfShape: [5, 5, 5], iterations: 1, planner: 'measure', wisdomDir, threads: 1 }).promise;
const first = await run();
const second = await run();
process.stdout.write(JSON.stringify([first, second].map((r) => ({ source: r.planSource, ms: r.planMs }))));
