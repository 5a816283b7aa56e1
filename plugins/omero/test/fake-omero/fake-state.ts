/** In-memory OMERO model behind the fake OMERO.web: containers, images, annotations and links. */

export type ParentType = 'project' | 'dataset' | 'image';

export interface FakeProject {
  id: number;
  name: string;
  description?: string;
  groupId: number;
  ownerId: number;
}
export interface FakeDataset {
  id: number;
  name: string;
  description?: string;
  groupId: number;
  ownerId: number;
}
export interface FakeImage {
  id: number;
  name: string;
  groupId: number;
  ownerId: number;
  acquisitionDate: number;
  sizeX: number;
  sizeY: number;
  pixelsType: string;
  /** Bytes of the originally imported file; absent = nothing archived. */
  original?: { name: string; bytes: Buffer };
}
export interface FakeFile {
  id: number;
  name: string;
  mimetype: string;
  bytes: Buffer;
}
export interface FakeAnnotation {
  id: number;
  kind: 'MapAnnotationI' | 'TagAnnotationI' | 'FileAnnotationI';
  ns: string | null;
  ownerId: number;
  values?: [string, string][];
  textValue?: string;
  description?: string;
  file?: FakeFile;
}
export interface FakeLink {
  id: number;
  annId: number;
  parentType: ParentType;
  parentId: number;
  ownerId: number;
}

/** The fake's database. Ids come from one counter, as OMERO's do per table (uniqueness is what matters). */
export class FakeState {
  readonly projects = new Map<number, FakeProject>();
  readonly datasets = new Map<number, FakeDataset>();
  readonly images = new Map<number, FakeImage>();
  readonly annotations = new Map<number, FakeAnnotation>();
  links: FakeLink[] = [];
  /** ProjectDatasetLinks and DatasetImageLinks as [parent, child]. */
  projectDatasets: [number, number][] = [];
  datasetImages: [number, number][] = [];
  private next = 1000;

  nextId(): number {
    return ++this.next;
  }

  addProject(name: string, groupId: number, ownerId: number, description?: string): FakeProject {
    const p: FakeProject = { id: this.nextId(), name, groupId, ownerId, ...(description !== undefined && { description }) };
    this.projects.set(p.id, p);
    return p;
  }

  addDataset(name: string, groupId: number, ownerId: number, projectId?: number): FakeDataset {
    const d: FakeDataset = { id: this.nextId(), name, groupId, ownerId };
    this.datasets.set(d.id, d);
    if (projectId !== undefined) this.projectDatasets.push([projectId, d.id]);
    return d;
  }

  addImage(datasetId: number, name: string, ownerId: number, original?: { name: string; bytes: Buffer }): FakeImage {
    const dataset = this.datasets.get(datasetId);
    const image: FakeImage = {
      id: this.nextId(),
      name,
      groupId: dataset?.groupId ?? 5,
      ownerId,
      acquisitionDate: 1235730332000,
      sizeX: 512,
      sizeY: 512,
      pixelsType: 'uint16',
      ...(original && { original }),
    };
    this.images.set(image.id, image);
    this.datasetImages.push([datasetId, image.id]);
    return image;
  }

  annotate(parentType: ParentType, parentId: number, ann: Omit<FakeAnnotation, 'id'>): FakeAnnotation {
    const full = { ...ann, id: this.nextId() };
    this.annotations.set(full.id, full);
    this.link(full.id, parentType, parentId, ann.ownerId);
    return full;
  }

  link(annId: number, parentType: ParentType, parentId: number, ownerId: number): void {
    this.links.push({ id: this.nextId(), annId, parentType, parentId, ownerId });
  }

  exists(type: ParentType, id: number): boolean {
    return (type === 'project' ? this.projects : type === 'dataset' ? this.datasets : this.images).has(id);
  }

  deleteAnnotation(id: number): void {
    this.annotations.delete(id);
    this.links = this.links.filter((l) => l.annId !== id);
  }

  /** Deletes an object (webclient deletemany semantics): `child` deletes contents, `anns` annotations. */
  deleteObject(type: ParentType, id: number, child: boolean, anns: boolean): void {
    if (type === 'project' && child) for (const [, d] of this.projectDatasets.filter(([p]) => p === id)) this.deleteObject('dataset', d, child, anns);
    if (type === 'dataset' && child) for (const [, i] of this.datasetImages.filter(([d]) => d === id)) this.deleteObject('image', i, child, anns);
    if (anns) for (const l of this.links.filter((x) => x.parentType === type && x.parentId === id)) this.deleteAnnotation(l.annId);
    this.links = this.links.filter((l) => !(l.parentType === type && l.parentId === id));
    if (type === 'project') this.projects.delete(id);
    if (type === 'dataset') this.datasets.delete(id);
    if (type === 'image') this.images.delete(id);
    this.projectDatasets = this.projectDatasets.filter(([p, d]) => !(type === 'project' && p === id) && !(type === 'dataset' && d === id));
    this.datasetImages = this.datasetImages.filter(([d, i]) => !(type === 'dataset' && d === id) && !(type === 'image' && i === id));
  }
}
