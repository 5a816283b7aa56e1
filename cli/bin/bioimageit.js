#!/usr/bin/env node
// The bioimageit command: runs the built CLI (npm run build).
await import('../dist/main.js');
