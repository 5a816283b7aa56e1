import { StorageError, type StorageErrorCode } from '@bioimageit/core';
import type { HttpReply, HttpRequest } from './omero-http.js';
import type { Redactor } from './redact.js';

/** The `message` of an OMERO.web JSON error body (`{"message": ...}`), or a short text body. */
export function replyMessage(reply: HttpReply): string {
  const text = reply.body.toString('utf8').trim();
  if ((reply.headers['content-type'] ?? '').includes('json')) {
    try {
      const body = JSON.parse(text) as Record<string, unknown>;
      const message = body['message'] ?? body['error'] ?? body['Error'];
      if (typeof message === 'string') return message;
    } catch {
      /* not JSON after all */
    }
  }
  return text.length > 0 && text.length <= 200 && !text.startsWith('<') ? text : '';
}

/** True when a 403 reply is Django's CSRF rejection (`CSRF Failed: ...` or the pre-5.29 `CSRF Error...`). */
export function isCsrfFailure(reply: HttpReply): boolean {
  return reply.status === 403 && /^CSRF (Failed|Error)/.test(replyMessage(reply));
}

/** True when the reply says the session is gone: `403 Not logged in` on /api, bare 403 on webclient. */
export function isNotLoggedIn(reply: HttpReply): boolean {
  if (reply.status !== 403) return false;
  const message = replyMessage(reply);
  return message === 'Not logged in' || (message === '' && reply.body.length === 0);
}

function codeFor(status: number): StorageErrorCode {
  if (status === 404) return 'NOT_FOUND';
  if (status === 400) return 'INVALID';
  if (status === 405) return 'UNSUPPORTED';
  return 'IO';
}

/**
 * A StorageError for an unexpected reply, naming the server, the request and what OMERO.web said
 * (CSRF failures say so), with secrets removed.
 */
export function replyError(origin: string, req: HttpRequest, reply: HttpReply, redactor: Redactor, what?: string): StorageError {
  const said = replyMessage(reply);
  const csrf = isCsrfFailure(reply);
  const subject = what === undefined ? '' : `${what}: `;
  const text = csrf
    ? `${subject}OMERO.web ${origin} rejected ${req.method} ${req.path} as a CSRF failure (403 ${said}); the CSRF cookie or X-CSRFToken header is missing or stale, or an HTTPS Referer is missing`
    : `${subject}OMERO.web ${origin}: ${req.method} ${req.path} answered ${reply.status}${said === '' ? '' : ` ${said}`}`;
  return new StorageError(codeFor(reply.status), redactor.clean(text), {
    details: { server: origin, method: req.method, path: req.path, status: reply.status, ...(csrf && { csrf: true }) },
  });
}
