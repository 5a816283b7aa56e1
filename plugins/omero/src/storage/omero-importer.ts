import { execFile } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import { StorageError } from '@bioimageit/core';
import type { Redactor } from '../client/redact.js';

/** Where and as whom `omero import` connects (the OMERO server's Ice port, not OMERO.web's). */
export interface ImportTarget {
  readonly host: string;
  readonly port: number;
  readonly sessionKey: string;
  readonly datasetId: number;
}

/** Why images cannot be added over OMERO.web alone; part of the error a user gets. */
export const NO_IMPORT_OVER_WEB =
  'OMERO.web has no import endpoint: new Images can only be imported by the OMERO CLI (`omero import`, from omero-py), OMERO.insight or the Ice API. ' +
  "Install omero-py so that `omero` is on PATH (or set BIOIMAGEIT_OMERO_CLI), or import with OMERO's own tools and tag the images here";

/** Finds an executable `name` on `PATH`. */
async function which(name: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  for (const dir of (env['PATH'] ?? '').split(path.delimiter).filter((d) => d !== '')) {
    const candidate = path.join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

/**
 * Imports files as OMERO Images by running the OMERO CLI (`omero import -s HOST -p PORT -k KEY
 * -d DATASET -n NAME FILE`), joining the session the plugin already holds. Optional: detected on
 * PATH (or configured); without it, adding raw items is UNSUPPORTED with {@link NO_IMPORT_OVER_WEB}.
 */
export class OmeroImporter {
  /** `command` is the argv prefix that runs the CLI (`['/usr/bin/omero']`). */
  constructor(
    readonly command: readonly string[],
    private readonly redactor: Redactor,
  ) {}

  /**
   * The importer to use: `configured` (argv prefix or path; `false` disables importing), else
   * `BIOIMAGEIT_OMERO_CLI`, else `omero` on PATH; undefined when none is found.
   */
  static async detect(
    configured: string | readonly string[] | false | undefined,
    env: NodeJS.ProcessEnv,
    redactor: Redactor,
  ): Promise<OmeroImporter | undefined> {
    if (configured === false) return undefined;
    if (configured !== undefined) return new OmeroImporter(typeof configured === 'string' ? [configured] : configured, redactor);
    const fromEnv = env['BIOIMAGEIT_OMERO_CLI'];
    if (fromEnv !== undefined && fromEnv !== '') return new OmeroImporter([fromEnv], redactor);
    const found = await which('omero', env);
    return found === undefined ? undefined : new OmeroImporter([found], redactor);
  }

  /** Imports one file into the target Dataset as Image `name`, resolving with the new Image ids. */
  importFile(target: ImportTarget, file: string, name: string): Promise<number[]> {
    const [cmd, ...prefix] = this.command;
    const args = [
      ...prefix,
      'import',
      '-s',
      target.host,
      '-p',
      String(target.port),
      '-k',
      target.sessionKey,
      '-d',
      String(target.datasetId),
      '-n',
      name,
      '--',
      file,
    ];
    return new Promise((resolve, reject) => {
      execFile(cmd!, args, { maxBuffer: 16 * 1024 * 1024, timeout: 3_600_000 }, (error, stdout, stderr) => {
        const ids = [...String(stdout).matchAll(/Image:([\d,]+)/g)].flatMap((m) =>
          m[1]!
            .split(',')
            .filter((s) => s !== '')
            .map(Number),
        );
        if (error || ids.length === 0) {
          const tail = this.redactor.clean(String(stderr).trim().split('\n').slice(-3).join(' | '));
          const why = error ? (typeof error.code === 'number' ? `exit status ${error.code}` : (error.code ?? error.message)) : 'no Image id printed';
          reject(
            new StorageError(
              'IO',
              `omero import of ${file} into Dataset ${target.datasetId} failed (${this.redactor.clean(String(why))})${tail ? `: ${tail}` : ''}`,
              { details: { file, dataset: target.datasetId } },
            ),
          );
          return;
        }
        resolve(ids);
      });
    });
  }
}
