#!/usr/bin/env node
// The script every model.<id> tool starts; its logic is runModelCommand in @bioimageit/model-zoo (src/run-model-command.ts).
import { runModelCommand } from '@bioimageit/model-zoo';

await runModelCommand(process.argv.slice(2));
