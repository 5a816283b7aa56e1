import { ToolError } from '@bioimageit/core';
import { zipSync } from 'fflate';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BAD_TEST_MODELS, buildTestModels, pythonOnnxMissing, type BadTestModelName, type TestModelName } from '../test-support/test-models.js';
import { openModelPackage, type ModelPackage } from './model-package.js';
import { download } from './package-download.js';
import { sha256Hex } from './package-paths.js';
import { verifyModelPackage } from './verify-model-package.js';

/** The files of a folder, keyed by their relative paths (with `prefix`), for zipSync. */
function folderEntries(folder: string, prefix = ''): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  for (const name of readdirSync(folder)) {
    const full = path.join(folder, name);
    if (statSync(full).isDirectory()) Object.assign(out, folderEntries(full, `${prefix}${name}/`));
    else out[`${prefix}${name}`] = readFileSync(full);
  }
  return out;
}

async function errorOf(promise: Promise<unknown>): Promise<ToolError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ToolError);
    return error as ToolError;
  }
  throw new Error('expected a ToolError');
}

/** A loopback server of the files under `root` (404 for anything else); counts requests. */
async function serve(root: string): Promise<{ server: Server; base: string; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const url = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    requests.push(url);
    const file = path.join(root, ...url.split('/').filter((p) => p !== '' && p !== '..'));
    if (!existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, base: `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`, requests };
}

const GOOD: readonly TestModelName[] = ['unet3d-halo', 'unet3d-halo-v0_4', 'two-channel-2d', 'percentile-2d'];
/** Bad variants whose rdf parses (the others fail in openModelPackage). */
const OPENABLE_BAD: readonly BadTestModelName[] = ['missing-weights', 'wrong-sha256', 'test-tensor-shape-mismatch', 'wrong-test-output', 'torchscript-only'];
const skip = pythonOnnxMissing(import.meta.url);

describe('package downloads and zips', () => {
  it('reports a dead server with the URL, after retrying', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const url = `http://127.0.0.1:${String(port)}/model.zip`;
    const cacheDir = mkdtempSync(path.join(tmpdir(), 'model-zoo-dead-'));
    try {
      const e = await errorOf(openModelPackage(url, { cacheDir, retries: 1, timeoutMs: 2000 }));
      expect(e.code).toBe('SOURCE_UNAVAILABLE');
      expect(e.message).toBe(`cannot download ${url}: connection refused (ECONNREFUSED) (2 attempts)`);
      expect(e.details).toMatchObject({ url, attempts: 2 });
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  it('times out a server that never answers, and does not retry a 404', async () => {
    const hanging = createServer(() => undefined);
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${String((hanging.address() as AddressInfo).port)}/rdf.yaml`;
    try {
      await expect(download(url, { timeoutMs: 150, retries: 1 })).rejects.toThrow(`cannot download ${url}: no answer within 150 ms (2 attempts)`);
    } finally {
      hanging.closeAllConnections();
      await new Promise<void>((resolve) => hanging.close(() => resolve()));
    }
    const dir = mkdtempSync(path.join(tmpdir(), 'model-zoo-404-'));
    const { server, base, requests } = await serve(dir);
    try {
      const e = await errorOf(download(`${base}/missing.zip`, { retries: 3 }));
      expect(e.message).toBe(`cannot download ${base}/missing.zip: HTTP 404 Not Found`);
      expect(requests).toHaveLength(1);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a zip entry that would be written outside the package folder', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'model-zoo-slip-'));
    try {
      const zip = path.join(dir, 'evil.zip');
      writeFileSync(zip, zipSync({ 'rdf.yaml': new TextEncoder().encode('type: model\n'), '../../escaped.txt': new TextEncoder().encode('pwned') }));
      const cacheDir = path.join(dir, 'cache');
      const e = await errorOf(openModelPackage(zip, { cacheDir }));
      expect(e.code).toBe('BAD_MANIFEST');
      expect(e.message).toBe(`${zip}: entry '../../escaped.txt' would be written outside the package folder; refused`);
      expect(e.details).toMatchObject({ entry: '../../escaped.txt' });
      expect(existsSync(path.join(cacheDir, 'escaped.txt'))).toBe(false);
      expect(existsSync(path.join(dir, 'escaped.txt'))).toBe(false);
      expect(readdirSync(path.join(cacheDir, 'packages'))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports a source that does not exist', async () => {
    const e = await errorOf(openModelPackage('/nonexistent/model/folder'));
    expect(e.code).toBe('NOT_FOUND');
    expect(e.message).toBe("model package '/nonexistent/model/folder' does not exist");
  });
});

describe.skipIf(skip)('openModelPackage and verifyModelPackage on the test packages', () => {
  let dir: string;
  let cacheDir: string;
  let built: ReturnType<typeof buildTestModels> & { readonly bad: Readonly<Record<BadTestModelName, string>> };
  let http: Awaited<ReturnType<typeof serve>>;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'model-zoo-pkg-'));
    cacheDir = path.join(dir, 'cache');
    built = buildTestModels(path.join(dir, 'models'), { bad: true });
    const all: [string, string][] = [
      ...GOOD.map((n): [string, string] => [n, built.models[n]]),
      ...OPENABLE_BAD.map((n): [string, string] => [n, built.bad[n]]),
    ];
    for (const [name, folder] of all) {
      const bytes = zipSync(folderEntries(folder));
      writeFileSync(path.join(dir, `${name}.zip`), bytes);
    }
    http = await serve(dir);
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => http.server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  const expectGood = (pkg: ModelPackage, name: TestModelName): void => {
    expect(pkg.description.name).toContain(name === 'two-channel-2d' ? 'Two channel' : name === 'percentile-2d' ? 'Percentile' : 'UNet3D');
    expect(pkg.rdfSha256).toBe(sha256Hex(readFileSync(pkg.rdfFile)));
    expect(path.dirname(pkg.rdfFile)).toBe(pkg.root);
  };

  it.each(GOOD)('opens and verifies %s from its folder, its rdf, a .zip and over HTTP (zip and raw folder)', async (name) => {
    const folder = built.models[name];
    const fromFolder = await openModelPackage(folder, { cacheDir });
    expectGood(fromFolder, name);
    expect(fromFolder).toMatchObject({ root: folder, origin: folder });
    await verifyModelPackage(fromFolder);

    const fromRdf = await openModelPackage(path.join(folder, 'rdf.yaml'), { cacheDir });
    expect(fromRdf.description).toEqual(fromFolder.description);

    const zip = path.join(dir, `${name}.zip`);
    const fromZip = await openModelPackage(zip, { cacheDir });
    expectGood(fromZip, name);
    expect(fromZip.root).toBe(path.join(cacheDir, 'packages', sha256Hex(readFileSync(zip))));
    expect(fromZip.description).toEqual(fromFolder.description);
    await verifyModelPackage(fromZip);

    const zipUrl = `${http.base}/${name}.zip#sha256=${sha256Hex(readFileSync(zip))}`;
    const fromZipUrl = await openModelPackage(zipUrl, { cacheDir });
    expect(fromZipUrl.origin).toBe(zipUrl);
    expect(fromZipUrl.description).toEqual(fromFolder.description);
    await verifyModelPackage(fromZipUrl);

    const rdfUrl = `${http.base}/models/${name}/rdf.yaml`;
    const fromRdfUrl = await openModelPackage(rdfUrl, { cacheDir });
    expect(fromRdfUrl.description).toEqual(fromFolder.description);
    expect(readdirSync(fromRdfUrl.root).sort()).toEqual(['README.md', 'cover.png', 'rdf.yaml', 'test_input.npy', 'test_output.npy', 'weights.onnx']);
    await verifyModelPackage(fromRdfUrl);
  });

  it('reuses downloads from the cache without the network, and checks a #sha256= suffix', async () => {
    const url = `${http.base}/two-channel-2d.zip`;
    await openModelPackage(url, { cacheDir });
    const before = http.requests.length;
    const again = await openModelPackage(url, { cacheDir });
    expect(http.requests.length).toBe(before);
    expect(again.description.id).toBe('two-channel-2d');
    const e = await errorOf(openModelPackage(`${http.base}/percentile-2d.zip#sha256=${'0'.repeat(64)}`, { cacheDir: path.join(dir, 'cache2') }));
    expect(e.code).toBe('BAD_PARAMETER');
    expect(e.message).toMatch(new RegExp(`percentile-2d\\.zip: the download has sha256 [0-9a-f]{64}, not the expected ${'0'.repeat(64)}`));
  });

  it('opens a zip whose package sits in one subfolder', async () => {
    const zip = path.join(dir, 'wrapped.zip');
    writeFileSync(zip, zipSync(folderEntries(built.models['percentile-2d'], 'percentile-2d/')));
    const pkg = await openModelPackage(zip, { cacheDir });
    expect(path.basename(pkg.root)).toBe('percentile-2d');
    await verifyModelPackage(pkg);
  });

  it('missing-weights: names the weights file that does not exist', async () => {
    const pkg = await openModelPackage(built.bad['missing-weights'], { cacheDir });
    const e = await errorOf(verifyModelPackage(pkg));
    expect(e.code).toBe('BAD_MANIFEST');
    expect(e.message).toBe(`${pkg.rdfFile}: weights.onnx.source: the weights file weights.onnx named by the rdf does not exist in ${pkg.root}`);
    expect(e.details).toMatchObject({ file: 'weights.onnx', field: 'weights.onnx.source' });
  });

  it('wrong-sha256: names the file, the expected and the actual hash', async () => {
    const pkg = await openModelPackage(path.join(dir, 'wrong-sha256.zip'), { cacheDir });
    const e = await errorOf(verifyModelPackage(pkg));
    const actual = sha256Hex(readFileSync(path.join(built.bad['wrong-sha256'], 'weights.onnx')));
    expect(e.message).toBe(`${pkg.rdfFile}: weights.onnx.source: the sha256 of weights.onnx is ${actual}, not the rdf's ${'0'.repeat(64)}`);
    expect(e.details).toMatchObject({ file: 'weights.onnx', expected: '0'.repeat(64), actual });
  });

  it('test-tensor-shape-mismatch: names the tensor and the axes', async () => {
    const pkg = await openModelPackage(built.bad['test-tensor-shape-mismatch'], { cacheDir });
    const e = await errorOf(verifyModelPackage(pkg));
    expect(e.message).toBe(
      `${pkg.rdfFile}: inputs[0].test_tensor.source: test_input.npy is 1x3x48x48 where tensor 'image' (b, c, y, x) needs axis c 2 channels (nuclei, membrane), not 3; axis y 64, not 48; axis x 64, not 48`,
    );
    expect(e.details).toMatchObject({ tensor: 'image', axis: 'c', file: 'test_input.npy' });
  });

  it('torchscript-only: names the formats present and the runnable ones', async () => {
    const pkg = await openModelPackage(`${http.base}/torchscript-only.zip`, { cacheDir });
    const e = await errorOf(verifyModelPackage(pkg));
    expect(e.code).toBe('SOURCE_UNAVAILABLE');
    expect(e.message).toContain('weights: no weights format this installation runs: the package has torchscript; runnable here: onnx');
    expect(e.details).toMatchObject({ formats: ['torchscript'], runnable: ['onnx'] });
  });

  it('wrong-test-output: a package check passes (only running the model shows it)', async () => {
    expect(BAD_TEST_MODELS['wrong-test-output']).toContain('not reproduced');
    await verifyModelPackage(await openModelPackage(built.bad['wrong-test-output'], { cacheDir }));
  });

  it('unknown-preprocessing, unknown-axis-reference and malformed-yaml fail to open, naming the field or line', async () => {
    await expect(openModelPackage(built.bad['unknown-preprocessing'], { cacheDir })).rejects.toThrow(
      /rdf\.yaml: inputs\[0\]\.preprocessing\[0\]\.id: preprocessing id 'magic_normalize'/,
    );
    await expect(openModelPackage(built.bad['unknown-axis-reference'], { cacheDir })).rejects.toThrow(
      /outputs\[0\]\.axes\[2\]\.size\.tensor_id: output axis y references tensor 'nonexistent'/,
    );
    await expect(openModelPackage(built.bad['malformed-yaml'], { cacheDir })).rejects.toThrow(/malformed-yaml\/rdf\.yaml: .*line \d+: not valid YAML/);
  });

  it('refuses rdf paths that leave the package folder', async () => {
    const folder = built.bad['torchscript-only'];
    const rdfFile = path.join(folder, 'escape.rdf.yaml');
    writeFileSync(
      rdfFile,
      readFileSync(path.join(built.models['two-channel-2d'], 'rdf.yaml'), 'utf8').replace('documentation: README.md', 'documentation: ../../README.md'),
    );
    try {
      const pkg = await openModelPackage(rdfFile, { cacheDir });
      await expect(verifyModelPackage(pkg)).rejects.toThrow(/documentation: the path '\.\.\/\.\.\/README\.md' leaves the package folder/);
    } finally {
      rmSync(rdfFile);
    }
  });
});
