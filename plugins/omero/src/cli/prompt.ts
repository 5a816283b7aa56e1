import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { StorageError } from '@bioimageit/core';

/**
 * Asks a question on the terminal; with `secret` nothing typed is echoed (passwords). Rejects
 * INVALID when stdin is not a terminal, so scripts use environment variables instead of hanging.
 */
export function terminalPrompt(question: string, secret: boolean): Promise<string> {
  if (process.stdin.isTTY !== true) {
    return Promise.reject(
      new StorageError('INVALID', `cannot ask '${question.trim()}' without a terminal: set BIOIMAGEIT_OMERO_USER and BIOIMAGEIT_OMERO_PASSWORD`, {
        details: { reason: 'login' },
      }),
    );
  }
  let muted = false;
  const output = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      if (!muted) process.stderr.write(chunk);
      callback();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  return new Promise((resolve) => {
    rl.question(question, (answer) => {
      rl.close();
      if (secret) process.stderr.write('\n');
      resolve(answer);
    });
    muted = secret;
  });
}
