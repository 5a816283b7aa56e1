#!/usr/bin/env node
// A stand-in for the OMERO CLI's `omero import` in tests: joins the session given with -k at the
// fake's stand-in for the OMERO server (-s/-p, from /api/v0/servers/) and creates one Image, printing
// `Image:<id>` on stdout as the real CLI does. Usage: import -s HOST -p PORT -k KEY -d DATASET -n NAME -- FILE
// FAKE_OMERO_CLI_FAIL=<text> makes the import of a file whose path contains <text> fail.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';

const argv = process.argv.slice(2);
if (argv[0] !== 'import') {
  process.stderr.write(`fake omero: unsupported command ${argv[0] ?? ''}\n`);
  process.exit(2);
}
const opts = {};
let file;
for (let i = 1; i < argv.length; i++) {
  if (argv[i] === '--') file = argv[++i];
  else if (argv[i].startsWith('-')) opts[argv[i]] = argv[++i];
  else file = argv[i];
}
if (process.env.FAKE_OMERO_CLI_FAIL && file.includes(process.env.FAKE_OMERO_CLI_FAIL)) {
  process.stderr.write('ERROR: import failed: Ice.ConnectionRefusedException\n');
  process.exit(1);
}
const content = (await readFile(file)).toString('base64');
const res = await fetch(`http://${opts['-s']}:${opts['-p']}/__fake__/import/`, {
  method: 'POST',
  headers: { 'content-type': 'application/json', 'x-omero-session-key': opts['-k'] },
  body: JSON.stringify({ dataset: Number(opts['-d']), name: opts['-n'] ?? basename(file), fileName: basename(file), content }),
});
const body = await res.json();
if (res.status !== 200) {
  process.stderr.write(`ERROR: ${body.message}\n`);
  process.exit(1);
}
process.stderr.write(`Imported ${file}\n`);
process.stdout.write(`Image:${body.image}\n`);
