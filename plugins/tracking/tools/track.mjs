#!/usr/bin/env node
// tracking.track: the tool script; its logic is trackCommand in @bioimageit/tracking (src/track-command.ts).
import { trackCommand } from '@bioimageit/tracking';

await trackCommand(process.argv.slice(2));
