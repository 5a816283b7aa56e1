#!/usr/bin/env node
// tracking.detect-spots: the tool script; its logic is detectSpotsCommand in @bioimageit/tracking (src/detect-command.ts).
import { detectSpotsCommand } from '@bioimageit/tracking';

await detectSpotsCommand(process.argv.slice(2));
