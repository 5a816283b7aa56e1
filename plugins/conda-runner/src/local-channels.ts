import { readFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Local channel folders made reachable over HTTP for a while, and the way back to their file URLs. */
export interface ServedChannels {
  /** The channel list with every `file://` channel replaced by its `http://127.0.0.1:PORT/<n>/` stand-in. */
  readonly channels: readonly string[];
  /** Maps a URL under a stand-in back to the `file://` URL it serves (other URLs unchanged). */
  toOriginal(url: string): string;
  close(): Promise<void>;
}

/**
 * Serves the `file://` channels of a list on 127.0.0.1 (read-only, inside each folder only), for
 * solvers that can fetch only over HTTP (rattler's WASM build has no file system). Channels that
 * are already URLs are passed through, and nothing is started when there is no local channel.
 */
export async function serveLocalChannels(channels: readonly string[]): Promise<ServedChannels> {
  const folders = channels.filter((c) => c.startsWith('file://')).map((c) => path.resolve(fileURLToPath(c)));
  if (folders.length === 0) return { channels, toOriginal: (url) => url, close: async () => undefined };
  const server = http.createServer((req, res) => {
    const [, index, ...rest] = decodeURIComponent((req.url ?? '/').split('?')[0] as string).split('/');
    const root = folders[Number(index)];
    const file = root === undefined ? undefined : path.join(root, ...rest);
    if (root === undefined || file === undefined || !file.startsWith(root + path.sep)) {
      res.statusCode = 404;
      res.end();
      return;
    }
    readFile(file).then(
      (bytes) => res.end(bytes),
      () => ((res.statusCode = 404), res.end()),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  let n = 0;
  const mapped = channels.map((c) => (c.startsWith('file://') ? `${base}${n++}/` : c));
  return {
    channels: mapped,
    toOriginal(url) {
      if (!url.startsWith(base)) return url;
      const [index, ...rest] = url.slice(base.length).split('/');
      const original = channels.filter((c) => c.startsWith('file://'))[Number(index)];
      return original === undefined ? url : `${original.replace(/\/?$/, '/')}${rest.join('/')}`;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
