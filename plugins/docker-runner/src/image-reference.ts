/** An image reference split the way the Engine API's pull endpoint wants it. */
export interface ImageReference {
  /** Repository with its registry host when given (`127.0.0.1:5000/tools/blur`, `busybox`). */
  readonly repository: string;
  /** Tag (`latest` when none is given) or digest (`sha256:...`). */
  readonly tag: string;
  /** True when `tag` is a content digest (`name@sha256:...`). */
  readonly pinned: boolean;
}

const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-f0-9]{32,}$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const REPOSITORY = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const HOST = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?$/;

/**
 * Parses `[host[:port]/]path[:tag][@digest]` (Docker's reference grammar, simplified): a digest
 * wins over a tag, a missing tag means `latest`. Returns undefined for text that is not a valid
 * reference (upper-case path, empty parts, spaces...), so the runner can reject it before it
 * reaches the daemon.
 */
export function parseImageReference(text: string): ImageReference | undefined {
  if (text === '' || text !== text.trim()) return undefined;
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return undefined;
  }
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  let tag: string | undefined;
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return undefined;
  }
  const parts = rest.split('/');
  const first = parts[0] ?? '';
  const hasHost = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost' || first.startsWith('['));
  if (hasHost && !HOST.test(first)) return undefined;
  const path = hasHost ? parts.slice(1).join('/') : rest;
  if (!REPOSITORY.test(path)) return undefined;
  if (digest !== undefined) return { repository: rest, tag: digest, pinned: true }; // a tag beside a digest is ignored, as Docker does
  return { repository: rest, tag: tag ?? 'latest', pinned: false };
}

/** The reference as the daemon lists it (`repo:tag` or `repo@digest`). */
export function formatImageReference(ref: ImageReference): string {
  return `${ref.repository}${ref.pinned ? '@' : ':'}${ref.tag}`;
}
