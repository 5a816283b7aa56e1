import path from 'node:path';
import type { Command } from 'commander';
import { StorageError } from '@bioimageit/core';
import type { OmeroClientOptions } from '../client/omero-client.js';
import { resolveOmeroOptions, type OmeroOptions, type ResolvedOmeroOptions } from '../omero-options.js';
import { parseOmeroUri, serverKey } from '../storage/omero-uri.js';
import type { ListedObject } from './omero-browse.js';
import { terminalPrompt } from './prompt.js';

/**
 * The HTTP client, storage and browsing modules, imported on first use so that registering the
 * commands (every CLI start) loads no axios, cookie jar or storage code.
 */
async function load() {
  const [{ OmeroClient }, { OmeroConnections }, browse] = await Promise.all([
    import('../client/omero-client.js'),
    import('../storage/omero-connections.js'),
    import('./omero-browse.js'),
  ]);
  return { OmeroClient, OmeroConnections, ...browse };
}

/** Where the `bioimageit omero` commands write and read (the CLI hands its own). */
export interface OmeroCliIo {
  out(text: string): void;
  err(text: string): void;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Asks the user (a password without echo); default: the terminal. */
  readonly prompt?: (question: string, secret: boolean) => Promise<string>;
}

interface Globals {
  readonly json?: boolean;
}

function table(io: OmeroCliIo, header: readonly string[], rows: readonly (readonly string[])[]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  io.out([line(header), ...rows.map(line)].join('\n'));
}

/** TLS and retry settings of the options, for clients made outside the backend. */
function transport(o: ResolvedOmeroOptions): Pick<OmeroClientOptions, 'ca' | 'insecureTls' | 'retry' | 'timeoutMs' | 'deadlineMs'> {
  return {
    ...(o.ca !== undefined && { ca: o.ca }),
    ...(o.insecureTls !== undefined && { insecureTls: o.insecureTls }),
    ...(o.retry !== undefined && { retry: o.retry }),
    ...(o.timeoutMs !== undefined && { timeoutMs: o.timeoutMs }),
    ...(o.deadlineMs !== undefined && { deadlineMs: o.deadlineMs }),
  };
}

const tagText = (tags: Readonly<Record<string, string>> | undefined) =>
  Object.entries(tags ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');

/**
 * Registers `bioimageit omero login|logout|ls|tag|pull` on `program`. Credentials come from
 * BIOIMAGEIT_OMERO_USER / BIOIMAGEIT_OMERO_PASSWORD or a prompt; `login` keeps only the OMERO
 * session key, in the 0600 session file; a password is never printed, logged or stored.
 * `options` (tests, embedders) overrides the environment's defaults.
 */
export function registerOmeroCommand(program: Command, io: OmeroCliIo, options: OmeroOptions = {}): void {
  const resolved = () => resolveOmeroOptions({ env: io.env, ...options });
  const ask = io.prompt ?? terminalPrompt;
  const globals = (cmd: Command): Globals => cmd.optsWithGlobals<Globals>();
  const omero = program.command('omero').description('browse, tag and download data on OMERO servers (OMERO.web)');

  omero
    .command('login')
    .description('log in to an OMERO.web server and keep the session key (never the password) in a 0600 file')
    .argument('<server>', 'OMERO.web URL (https://omero.example.org) or omero://host[:port]')
    .option('-u, --user <name>', 'user name (default: BIOIMAGEIT_OMERO_USER, else asked)')
    .action(async (server: string, flags: { user?: string }, cmd: Command) => {
      const { OmeroClient, OmeroConnections } = await load();
      const connections = new OmeroConnections(resolved());
      const given = /^[a-z][a-z0-9+.-]*:\/\//i.test(server) ? server : `https://${server}`;
      if (!/^(https?|omero):\/\//i.test(given))
        throw new StorageError('INVALID', `'${server}' is not an OMERO.web URL (https://host[:port][/prefix]) or omero://host[:port]`, { details: { server } });
      const key = given.startsWith('omero:') ? parseOmeroUri(given).server : serverKey(given);
      const baseUrl = given.startsWith('omero:') ? await connections.baseUrl(key) : given.replace(/\/+$/, '');
      const username = flags.user ?? io.env['BIOIMAGEIT_OMERO_USER'] ?? (await ask(`OMERO user for ${baseUrl}: `, false));
      const password = io.env['BIOIMAGEIT_OMERO_PASSWORD'] ?? (await ask(`Password for ${username}@${baseUrl}: `, true));
      const client = new OmeroClient({ baseUrl, ...transport(resolved()) });
      const context = await client.login({ username, password });
      await connections.sessions.set(key, { url: baseUrl, user: context.userName, sessionKey: context.sessionUuid });
      if (globals(cmd).json)
        io.out(
          JSON.stringify(
            { server: key, url: baseUrl, user: context.userName, userId: context.userId, groupId: context.groupId, sessionFile: connections.sessions.file },
            null,
            2,
          ),
        );
      else
        io.out(
          `logged in to ${baseUrl} as ${context.userName} (group ${context.groupName ?? context.groupId}); experiments are omero://${key}/project/ID; session key saved in ${connections.sessions.file} (mode 0600)`,
        );
    });

  omero
    .command('logout')
    .description('end the saved OMERO session and forget it')
    .argument('[server]', 'host[:port], URL or omero:// URI (default: the only saved server)')
    .action(async (server: string | undefined) => {
      const { OmeroClient, OmeroConnections } = await load();
      const connections = new OmeroConnections(resolved());
      const saved = await connections.sessions.all();
      const key =
        server === undefined
          ? Object.keys(saved).length === 1
            ? Object.keys(saved)[0]
            : undefined
          : server.includes('://')
            ? server.startsWith('omero:')
              ? parseOmeroUri(server).server
              : serverKey(server)
            : server.toLowerCase();
      if (key === undefined || saved[key] === undefined) {
        throw new StorageError(
          'NOT_FOUND',
          key === undefined ? `which server? saved sessions: ${Object.keys(saved).join(', ') || 'none'}` : `no saved OMERO session for ${key}`,
          { details: { server: key } },
        );
      }
      const client = new OmeroClient({ baseUrl: saved[key].url, sessionKey: saved[key].sessionKey, ...transport(resolved()) });
      await client.logout().catch(() => undefined);
      await connections.sessions.set(key, undefined);
      io.out(`logged out of ${saved[key].url}`);
    });

  omero
    .command('ls')
    .description("list saved servers, a server's projects, a project's datasets, or a dataset's images with their tags")
    .argument('[uri]', 'omero://host[:port][/project/ID | /dataset/ID | /image/ID]')
    .action(async (uri: string | undefined, _flags: unknown, cmd: Command) => {
      const { OmeroConnections, listProjects, listDatasets, listImages } = await load();
      const connections = new OmeroConnections(resolved());
      const json = globals(cmd).json === true;
      if (uri === undefined) {
        const saved = Object.entries(await connections.sessions.all()).map(([server, s]) => ({ server, url: s.url, user: s.user }));
        if (json) io.out(JSON.stringify(saved, null, 2));
        else
          table(
            io,
            ['SERVER', 'URL', 'USER'],
            saved.map((s) => [s.server, s.url, s.user]),
          );
        return;
      }
      const ref = parseOmeroUri(uri);
      const repo = await connections.repository(ref.server);
      let rows: ListedObject[];
      if (ref.kind === undefined) rows = await listProjects(repo, ref.server);
      else if (ref.kind === 'project') rows = await listDatasets(repo, ref.server, ref.id!);
      else if (ref.kind === 'dataset' || ref.kind === 'image') rows = await listImages(repo, ref.server, { kind: ref.kind, id: ref.id! });
      else throw new StorageError('INVALID', `cannot list ${uri}: give a server, project, dataset or image URI`, { details: { uri } });
      if (json) io.out(JSON.stringify(rows, null, 2));
      else if (ref.kind === 'dataset' || ref.kind === 'image')
        table(
          io,
          ['ID', 'NAME', 'TAGS'],
          rows.map((r) => [String(r.id), r.name, tagText(r.tags)]),
        );
      else
        table(
          io,
          ['ID', 'NAME', ref.kind === undefined ? 'DATASETS' : 'IMAGES', ...(ref.kind === 'project' ? ['KIND'] : []), 'URI'],
          rows.map((r) => [String(r.id), r.name, String(r.children ?? 0), ...(ref.kind === 'project' ? [r.kind ?? '-'] : []), r.uri]),
        );
    });

  omero
    .command('tag')
    .description('set (key=value) or remove (-r key) key/value tags on an image or on every image of a dataset')
    .argument('<uri>', 'omero://host[:port]/image/ID or /dataset/ID')
    .argument('[tags...]', 'key=value pairs to set')
    .option('-r, --remove <key...>', 'keys to remove')
    .action(async (uri: string, assignments: string[], flags: { remove?: string[] }) => {
      const { OmeroConnections, parseAssignments, tagImages } = await load();
      const ref = parseOmeroUri(uri);
      if (ref.kind !== 'image' && ref.kind !== 'dataset')
        throw new StorageError('INVALID', `cannot tag ${uri}: give an image or dataset URI`, { details: { uri } });
      const set = parseAssignments(assignments);
      if (Object.keys(set).length === 0 && (flags.remove ?? []).length === 0)
        throw new StorageError('INVALID', 'nothing to do: give key=value pairs and/or -r KEY', {});
      const repo = await new OmeroConnections(resolved()).repository(ref.server);
      const ids = ref.kind === 'image' ? [ref.id!] : (await repo.images(ref.id!)).map((i) => i['@id']);
      const changed = await tagImages(repo, ids, set, flags.remove ?? []);
      io.out(`tagged ${changed} of ${ids.length} image(s) in ${uri}`);
    });

  omero
    .command('pull')
    .description('download an image, or every image of a dataset (original file, else OME-TIFF export)')
    .argument('<uri>', 'omero://host[:port]/image/ID or /dataset/ID')
    .option('-o, --output <dir>', 'folder to write into (default: the current folder)')
    .action(async (uri: string, flags: { output?: string }, cmd: Command) => {
      const { OmeroConnections, listImages, pullImages } = await load();
      const ref = parseOmeroUri(uri);
      if (ref.kind !== 'image' && ref.kind !== 'dataset')
        throw new StorageError('INVALID', `cannot pull ${uri}: give an image or dataset URI`, { details: { uri } });
      const repo = await new OmeroConnections(resolved()).repository(ref.server);
      const images = await listImages(repo, ref.server, { kind: ref.kind, id: ref.id! });
      const files = await pullImages(repo, images, path.resolve(io.cwd, flags.output ?? '.'));
      if (globals(cmd).json) io.out(JSON.stringify(files, null, 2));
      else io.out(files.join('\n'));
    });
}
