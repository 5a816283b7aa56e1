import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

/** A read-only Docker Registry (HTTP API v2) on 127.0.0.1 serving one single-layer image. */
export interface TestRegistry {
  /** `127.0.0.1:<port>` (Docker treats 127.0.0.0/8 registries as insecure: plain HTTP is fine). */
  readonly host: string;
  /** The manifest's digest (`sha256:...`): what the daemon lists in RepoDigests. */
  readonly manifestDigest: string;
  /** Digests of the image's configuration and of its one layer (`sha256:...`). */
  readonly configDigest: string;
  readonly layerDigest: string;
  /** Requests served, as `METHOD path`. */
  readonly requests: string[];
  close(): Promise<void>;
}

const sha = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/**
 * Serves `repository:tag` made of one layer, the gzip of `layerTar`: `GET /v2/`, manifests by tag
 * or digest (schema 2) and blobs by digest, HEAD included. Everything else is 404.
 */
export async function startTestRegistry(repository: string, tag: string, layerTar: string): Promise<TestRegistry> {
  const tar = await readFile(layerTar);
  const layer = gzipSync(tar, { level: 1 });
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Env: ['PATH=/bin'] },
      rootfs: { type: 'layers', diff_ids: [sha(tar)] },
      history: [{ created_by: 'bioimageit docker-runner tests' }],
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest: sha(config) },
      layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: layer.length, digest: sha(layer) }],
    }),
  );
  const manifestDigest = sha(manifest);
  const blobs = new Map([
    [sha(config), config],
    [sha(layer), layer],
  ]);
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://registry');
    requests.push(`${req.method} ${url.pathname}`);
    const send = (status: number, body: Buffer, type: string, digest?: string): void => {
      res.writeHead(status, {
        'Content-Type': type,
        'Content-Length': body.length,
        'Docker-Distribution-Api-Version': 'registry/2.0',
        ...(digest !== undefined && { 'Docker-Content-Digest': digest }),
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (url.pathname === '/v2/' || url.pathname === '/v2') return send(200, Buffer.from('{}'), 'application/json');
    const m = /^\/v2\/(.+)\/(manifests|blobs)\/([^/]+)$/.exec(url.pathname);
    if (m !== null && m[1] === repository) {
      if (m[2] === 'manifests' && (m[3] === tag || m[3] === manifestDigest))
        return send(200, manifest, 'application/vnd.docker.distribution.manifest.v2+json', manifestDigest);
      const blob = m[2] === 'blobs' ? blobs.get(m[3] ?? '') : undefined;
      if (blob !== undefined) return send(200, blob, 'application/octet-stream', m[3]);
    }
    send(404, Buffer.from(JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'not here' }] })), 'application/json');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    manifestDigest,
    configDigest: sha(config),
    layerDigest: sha(layer),
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
