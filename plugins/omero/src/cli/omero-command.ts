import path from 'node:path';
import { StorageError, type CommandArgs, type CommandContext, type CommandDescription } from '@bioimageit/core';
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

/** How tests and embedders set up the `bioimageit omero` commands (the CLI uses the defaults). */
export interface OmeroCommandSetup {
  /** Overrides the environment's defaults (session file, CA, timeouts...). */
  readonly options?: OmeroOptions;
  /** Asks the user (a password without echo); default: the terminal. */
  readonly prompt?: (question: string, secret: boolean) => Promise<string>;
}

/** Where a table is written. */
interface Io {
  out(text: string): void;
}

function table(io: Io, header: readonly string[], rows: readonly (readonly string[])[]): void {
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

/** A string argument or option of a parsed command (undefined when absent). */
const text = (value: CommandArgs['arguments'][string] | CommandArgs['options'][string]): string | undefined => (typeof value === 'string' ? value : undefined);
/** A list argument or option of a parsed command ([] when absent). */
const list = (value: CommandArgs['arguments'][string] | CommandArgs['options'][string]): readonly string[] => (Array.isArray(value) ? (value as string[]) : []);

/**
 * The `bioimageit omero login|logout|ls|tag|pull` commands, described for the host's command line
 * (see CommandDescription in @bioimageit/core; the manifest declares `omero`, whose module is this
 * file). Credentials come from BIOIMAGEIT_OMERO_USER / BIOIMAGEIT_OMERO_PASSWORD or a prompt;
 * `login` keeps only the OMERO session key, in the 0600 session file; a password is never printed,
 * logged or stored. `setup.options` (tests, embedders) overrides the environment's defaults.
 */
export function omeroCommand(setup: OmeroCommandSetup = {}): CommandDescription {
  const resolved = (ctx: CommandContext) => resolveOmeroOptions({ env: ctx.env, ...setup.options });
  const ask = setup.prompt ?? terminalPrompt;
  const uriArgument = { name: 'uri', description: 'omero://host[:port]/image/ID or /dataset/ID' };

  const login: CommandDescription = {
    name: 'login',
    summary: 'log in to an OMERO.web server and keep the session key (never the password) in a 0600 file',
    arguments: [{ name: 'server', description: 'OMERO.web URL (https://omero.example.org) or omero://host[:port]' }],
    options: [{ name: 'user', short: 'u', valueName: 'name', description: 'user name (default: BIOIMAGEIT_OMERO_USER, else asked)' }],
    async run(args, ctx) {
      const server = text(args.arguments['server']) ?? '';
      const { OmeroClient, OmeroConnections } = await load();
      const connections = new OmeroConnections(resolved(ctx));
      const given = /^[a-z][a-z0-9+.-]*:\/\//i.test(server) ? server : `https://${server}`;
      if (!/^(https?|omero):\/\//i.test(given))
        throw new StorageError('INVALID', `'${server}' is not an OMERO.web URL (https://host[:port][/prefix]) or omero://host[:port]`, { details: { server } });
      const key = given.startsWith('omero:') ? parseOmeroUri(given).server : serverKey(given);
      const baseUrl = given.startsWith('omero:') ? await connections.baseUrl(key) : given.replace(/\/+$/, '');
      const username = text(args.options['user']) ?? ctx.env['BIOIMAGEIT_OMERO_USER'] ?? (await ask(`OMERO user for ${baseUrl}: `, false));
      const password = ctx.env['BIOIMAGEIT_OMERO_PASSWORD'] ?? (await ask(`Password for ${username}@${baseUrl}: `, true));
      const client = new OmeroClient({ baseUrl, ...transport(resolved(ctx)) });
      const context = await client.login({ username, password });
      await connections.sessions.set(key, { url: baseUrl, user: context.userName, sessionKey: context.sessionUuid });
      if (ctx.json)
        ctx.out(
          JSON.stringify(
            { server: key, url: baseUrl, user: context.userName, userId: context.userId, groupId: context.groupId, sessionFile: connections.sessions.file },
            null,
            2,
          ),
        );
      else
        ctx.out(
          `logged in to ${baseUrl} as ${context.userName} (group ${context.groupName ?? context.groupId}); experiments are omero://${key}/project/ID; session key saved in ${connections.sessions.file} (mode 0600)`,
        );
    },
  };

  const logout: CommandDescription = {
    name: 'logout',
    summary: 'end the saved OMERO session and forget it',
    arguments: [{ name: 'server', description: 'host[:port], URL or omero:// URI (default: the only saved server)', required: false }],
    async run(args, ctx) {
      const server = text(args.arguments['server']);
      const { OmeroClient, OmeroConnections } = await load();
      const connections = new OmeroConnections(resolved(ctx));
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
      const client = new OmeroClient({ baseUrl: saved[key].url, sessionKey: saved[key].sessionKey, ...transport(resolved(ctx)) });
      await client.logout().catch(() => undefined);
      await connections.sessions.set(key, undefined);
      ctx.out(`logged out of ${saved[key].url}`);
    },
  };

  const ls: CommandDescription = {
    name: 'ls',
    summary: "list saved servers, a server's projects, a project's datasets, or a dataset's images with their tags",
    arguments: [{ name: 'uri', description: 'omero://host[:port][/project/ID | /dataset/ID | /image/ID]', required: false }],
    async run(args, ctx) {
      const uri = text(args.arguments['uri']);
      const { OmeroConnections, listProjects, listDatasets, listImages } = await load();
      const connections = new OmeroConnections(resolved(ctx));
      if (uri === undefined) {
        const saved = Object.entries(await connections.sessions.all()).map(([server, s]) => ({ server, url: s.url, user: s.user }));
        if (ctx.json) ctx.out(JSON.stringify(saved, null, 2));
        else
          table(
            ctx,
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
      if (ctx.json) ctx.out(JSON.stringify(rows, null, 2));
      else if (ref.kind === 'dataset' || ref.kind === 'image')
        table(
          ctx,
          ['ID', 'NAME', 'TAGS'],
          rows.map((r) => [String(r.id), r.name, tagText(r.tags)]),
        );
      else
        table(
          ctx,
          ['ID', 'NAME', ref.kind === undefined ? 'DATASETS' : 'IMAGES', ...(ref.kind === 'project' ? ['KIND'] : []), 'URI'],
          rows.map((r) => [String(r.id), r.name, String(r.children ?? 0), ...(ref.kind === 'project' ? [r.kind ?? '-'] : []), r.uri]),
        );
    },
  };

  const tag: CommandDescription = {
    name: 'tag',
    summary: 'set (key=value) or remove (-r key) key/value tags on an image or on every image of a dataset',
    arguments: [uriArgument, { name: 'tags', description: 'key=value pairs to set', required: false, variadic: true }],
    options: [{ name: 'remove', short: 'r', type: 'repeatable', valueName: 'key', description: 'keys to remove' }],
    async run(args, ctx) {
      const uri = text(args.arguments['uri']) ?? '';
      const remove = list(args.options['remove']);
      const { OmeroConnections, parseAssignments, tagImages } = await load();
      const ref = parseOmeroUri(uri);
      if (ref.kind !== 'image' && ref.kind !== 'dataset')
        throw new StorageError('INVALID', `cannot tag ${uri}: give an image or dataset URI`, { details: { uri } });
      const set = parseAssignments([...list(args.arguments['tags'])]);
      if (Object.keys(set).length === 0 && remove.length === 0) throw new StorageError('INVALID', 'nothing to do: give key=value pairs and/or -r KEY', {});
      const repo = await new OmeroConnections(resolved(ctx)).repository(ref.server);
      const ids = ref.kind === 'image' ? [ref.id!] : (await repo.images(ref.id!)).map((i) => i['@id']);
      const changed = await tagImages(repo, ids, set, [...remove]);
      ctx.out(`tagged ${changed} of ${ids.length} image(s) in ${uri}`);
    },
  };

  const pull: CommandDescription = {
    name: 'pull',
    summary: 'download an image, or every image of a dataset (original file, else OME-TIFF export)',
    arguments: [uriArgument],
    options: [{ name: 'output', short: 'o', valueName: 'dir', description: 'folder to write into (default: the current folder)' }],
    async run(args, ctx) {
      const uri = text(args.arguments['uri']) ?? '';
      const { OmeroConnections, listImages, pullImages } = await load();
      const ref = parseOmeroUri(uri);
      if (ref.kind !== 'image' && ref.kind !== 'dataset')
        throw new StorageError('INVALID', `cannot pull ${uri}: give an image or dataset URI`, { details: { uri } });
      const repo = await new OmeroConnections(resolved(ctx)).repository(ref.server);
      const images = await listImages(repo, ref.server, { kind: ref.kind, id: ref.id! });
      const files = await pullImages(repo, images, path.resolve(ctx.cwd, text(args.options['output']) ?? '.'));
      if (ctx.json) ctx.out(JSON.stringify(files, null, 2));
      else ctx.out(files.join('\n'));
    },
  };

  return {
    name: 'omero',
    summary: 'browse, tag and download data on OMERO servers (OMERO.web)',
    subcommands: [login, logout, ls, tag, pull],
  };
}

/** The commands as the CLI loads them (`bioimageit.contributes.commands` names this module). */
export default omeroCommand();
