/** The parts of OMERO.web's JSON the plugin reads (omero-marshal objects and webclient annotations). */

export const OME_SCHEMA = 'http://www.openmicroscopy.org/Schemas/OME/2016-06#';

/** Namespace of key/value pairs users edit in OMERO.web (the "client" namespace): our item tags. */
export const NS_CLIENT = 'openmicroscopy.org/omero/client/mapAnnotation';
/** Experiment record on a Project: author, date, tag-key order. */
export const NS_EXPERIMENT = 'bioimageit.org/omero/experiment';
/** Dataset role on a Dataset: `kind` raw or processed. */
export const NS_DATASET = 'bioimageit.org/omero/dataset';
/** Item record on an Image: format, author, date, size, sha256, metadata, thumbnail. */
export const NS_ITEM = 'bioimageit.org/omero/item';
/** Processed item record (provenance) on its processed Dataset and on each source Image. */
export const NS_OUTPUT = 'bioimageit.org/omero/output';

/** `omero:details` of an object: owner and group (as far as the server loaded them). */
export interface OmeroDetails {
  readonly owner?: { readonly '@id': number; readonly FirstName?: string; readonly LastName?: string; readonly UserName?: string };
  readonly group?: { readonly '@id': number; readonly Name?: string };
}

/** A Project (or Dataset: same fields) as `/api/v0/m/` encodes it. */
export interface OmeroProject {
  readonly '@id': number;
  readonly Name?: string;
  readonly Description?: string;
  readonly 'omero:details'?: OmeroDetails;
  readonly 'omero:childCount'?: number;
}

/** A Dataset as `/api/v0/m/` encodes it. */
export type OmeroDataset = OmeroProject;

/** A length with its unit (`TBD#LengthI`). */
export interface OmeroLength {
  readonly Value: number;
  readonly Symbol?: string;
  readonly Unit?: string;
}

/** An Image as `/api/v0/m/` encodes it, with the Pixels fields the plugin reads. */
export interface OmeroImage {
  readonly '@id': number;
  readonly Name?: string;
  readonly AcquisitionDate?: number;
  readonly 'omero:details'?: OmeroDetails;
  readonly Pixels?: {
    readonly SizeX?: number;
    readonly SizeY?: number;
    readonly SizeZ?: number;
    readonly SizeC?: number;
    readonly SizeT?: number;
    readonly PhysicalSizeX?: OmeroLength;
    readonly PhysicalSizeY?: OmeroLength;
    readonly PhysicalSizeZ?: OmeroLength;
    readonly 'omero:sha1'?: string;
    readonly Type?: { readonly value?: string };
  };
}

/** Objects the plugin annotates (form field and query names of the webclient endpoints). */
export type ParentKind = 'project' | 'dataset' | 'image';

/** One entry of `/webclient/api/annotations/` (one per link: an annotation on two objects shows twice). */
export interface WebAnnotation {
  readonly id: number;
  readonly ns: string | null;
  readonly class: string;
  readonly owner: { readonly id: number };
  readonly permissions?: { readonly canEdit?: boolean };
  readonly link: { readonly id: number; readonly parent: { readonly id: number; readonly class: string; readonly name?: string } };
  readonly values?: readonly (readonly [string, string])[];
  readonly textValue?: string;
  readonly file?: { readonly id: number; readonly name: string; readonly size: number; readonly mimetype?: string };
}

/** Parent kind of an annotation link (`ImageI` → image). */
export function parentKind(a: WebAnnotation): ParentKind | undefined {
  const map: Record<string, ParentKind> = { ImageI: 'image', DatasetI: 'dataset', ProjectI: 'project' };
  return map[a.link.parent.class];
}
