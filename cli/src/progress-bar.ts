import type { Output } from './output.js';

/**
 * A one-line progress bar redrawn in place on an interactive stderr (at most every 100 ms);
 * silent when stderr is not a terminal, so logs and pipes stay clean.
 */
export class ProgressBar {
  private last = 0;
  private drawn = false;

  constructor(
    private readonly output: Output,
    private readonly label: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  update(done: number, total: number, detail = ''): void {
    if (!this.output.interactive) return;
    const now = Date.now();
    if (done < total && now - this.last < 100) return;
    this.last = now;
    const width = 30;
    const fraction = total === 0 ? 1 : Math.min(1, done / total);
    const filled = Math.round(fraction * width);
    const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
    const columns = this.stream.columns ?? 100;
    const text = `${this.label} [${bar}] ${done}/${total} ${detail}`.slice(0, columns - 1);
    this.stream.write(`\r${text.padEnd(columns - 1)}`);
    this.drawn = true;
  }

  /** Clears the bar line. */
  done(): void {
    if (this.drawn) this.stream.write(`\r${' '.repeat((this.stream.columns ?? 100) - 1)}\r`);
    this.drawn = false;
  }
}
