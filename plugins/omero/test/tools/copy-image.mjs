// Copies argv[2] to argv[3]: the analysis of the OMERO end-to-end tests.
import { copyFile } from 'node:fs/promises';

await copyFile(process.argv[2], process.argv[3]);
