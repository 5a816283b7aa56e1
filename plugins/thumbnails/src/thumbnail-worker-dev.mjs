// Starts the thumbnail worker from its TypeScript source (tests and `tsx` runs, where no built
// thumbnail-worker.js exists): registers tsx in this thread, then loads the entry it is given.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
