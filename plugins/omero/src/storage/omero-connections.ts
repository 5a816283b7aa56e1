import { OmeroClient } from '../client/omero-client.js';
import { Redactor } from '../client/redact.js';
import type { ResolvedOmeroOptions } from '../omero-options.js';
import { SessionFile } from '../session/session-file.js';
import { OmeroImporter } from './omero-importer.js';
import { OmeroRepository } from './omero-repository.js';

/**
 * One logged-in client per OMERO.web server (`host[:port]`), shared by every experiment opened
 * on it: the base URL comes from the options, else from the session file, else
 * `https://host[:port]`; the session from the session file's key, else the credentials.
 */
export class OmeroConnections {
  private readonly repos = new Map<string, Promise<OmeroRepository>>();
  private importer?: Promise<OmeroImporter | undefined>;
  readonly redactor = new Redactor();
  readonly sessions: SessionFile;

  constructor(readonly options: ResolvedOmeroOptions) {
    this.sessions = new SessionFile(options.sessionFile);
  }

  /** The OMERO.web base URL of `server`. */
  async baseUrl(server: string): Promise<string> {
    const configured = this.options.servers?.[server];
    if (configured !== undefined) return configured;
    return (await this.sessions.get(server))?.url ?? `https://${server}`;
  }

  /** The repository (client) of `server`, created on first use; it connects on its first request. */
  repository(server: string): Promise<OmeroRepository> {
    let repo = this.repos.get(server);
    if (repo === undefined) {
      repo = (async () => {
        const saved = await this.sessions.get(server);
        const client = new OmeroClient({
          baseUrl: await this.baseUrl(server),
          credentials: () => this.options.credentials(server),
          ...(saved !== undefined && { sessionKey: saved.sessionKey }),
          ...(this.options.group !== undefined && { group: this.options.group }),
          ...(this.options.concurrency !== undefined && { concurrency: this.options.concurrency }),
          ...(this.options.retry !== undefined && { retry: this.options.retry }),
          ...(this.options.ca !== undefined && { ca: this.options.ca }),
          ...(this.options.insecureTls !== undefined && { insecureTls: this.options.insecureTls }),
          ...(this.options.timeoutMs !== undefined && { timeoutMs: this.options.timeoutMs }),
          ...(this.options.deadlineMs !== undefined && { deadlineMs: this.options.deadlineMs }),
          redactor: this.redactor,
        });
        return new OmeroRepository(client, this.options.annotationBatch ?? 200, this.options.concurrency ?? 4);
      })();
      repo.catch(() => this.repos.delete(server));
      this.repos.set(server, repo);
    }
    return repo;
  }

  /** The `omero import` runner, detected once (undefined when the OMERO CLI is not installed). */
  importerSource(): () => Promise<OmeroImporter | undefined> {
    return () => (this.importer ??= OmeroImporter.detect(this.options.omeroCli, this.options.env, this.redactor));
  }
}
