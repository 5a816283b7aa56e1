import path from 'node:path';
import { inject, injectable, optional } from 'inversify';
import { StorageError, type ExperimentInit, type ExperimentStore, type ExperimentSummary, type StorageBackend } from '@bioimageit/core';
import { OmeroOptions, resolveOmeroOptions } from './omero-options.js';
import { DownloadCache } from './storage/download-cache.js';
import { loadLayout, orderedKeys } from './storage/experiment-layout.js';
import { experimentPairs, experimentRecord } from './storage/item-records.js';
import { checkName } from './storage/name-rules.js';
import { OmeroConnections } from './storage/omero-connections.js';
import { OmeroExperimentStore } from './storage/omero-experiment-store.js';
import { NS_DATASET, NS_EXPERIMENT, type OmeroProject } from './storage/omero-model.js';
import type { OmeroRepository } from './storage/omero-repository.js';
import { omeroUri, parseOmeroUri } from './storage/omero-uri.js';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Storage on OMERO servers through OMERO.web (scheme `omero`): an experiment is a Project
 * (`omero://host[:port]/project/ID`), a workspace location is a server (`omero://host[:port]`,
 * optionally `/group/ID`). See {@link OmeroExperimentStore} for the mapping of datasets, items
 * and tags. Errors are StorageError naming the server, object and request.
 */
@injectable()
export class OmeroStorageBackend implements StorageBackend {
  readonly scheme = 'omero';
  readonly connections: OmeroConnections;

  constructor(@inject(OmeroOptions) @optional() options?: OmeroOptions) {
    this.connections = new OmeroConnections(resolveOmeroOptions(options));
  }

  private async locate(location: string): Promise<{ server: string; repo: OmeroRepository; group?: number }> {
    const ref = parseOmeroUri(location);
    if (ref.kind !== undefined && ref.kind !== 'group') {
      throw new StorageError('INVALID', `'${location}' is not a workspace location: use omero://host[:port] or omero://host[:port]/group/ID`, {
        details: { uri: location },
      });
    }
    const repo = await this.connections.repository(ref.server);
    return { server: ref.server, repo, ...(ref.id !== undefined && { group: ref.id }) };
  }

  private async projectsOf(repo: OmeroRepository, group?: number): Promise<OmeroProject[]> {
    const all = await repo.projects();
    return group === undefined ? all : all.filter((p) => p['omero:details']?.group?.['@id'] === group);
  }

  async listExperiments(location: string): Promise<readonly ExperimentSummary[]> {
    const { server, repo, group } = await this.locate(location);
    const projects = await this.projectsOf(repo, group);
    if (projects.length === 0) return [];
    const ids = projects.map((p) => p['@id']);
    const [records, tags] = await Promise.all([repo.annotations('project', ids, 'map', NS_EXPERIMENT), repo.annotations('project', ids, 'tag')]);
    return projects.map((p) => {
      const record = experimentRecord(records.find((r) => r.link.parent.id === p['@id'])?.values);
      const tagged = [...new Set(tags.filter((t) => t.link.parent.id === p['@id'] && t.textValue !== undefined).map((t) => t.textValue!))];
      const owner = p['omero:details']?.owner;
      return {
        id: String(p['@id']),
        uri: omeroUri(server, 'project', p['@id']),
        name: p.Name ?? '',
        author: record.author ?? ([owner?.FirstName, owner?.LastName].filter(Boolean).join(' ') || owner?.UserName || ''),
        date: record.date ?? '',
        keys: orderedKeys(record.keys, tagged),
      };
    });
  }

  async createExperiment(location: string, init: ExperimentInit): Promise<ExperimentStore> {
    checkName(init.name, 'experiment');
    const { server, repo, group } = await this.locate(location);
    const me = await repo.client.connect();
    const target = group ?? repo.client.group!;
    // Names are unique per user and group: other users' Projects of the same name do not block.
    const mine = (await this.projectsOf(repo, target)).filter((p) => p['omero:details']?.owner?.['@id'] === me.userId);
    if (mine.some((p) => p.Name === init.name)) {
      throw new StorageError('EXISTS', `you already have an experiment (OMERO Project) named '${init.name}' in group ${target} on ${server}`, {
        details: { name: init.name, server, group: target },
      });
    }
    const projectId = await repo.create('Project', init.name, target);
    const keys = [...new Set(init.keys ?? [])];
    const date = init.date ?? new Date().toISOString().slice(0, 10);
    await repo.createMap('project', [projectId], NS_EXPERIMENT, experimentPairs({ author: init.author, date, keys }));
    if (keys.length > 0) await repo.setTags('project', projectId, [], keys);
    const datasetId = await repo.create('Dataset', 'data', target);
    await repo.linkDataset(projectId, datasetId);
    await repo.createMap('dataset', [datasetId], NS_DATASET, [
      ['kind', 'raw'],
      ['written by', 'BioImageIT'],
    ]);
    return this.openExperiment(omeroUri(server, 'project', projectId));
  }

  async openExperiment(uri: string): Promise<ExperimentStore> {
    const ref = parseOmeroUri(uri);
    if (ref.kind !== 'project' || ref.id === undefined || ref.rest.length > 0) {
      throw new StorageError('NOT_FOUND', `no OMERO experiment at ${uri}: experiments are Projects (omero://host[:port]/project/ID)`, { details: { uri } });
    }
    const repo = await this.connections.repository(ref.server);
    const layout = await loadLayout(repo, ref.server, ref.id);
    const cacheDir = this.connections.options.cacheDir;
    return new OmeroExperimentStore(
      {
        repo,
        server: ref.server,
        projectId: ref.id,
        cache: new DownloadCache(path.join(cacheDir, 'data')),
        stagingRoot: path.join(cacheDir, 'staging'),
        importer: this.connections.importerSource(),
      },
      layout,
    );
  }

  /**
   * Deletes the Project with its Datasets, Images and annotations (`/webclient/action/deletemany/`,
   * asynchronous on the server: waits up to a minute until the Project is gone).
   */
  async deleteExperiment(uri: string): Promise<void> {
    const store = (await this.openExperiment(uri)) as OmeroExperimentStore;
    const { repo, projectId } = store.ctx;
    await repo.deleteMany('project', [projectId]);
    for (let waited = 0; ; waited += 250) {
      const gone = await repo.project(projectId).then(
        () => false,
        (err: unknown) => err instanceof StorageError && err.code === 'NOT_FOUND',
      );
      if (gone) return;
      if (waited > 60_000) throw new StorageError('IO', `OMERO is still deleting ${uri} after a minute; check OMERO.web's activities`, { details: { uri } });
      await sleep(250);
    }
  }
}
