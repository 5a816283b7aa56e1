import type { IncomingMessage } from 'node:http';
import { ApiError } from '../api-error.js';

/** Largest request body accepted (1 MiB): tag edits and run requests are small. */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Reads a JSON request body. UNSUPPORTED_MEDIA_TYPE unless the Content-Type is
 * `application/json` (which also keeps cross-site HTML forms out: they cannot send it without a
 * CORS preflight this server never grants), PAYLOAD_TOO_LARGE past `limit` bytes, BAD_REQUEST for
 * an empty body or malformed JSON (the message says where the parser stopped).
 */
export async function readJsonBody(request: IncomingMessage, limit = MAX_BODY_BYTES): Promise<unknown> {
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new ApiError('UNSUPPORTED_MEDIA_TYPE', `request body must be application/json (got ${type === '' || type === undefined ? 'no Content-Type' : type})`);
  }
  const declared = Number(request.headers['content-length'] ?? NaN);
  if (declared > limit) throw new ApiError('PAYLOAD_TOO_LARGE', `request body of ${declared} bytes exceeds the limit of ${limit} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      request.resume();
      throw new ApiError('PAYLOAD_TOO_LARGE', `request body exceeds the limit of ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw new ApiError('BAD_REQUEST', 'request body is empty (expected JSON)');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ApiError('BAD_REQUEST', `malformed JSON body: ${(error as Error).message}`);
  }
}
