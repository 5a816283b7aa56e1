#!/usr/bin/env node
// tracking.render-tracks: the tool script; its logic is renderTracksCommand in @bioimageit/tracking (src/render-command.ts).
import { renderTracksCommand } from '@bioimageit/tracking';

await renderTracksCommand(process.argv.slice(2));
