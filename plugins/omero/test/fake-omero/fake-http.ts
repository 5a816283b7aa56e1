import type { IncomingHttpHeaders } from 'node:http';
import { pythonJson } from './fixtures.js';

/** One parsed request as the fake's handlers see it. */
export interface FakeRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly cookies: Readonly<Record<string, string>>;
  /** Form fields (urlencoded or multipart text parts), repeated keys kept in order. */
  readonly form: URLSearchParams;
  /** Multipart file parts. */
  readonly files: readonly { field: string; filename: string; contentType: string; bytes: Buffer }[];
  /** Session of the request, when it carries a live `sessionid`. */
  session?: { id: string; userId: number; uuid: string };
}

/** What a handler answers. */
export interface FakeResponse {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer | string;
}

export function json(status: number, value: unknown, headers: Record<string, string | string[]> = {}): FakeResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: pythonJson(value) };
}

/** JSON of an `/api/` view: adds `X-OMERO-ApiVersion: 0.2` as `json_response` does. */
export function apiJson(status: number, value: unknown): FakeResponse {
  return json(status, value, { 'x-omero-apiversion': '0.2' });
}

export function text(status: number, body: string, contentType = 'text/html; charset=utf-8'): FakeResponse {
  return { status, headers: { 'content-type': contentType }, body };
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  return out;
}

/** Parses a `multipart/form-data` body into text fields and file parts (enough for Django forms). */
export function parseMultipart(body: Buffer, contentType: string): { form: URLSearchParams; files: FakeRequest['files'] } {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const form = new URLSearchParams();
  const files: { field: string; filename: string; contentType: string; bytes: Buffer }[] = [];
  if (!boundary) return { form, files };
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  let start = body.indexOf(delimiter);
  while (start >= 0) {
    const next = body.indexOf(delimiter, start + delimiter.length);
    if (next < 0) break;
    const part = body.subarray(start + delimiter.length + 2, next - 2);
    const headerEnd = part.indexOf('\r\n\r\n');
    const head = part.subarray(0, headerEnd).toString('utf8');
    const content = part.subarray(headerEnd + 4);
    const name = /name="([^"]*)"/i.exec(head)?.[1] ?? '';
    const filename = /filename="([^"]*)"/i.exec(head)?.[1];
    if (filename === undefined) form.append(name, content.toString('utf8'));
    else
      files.push({
        field: name,
        filename: filename.split(/[\\/]/).pop() ?? filename,
        contentType: /content-type:\s*(\S+)/i.exec(head)?.[1] ?? 'application/octet-stream',
        bytes: Buffer.from(content),
      });
    start = next;
  }
  return { form, files };
}
