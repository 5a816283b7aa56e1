import { closeSync } from 'node:fs';

/**
 * A file held open on its own descriptor (that very inode, even after another file is renamed
 * over its name) for reads on demand: closed by {@link close}, or once nothing refers to the
 * holder any more (readers may still hold entries that read through it after the index moved on).
 */
export class HeldFile {
  private static readonly closer = new FinalizationRegistry<number>((fd) => {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
  });
  private open = true;

  constructor(
    readonly file: string,
    protected readonly fd: number,
  ) {
    HeldFile.closer.register(this, fd, this);
  }

  /** Throws when the holder was closed (the index closed): for reads, which report it as their failure. */
  protected assertOpen(): void {
    if (!this.open) throw new Error('the index was closed');
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    HeldFile.closer.unregister(this);
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
  }
}
