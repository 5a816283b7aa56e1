/** What sweeps of an experiment removed since the last report (see LocalFsExperimentStore.load). */
export class SweepReport {
  private staging = 0;
  private temp = 0;
  private orphan = 0;

  /** Counts staging folders of dead processes removed. */
  stagingFolders(n: number): void {
    this.staging += n;
  }

  /** Counts temporary files of dead writers removed. */
  tempFiles(n: number): void {
    this.temp += n;
  }

  /** Counts files of an interrupted write removed (see CommitJournal). */
  uncommittedFiles(n: number): void {
    this.orphan += n;
  }

  /**
   * Hands `log` one line about what was counted since the last call, if anything:
   * `local-fs: swept 3 staging folder(s) of dead processes, 40 uncommitted file(s) of an interrupted write in experiment '<root>'`.
   */
  flush(log: (line: string) => void, root: string): void {
    const parts = [
      this.staging > 0 && `${this.staging} staging folder(s) of dead processes`,
      this.temp > 0 && `${this.temp} temporary file(s) of dead writers`,
      this.orphan > 0 && `${this.orphan} uncommitted file(s) of an interrupted write`,
    ].filter((p): p is string => p !== false);
    this.staging = this.temp = this.orphan = 0;
    if (parts.length > 0) log(`local-fs: swept ${parts.join(', ')} in experiment '${root}'`);
  }
}
