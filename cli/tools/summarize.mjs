#!/usr/bin/env node
// bioimageit.summarize (reduce): node summarize.mjs --tables LIST.txt --output SUMMARY.csv
// LIST.txt names one object table (from count-objects) per line; the summary has one row per
// table, sorted by input (the table's file name without .csv): input, objects, mean_size (voxels).
import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { formatCsv, parseCsv } from '@bioimageit/core/formats';
import { summarizeObjectTable, summaryTableRows } from './lib/object-tables.mjs';
import { progress, runToolScript } from './lib/tool-script.mjs';

await runToolScript('summarize', ['tables', 'output'], async (args) => {
  const list = await readFile(args.tables, 'utf8').catch((error) => {
    throw new Error(`cannot read the list of tables ${args.tables} (${error.message})`);
  });
  const files = list
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
  if (files.length === 0) throw new Error(`the list of tables ${args.tables} is empty`);
  const summaries = [];
  for (const [k, file] of files.entries()) {
    const text = await readFile(file, 'utf8').catch((error) => {
      throw new Error(`cannot read table ${file} (${error.message})`);
    });
    summaries.push({ input: basename(file).replace(/\.csv$/i, ''), ...summarizeObjectTable(parseCsv(text, { path: file }), file) });
    progress(((k + 1) / files.length) * 90);
  }
  summaries.sort((a, b) => (a.input < b.input ? -1 : a.input > b.input ? 1 : 0));
  await writeFile(args.output, formatCsv(summaryTableRows(summaries)));
  process.stdout.write(`summarized ${files.length} table(s)\n`);
  progress(100);
});
