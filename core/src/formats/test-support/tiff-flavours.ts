import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PixelArray } from '../../extension-points/format-codec.js';
import type { PixelDtype } from '../pixel-dtype.js';

/**
 * A sweep of TIFF flavours for the pixel reader: source arrays written by tifffile in many storage
 * variants, plus copies re-written by libtiff's `tiffcp`, each to be decoded and compared with its
 * source pixels. Generation needs Debian's python3 with tifffile and numpy; the `tiffcp` copies
 * are made only when a `tiffcp` path is given.
 */

/** One source array, as written raw (little-endian, C order) to `<dir>/<name>.bin`. */
export interface FlavourSource {
  readonly name: string;
  readonly dtype: PixelDtype;
  /** Axes slowest first, `S` last for colour sources. */
  readonly shape: readonly number[];
}

/** One file to decode and compare with its source. */
export interface FlavourCase {
  /** Path of the TIFF file. */
  readonly file: string;
  /** Name of its {@link FlavourSource}. */
  readonly source: string;
  /** Who wrote it and how, e.g. `tiffcp -c jpeg -r 16`. */
  readonly variant: string;
  /** Lossy storage (JPEG, or YCbCr computed from RGB): compared within a tolerance, not exactly. */
  readonly lossy: boolean;
  /** The same pixels as libtiff decodes them (`tiffcp -c none`), for lossy tiffcp variants. */
  readonly reference?: string;
  /** Tolerance when the storage loses more than JPEG strips at default quality (4×4 chroma subsampling, small JPEG tiles). */
  readonly tolerance?: { readonly mean: number; readonly max: number };
  /** A variant that fails for a reason outside this code (named here), kept to notice its fix. */
  readonly knownBug?: string;
  /** A compression the reader is expected to refuse with FormatError `UNSUPPORTED`. */
  readonly unsupported?: string;
}

/** What the generator made: sources, cases, and the variants a tool refused to write (with why). */
export interface FlavourSet {
  readonly sources: readonly FlavourSource[];
  readonly cases: readonly FlavourCase[];
  readonly refused: readonly { readonly variant: string; readonly why: string }[];
}

/**
 * The generator: argv[1] output folder, argv[2] `tiffcp` path or `-`. Prints one JSON line per
 * source, case and refused variant. YCbCr files are computed from the RGB source with ITU-R
 * BT.601 (full range unless ReferenceBlackWhite says otherwise); subsampled YCbCr is not written by
 * tifffile or tiffcp (without JPEG), so those files are assembled here by hand (TIFF 6.0 §21).
 */
const GENERATOR = String.raw`
import json, struct, subprocess, sys
import numpy as np, tifffile

out, tiffcp = sys.argv[1], sys.argv[2]
H, W = 70, 90
rng = np.random.default_rng(21)
y, x = np.mgrid[0:H, 0:W].astype('float64')
t = 0.6 * x / (W - 1) + 0.4 * y / (H - 1)

def emit(**kw):
    print(json.dumps(kw), flush=True)

def noise(shape, amp):
    return rng.uniform(-amp, amp, shape)

sources = {}
def source(name, a, rgb=False, jpeg=False, flt=False):
    sources[name] = dict(a=a, rgb=rgb, jpeg=jpeg, flt=flt)
    a.astype(a.dtype.newbyteorder('<')).tofile(f'{out}/{name}.bin')
    emit(kind='source', name=name, dtype=str(a.dtype), shape=list(a.shape))

rgb = np.stack([t, 1 - t, 0.2 + 0.6 * y / (H - 1)], axis=-1)
source('u8-grey', np.clip(20 + 200 * t + noise(t.shape, 2), 0, 255).round().astype('uint8'), jpeg=True)
source('u8-rgb', np.clip(10 + 230 * rgb + noise(rgb.shape, 2), 0, 255).round().astype('uint8'), rgb=True, jpeg=True)
source('u16-zstack', np.stack([np.clip(60000 * t * (z + 1) / 3 + noise(t.shape, 500) + 600, 0, 65535) for z in range(3)]).round().astype('uint16'))
source('i16-grey', (-30000 + 60000 * t + noise(t.shape, 300)).round().astype('int16'))
source('u32-grey', (4.0e9 * t + noise(t.shape, 1e6) + 2e6).round().astype('uint32'))
source('f32-zstack', np.stack([(np.sin(6 * t + z) * 1000 + noise(t.shape, 5)) for z in range(2)]).astype('float32'), flt=True)
source('u16-rgb', np.clip(60000 * rgb + noise(rgb.shape, 300) + 400, 0, 65535).round().astype('uint16'), rgb=True)

def case(name, variant, file, lossy=False, unsupported=None, **extra):
    emit(kind='case', file=file, source=name, variant=variant, lossy=lossy, **({'unsupported': unsupported} if unsupported else {}), **extra)

counter = [0]
def fresh(name, tool):
    counter[0] += 1
    return f'{out}/{name}--{tool}-{counter[0]}.tif'

def tf(name, variant, **kw):
    s = sources[name]
    file = fresh(name, 'tifffile')
    kw.setdefault('photometric', 'rgb' if s['rgb'] else 'minisblack')
    # tifffile takes separate planes as (S, Y, X)
    a = np.ascontiguousarray(np.moveaxis(s['a'], -1, 0)) if kw.get('planarconfig') == 'separate' else s['a']
    try:
        tifffile.imwrite(file, a, **kw)
    except Exception as e:
        emit(kind='refused', variant=f'{name} tifffile {variant}', why=str(e).strip().splitlines()[-1])
        return None
    case(name, f'tifffile {variant}', file)
    return file

plain = {}
for name, s in sources.items():
    integer = not s['flt']
    plain[name] = tf(name, 'none')
    tf(name, 'strips of 7 rows', rowsperstrip=7)
    tf(name, 'deflate', compression='zlib')
    if integer:
        tf(name, 'deflate predictor 2', compression='zlib', predictor=True)
    tf(name, 'tiles 32x32', tile=(32, 32))
    tf(name, 'tiles 32x32 deflate', tile=(32, 32), compression='zlib', predictor=integer)
    tf(name, 'BigTIFF', bigtiff=True)
    tf(name, 'big-endian', byteorder='>')
    tf(name, 'big-endian BigTIFF tiles 16x16 deflate', byteorder='>', bigtiff=True, tile=(16, 16), compression='zlib', predictor=integer)
    if s['rgb']:
        tf(name, 'planar separate', planarconfig='separate')
        tf(name, 'planar separate tiles 32x32 deflate', planarconfig='separate', tile=(32, 32), compression='zlib', predictor=True)
        tf(name, 'planar separate big-endian', planarconfig='separate', byteorder='>')

lzma = fresh('u8-grey', 'tifffile')
tifffile.imwrite(lzma, sources['u8-grey']['a'], compression='lzma')
case('u8-grey', 'tifffile lzma', lzma, unsupported='34925')

# YCbCr from the RGB source, BT.601, with the given ReferenceBlackWhite.
def ycbcr(a, rbw):
    r, g, b = (a[..., i].astype('float64') for i in range(3))
    yy = 0.299 * r + 0.587 * g + 0.114 * b
    cb = (b - yy) / 1.772
    cr = (r - yy) / 1.402
    y0, y1, c0, c1 = rbw[0], rbw[1], rbw[2], rbw[3]
    yy = y0 + yy * (y1 - y0) / 255
    cb = c0 + cb * (c1 - c0) / 127
    cr = c0 + cr * (c1 - c0) / 127
    return [np.clip(np.round(v), 0, 255).astype('uint8') for v in (yy, cb, cr)]

src = sources['u8-rgb']['a']
file = fresh('u8-rgb', 'tifffile')
tifffile.imwrite(file, np.stack(ycbcr(src, (0, 255, 128, 255)), axis=-1), photometric='ycbcr')
case('u8-rgb', 'tifffile YCbCr 1x1 uncompressed', file, lossy=True)

def subsampled(h, v, rbw, rows, big_endian=False):
    """An uncompressed YCbCr TIFF with YCbCrSubSampling (h, v): data units of h*v Y, Cb, Cr."""
    yy, cb, cr = ycbcr(src, rbw)
    hb, wb = -(-H // v), -(-W // h)
    pad = lambda c: np.pad(c, ((0, hb * v - H), (0, wb * h - W)), mode='edge')
    yy, cb, cr = pad(yy), pad(cb.astype('float64')), pad(cr.astype('float64'))
    strips = []
    for s0 in range(0, hb, rows // v):
        units = bytearray()
        for by in range(s0, min(hb, s0 + rows // v)):
            for bx in range(wb):
                units += yy[by * v:(by + 1) * v, bx * h:(bx + 1) * h].tobytes()
                units.append(int(round(cb[by * v:(by + 1) * v, bx * h:(bx + 1) * h].mean())))
                units.append(int(round(cr[by * v:(by + 1) * v, bx * h:(bx + 1) * h].mean())))
        strips.append(bytes(units))
    e = '>' if big_endian else '<'
    data = b''.join(strips)
    offsets, at = [], 8
    for s in strips:
        offsets.append(at); at += len(s)
    extra_at = 8 + len(data)
    bps_at, rbw_at, off_at, cnt_at = extra_at, extra_at + 6, extra_at + 6 + 48, extra_at + 6 + 48 + 4 * len(strips)
    ifd_at = cnt_at + 4 * len(strips)
    ifd_at += ifd_at % 2
    tags = sorted([(256, 4, 1, W), (257, 4, 1, H), (258, 3, 3, bps_at), (259, 3, 1, 1), (262, 3, 1, 6),
                   (273, 4, len(strips), off_at if len(strips) > 1 else offsets[0]), (277, 3, 1, 3), (278, 4, 1, rows),
                   (279, 4, len(strips), cnt_at if len(strips) > 1 else len(strips[0])), (284, 3, 1, 1),
                   (530, 3, 2, None), (532, 5, 6, rbw_at)])
    body = bytearray(('II' if not big_endian else 'MM').encode() + struct.pack(e + 'HI', 42, ifd_at))
    body += data
    body += struct.pack(e + '3H', 8, 8, 8)
    rb = (rbw[0], rbw[1], rbw[2], rbw[3], rbw[2], rbw[3])
    body += b''.join(struct.pack(e + 'II', n, 1) for n in rb)
    body += b''.join(struct.pack(e + 'I', o) for o in offsets)
    body += b''.join(struct.pack(e + 'I', len(s)) for s in strips)
    body += b'\0' * (ifd_at - len(body))
    body += struct.pack(e + 'H', len(tags))
    for tag, typ, count, value in tags:
        if tag == 530:
            body += struct.pack(e + 'HHIHH', tag, typ, count, h, v)
        elif typ == 3 and count == 1:
            body += struct.pack(e + 'HHIHH', tag, typ, count, value, 0)
        else:
            body += struct.pack(e + 'HHII', tag, typ, count, value)
    body += struct.pack(e + 'I', 0)
    file = fresh('u8-rgb', 'hand')
    open(file, 'wb').write(body)
    return file

case('u8-rgb', 'hand YCbCr 2x2 uncompressed', subsampled(2, 2, (0, 255, 128, 255), 16), lossy=True)
case('u8-rgb', 'hand YCbCr 2x1 uncompressed, one strip', subsampled(2, 1, (0, 255, 128, 255), 70), lossy=True)
case('u8-rgb', 'hand YCbCr 4x2 studio range', subsampled(4, 2, (16, 235, 128, 240), 8), lossy=True)
# Big-endian with StripOffsets and StripByteCounts out of the IFD's reach: geotiff 3.0.5 reads such
# deferred arrays as little-endian (DeferredArray), so the strips it fetches are garbage.
case('u8-rgb', 'hand YCbCr 4x2 studio range, big-endian', subsampled(4, 2, (16, 235, 128, 240), 8, True), lossy=True, knownBug='geotiff reads deferred tag arrays of big-endian files as little-endian')
case('u8-rgb', 'hand YCbCr 4x4 uncompressed', subsampled(4, 4, (0, 255, 128, 255), 72), lossy=True, tolerance={'mean': 3, 'max': 16})

if tiffcp != '-':
    def cp(name, args, lossy=False, **more):
        file = fresh(name, 'tiffcp')
        variant = 'tiffcp ' + ' '.join(args)
        r = subprocess.run([tiffcp, *args, plain[name], file], capture_output=True, text=True)
        if r.returncode != 0:
            emit(kind='refused', variant=f'{name} {variant}', why=(r.stderr.strip().splitlines() or ['exit %d' % r.returncode])[-1])
            return
        extra = {}
        if lossy:
            # libtiff's own decoding (libjpeg's colour conversion and upsampling), as a second reference
            reference = file[:-4] + '-libtiff.tif'
            r = subprocess.run([tiffcp, '-c', 'none', file, reference], capture_output=True, text=True)
            if r.returncode == 0:
                extra['reference'] = reference
        case(name, variant, file, lossy=lossy, **extra, **more)

    for name, s in sources.items():
        for args in (['-c', 'lzw'], ['-c', 'lzw:2'], ['-c', 'zip'], ['-c', 'zip:2'], ['-c', 'packbits'], ['-c', 'zstd'],
                     ['-r', '5'], ['-t', '-w', '32', '-l', '32'], ['-t'], ['-B'], ['-8'],
                     ['-8', '-B', '-c', 'lzw:2', '-t', '-w', '16', '-l', '16']):
            cp(name, args)
        if s['flt']:
            cp(name, ['-c', 'zip:3'])
            cp(name, ['-c', 'lzw:3', '-B'])
        if s['rgb']:
            cp(name, ['-p', 'separate'])
            cp(name, ['-p', 'separate', '-c', 'lzw:2', '-t', '-w', '32', '-l', '32'])
        if s['jpeg']:
            for args in (['-c', 'jpeg', '-r', '16'], ['-c', 'jpeg', '-r', '64'], ['-c', 'jpeg:90', '-r', '32'], ['-c', 'jpeg:r', '-r', '16'],
                         ['-c', 'jpeg', '-B', '-8', '-r', '48']):
                cp(name, args, lossy=True)
            # Small JPEG tiles with 2x2 chroma: libtiff itself is off by up to 28 near tile edges.
            cp(name, ['-c', 'jpeg', '-t', '-w', '32', '-l', '32'], lossy=True, tolerance={'mean': 3, 'max': 32})
`;

/** Runs the generator into `dir` (which must exist). */
export function generateFlavours(python: string, dir: string, tiffcp: string | undefined): FlavourSet {
  const out = execFileSync(python, ['-c', GENERATOR, dir, tiffcp ?? '-'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 26 });
  const sources: FlavourSource[] = [];
  const cases: FlavourCase[] = [];
  const refused: { variant: string; why: string }[] = [];
  for (const line of out.trim().split('\n')) {
    const row = JSON.parse(line) as { kind: string } & Record<string, unknown>;
    if (row.kind === 'source') sources.push(row as unknown as FlavourSource);
    else if (row.kind === 'case') cases.push(row as unknown as FlavourCase);
    else refused.push(row as unknown as { variant: string; why: string });
  }
  return { sources, cases, refused };
}

const SOURCE_ARRAYS: Readonly<Record<PixelDtype, (b: ArrayBuffer) => PixelArray['data']>> = {
  uint8: (b) => new Uint8Array(b),
  int8: (b) => new Int8Array(b),
  uint16: (b) => new Uint16Array(b),
  int16: (b) => new Int16Array(b),
  uint32: (b) => new Uint32Array(b),
  int32: (b) => new Int32Array(b),
  float32: (b) => new Float32Array(b),
  float64: (b) => new Float64Array(b),
};

/** The pixels of a source, read back from its `.bin` file (the machine is assumed little-endian). */
export function readFlavourSource(dir: string, source: FlavourSource): PixelArray['data'] {
  const bytes = readFileSync(join(dir, `${source.name}.bin`));
  const copy = new Uint8Array(bytes).buffer;
  return SOURCE_ARRAYS[source.dtype](copy);
}

/** Mean and largest absolute difference between two equally long pixel arrays. */
export function pixelError(a: PixelArray['data'], b: PixelArray['data']): { mean: number; max: number } {
  if (a.length !== b.length) throw new RangeError(`pixel arrays differ in length: ${a.length} and ${b.length}`);
  let sum = 0;
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(Number(a[i]) - Number(b[i]));
    sum += d;
    if (d > max || Number.isNaN(d)) max = Number.isNaN(d) ? Infinity : d;
  }
  return { mean: a.length === 0 ? 0 : sum / a.length, max };
}
