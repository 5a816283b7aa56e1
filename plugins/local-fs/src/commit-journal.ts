import { readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomicStamped } from './atomic-write.js';
import { toUnixRelative } from './path-safety.js';
import { errnoCode } from './storage-failure.js';

/** What a write transaction is about to put into a dataset folder (`.bioimageit/journal.json`). */
interface JournalDoc {
  /** The dataset folder, relative to the experiment folder, in unix form (`data`, `threshold`). */
  readonly folder: string;
  /** Names of the files the transaction creates there: data files and item files. */
  readonly files: readonly string[];
}

/** Tells whether file `name` of dataset folder `folder` (absolute) is part of a committed dataset. */
export type CommittedFileTest = (folder: string, name: string) => boolean;

/**
 * The undo journal of the write transactions that put files into a dataset folder before their
 * commit point (the dataset file's rewrite): item files, and data files moved or copied in. It is
 * written (no flush: it only serves cleanup) before the first file is placed and removed once the
 * transaction ended, committed or undone. A journal found while holding the experiment lock is
 * therefore the trace of a writer killed mid-transaction: {@link recover} deletes the files it
 * lists that the dataset does not list — never a committed one — and the journal itself.
 * Requires the experiment lock throughout.
 */
export class CommitJournal {
  constructor(
    private readonly root: string,
    readonly file: string,
  ) {}

  /** Records the files a transaction is about to create in `folder` (absolute). */
  async begin(folder: string, files: readonly string[]): Promise<void> {
    const doc: JournalDoc = { folder: toUnixRelative(this.root, folder), files };
    await writeFileAtomicStamped(this.file, JSON.stringify(doc), { fsync: false });
  }

  /** The transaction ended (committed, or undone by itself): forgets it. */
  async end(): Promise<void> {
    await unlink(this.file).catch(() => undefined);
  }

  /**
   * Undoes what an interrupted transaction left: deletes each listed file `isCommitted` rejects,
   * then the journal. Resolves with the number of files deleted (0 when there was no journal).
   */
  async recover(isCommitted: CommittedFileTest): Promise<number> {
    let doc: JournalDoc;
    try {
      doc = parseJournal(await readFile(this.file, 'utf8'));
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return 0;
      await this.end(); // unreadable: cut off while being written, before any file was placed
      return 0;
    }
    const folder = path.resolve(this.root, doc.folder);
    let removed = 0;
    for (const name of doc.files) {
      if (isCommitted(folder, name)) continue;
      await unlink(path.join(folder, name)).then(
        () => removed++,
        () => undefined,
      );
    }
    await this.end();
    return removed;
  }
}

/** A journal's JSON; throws when it is not one (including names that would leave their folder). */
function parseJournal(text: string): JournalDoc {
  const value = JSON.parse(text) as Partial<JournalDoc>;
  const plain = (name: unknown): name is string => typeof name === 'string' && name !== '' && !/[/\\]/.test(name) && name !== '.' && name !== '..';
  if (typeof value.folder !== 'string' || value.folder.split('/').includes('..') || path.isAbsolute(value.folder)) throw new Error('bad journal folder');
  if (!Array.isArray(value.files) || !value.files.every(plain)) throw new Error('bad journal files');
  return { folder: value.folder, files: value.files };
}
