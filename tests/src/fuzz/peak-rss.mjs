// Loaded with `node --import` into a process under test: writes its peak resident set size (KiB)
// to the file named by BIOIMAGEIT_PEAK_RSS_FILE when it exits.
import { writeFileSync } from 'node:fs';

const file = process.env.BIOIMAGEIT_PEAK_RSS_FILE;
if (file) process.on('exit', () => writeFileSync(file, String(process.resourceUsage().maxRSS)));
