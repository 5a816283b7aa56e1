/**
 * Secrets the client knows (password, OMERO session key, Django session id, CSRF token): every
 * message the plugin builds from server replies or failures passes through {@link Redactor.clean},
 * so none of them reaches a log, an error or a file other than the 0600 session file.
 */
export class Redactor {
  private readonly secrets = new Set<string>();

  /** Remembers a secret (ignored when shorter than 4 characters: too likely to hit plain text). */
  add(secret: string | undefined): void {
    if (secret !== undefined && secret.length >= 4) this.secrets.add(secret);
  }

  /** `text` with every known secret replaced by `***`. */
  clean(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(secret).join('***');
    return out;
  }
}
