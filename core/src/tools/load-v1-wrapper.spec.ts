import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ToolError } from '../errors/area-errors.js';
import { loadV1Wrapper, v1WrapperBody } from './load-v1-wrapper.js';

const TOOLS = fileURLToPath(new URL('../../../tests/fixtures/v1/tools/', import.meta.url));

function caught(fn: () => unknown): ToolError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ToolError);
    return error as ToolError;
  }
  throw new Error('expected a ToolError');
}

const wrap = (inner: string, command = 'run ${i} ${o}'): string =>
  `<tool id="t" name="T" version="1.0.0">\n<command>${command}</command>\n<inputs>\n<param type="data" name="i" format="imagetiff"/>\n${inner}\n</inputs>\n<outputs><data name="o" format="imagetiff"/></outputs>\n</tool>`;

describe('loadV1Wrapper on the v1 fixtures', () => {
  it('loads biitcopy with its data input, output, conda requirement, shed metadata and argv', async () => {
    const tool = await loadV1Wrapper(join(TOOLS, 'biitcopy/biitcopy.xml'));
    expect(tool).toMatchObject({
      id: 'biitcopy',
      name: 'biitcopy',
      version: '1.0.0',
      type: 'map',
      description: 'Copy the input image to the output (no-op baseline tool)',
      categories: ['Baseline'],
      owner: 'baseline',
      help: 'Baseline tool: copies its input.',
      inputs: [{ name: 'i', type: 'data', format: 'imagetiff', label: 'Input image' }],
      outputs: [{ name: 'o', format: 'imagetiff', label: 'Copied image' }],
      requirements: { conda: { env: 'base', packages: ['coreutils'] } },
      resources: {},
      tests: [],
      source: join(TOOLS, 'biitcopy/biitcopy.xml'),
    });
    expect(tool.command.argv).toEqual(['cp', '{inputs.i}', '{outputs.o}']);
    expect(tool.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.isFrozen(tool.inputs[0])).toBe(true);
  });

  it('loads biitthreshold: a float parameter with default, ${python} from the config env, one quoted script argument', async () => {
    const tool = await loadV1Wrapper(join(TOOLS, 'biitthreshold/biitthreshold.xml'));
    expect(tool.inputs).toEqual([
      { name: 'i', type: 'data', format: 'imagetiff', label: 'Input image' },
      { name: 'threshold', type: 'float', default: 128, label: 'Threshold' },
    ]);
    expect(tool.requirements).toEqual({ conda: { env: 'biitthreshold', packages: ['python', 'numpy', 'tifffile'] } });
    expect(tool.command.argv).toEqual([
      '{env.python}',
      '-c',
      "import sys,tifffile; a=tifffile.imread(sys.argv[1]); tifffile.imwrite(sys.argv[2], ((a > float(sys.argv[3])) * 255).astype('uint8'))",
      '{inputs.i}',
      '{outputs.o}',
      '{params.threshold}',
    ]);
  });

  it('loads biitfail', async () => {
    const tool = await loadV1Wrapper(join(TOOLS, 'biitfail/biitfail.xml'));
    expect(tool.command.argv).toEqual(['false', '{inputs.i}', '{outputs.o}']);
    expect(tool.outputs).toEqual([{ name: 'o', format: 'imagetiff', label: 'Never written' }]);
  });

  it('reports a missing file as NOT_FOUND', async () => {
    await expect(loadV1Wrapper(join(TOOLS, 'nope.xml'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('v1 parameter types', () => {
  it('supports integer, float/number, string/text, boolean/bool, select, argument naming and optional=advanced', () => {
    const body = v1WrapperBody(
      wrap(
        [
          '<param argument="-noise" type="select" label="Noise"><option value="0">Gauss</option><option value="1" selected="true">Poisson</option></param>',
          '<param argument="--patch-size" type="integer" value="7" min="1" max="15" optional="true"/>',
          '<param name="nf" type="number" value="1.5"/>',
          '<param name="f" type="float" min="-1e3"/>',
          '<param name="s" type="string" value="a &amp; b"/>',
          '<param name="t" type="text"/>',
          '<param name="b" type="boolean" checked="true" truevalue="--on" falsevalue=""/>',
          '<param name="b2" type="bool"/>',
          '<param name="m" type="select"><option value="x"/><option value="y">Why</option></param>',
        ].join('\n'),
      ),
      '/w/t.xml',
    );
    expect(body.inputs.slice(1)).toEqual([
      {
        name: 'noise',
        type: 'choice',
        label: 'Noise',
        argument: '-noise',
        default: '1',
        choices: [
          { value: '0', label: 'Gauss' },
          { value: '1', label: 'Poisson' },
        ],
      },
      { name: 'patchsize', type: 'int', argument: '--patch-size', default: 7, min: 1, max: 15, advanced: true },
      { name: 'nf', type: 'float', default: 1.5 },
      { name: 'f', type: 'float', min: -1000 },
      { name: 's', type: 'string', default: 'a & b' },
      { name: 't', type: 'string', default: '' },
      { name: 'b', type: 'bool', default: true, trueValue: '--on', falseValue: '' },
      { name: 'b2', type: 'bool', default: false },
      {
        name: 'm',
        type: 'choice',
        default: 'x',
        choices: [
          { value: 'x', label: 'x' },
          { value: 'y', label: 'Why' },
        ],
      },
    ]);
  });

  it('maps type="merge" to reduce and reads docker containers, init, channels and tests', () => {
    const xml = `<tool id="Stats" name="Stats" version="0.2.0" type="merge">
  <requirements>
    <package type="conda" env="stats" init="pip install x">-c conda-forge python=3.9 scipy</package>
    <container type="docker">registry.example.org/stats:1</container>
  </requirements>
  <command>python $__tool_directory__/stats.py -i \${i} -o \${o} -n $n</command>
  <inputs><param type="data" name="i" format="numbercsv"/><param name="n" type="integer" value="3"/></inputs>
  <outputs><data name="o" format="tablecsv"/></outputs>
  <tests><test><param name="i" value="in.csv"/><param name="n" value="4"/><output name="o" file="out.csv" compare="sim_size"/></test></tests>
</tool>`;
    const body = v1WrapperBody(xml, '/w/stats.xml');
    expect(body.id).toBe('stats');
    expect(body.type).toBe('reduce');
    expect(body.requirements).toEqual({
      conda: { env: 'stats', init: 'pip install x', packages: ['python=3.9', 'scipy'], channels: ['conda-forge'] },
      docker: { image: 'registry.example.org/stats:1' },
    });
    expect(body.command.argv).toEqual(['python', '{tool.dir}/stats.py', '-i', '{inputs.i}', '-o', '{outputs.o}', '-n', '{params.n}']);
    expect(body.tests).toEqual([{ params: { n: '4' }, inputs: { i: 'in.csv' }, outputs: { o: { file: 'out.csv', compare: 'sim_size' } } }]);
  });
});

describe('quirks of published v1 wrappers still load, as they did in v1', () => {
  it('digit-first argument names, ${-x} references, select values outside the options, sloppy tests, stray text', () => {
    const xml = `<tool id="QuirkTool" name="Quirk" version="0.1.13" python_template_version="3.5">
  <requirements><package type="conda">mytool -c bioconda other</package></requirements>
  <command detect_errors="exit_code"><![CDATA[
    denoise -i '\${i}' -o '\${o}' -2dt \${2dt} -patch '\${-patch}' -mode \${mode} --infile \${infile}
  ]]></command>
  <inputs>
    <param type="data" name="i" format="tiff"/>
    <param argument="-2dt" type="boolean" value="false"/>
    <param argument="-patch" type="integer" min="0" value="3"/>
    <param argument="-mode" type="select" value="Default dark"><option value="a">A</option><option value="b">B</option></param>
  </inputs>
  <outputs><data name="o" format="tiff"/></outputs>>
  <tests><test><param name="i" value="in.tif"/><param name="unknown" value="1"/><output name="patch" file="1"/><output name="o" file="x.tif" compare="diff"/><other/></test></tests>
  <citations><citation type="bibtex">@article{x, title = {A &amp; B}}</citation></citations>
</tool>`;
    const body = v1WrapperBody(xml, '/w/q.xml');
    expect(body.id).toBe('quirktool');
    expect(body.requirements).toEqual({ conda: { packages: ['mytool', 'other'], channels: ['bioconda'] } });
    expect(body.command.argv).toEqual([
      'denoise',
      '-i',
      '{inputs.i}',
      '-o',
      '{outputs.o}',
      '-2dt',
      '{params.2dt}',
      '-patch',
      '{params.patch}',
      '-mode',
      '{params.mode}',
      '--infile',
      '{env.infile}',
    ]);
    expect(body.inputs.map((i) => [i.name, i.default])).toEqual([
      ['i', undefined],
      ['2dt', false],
      ['patch', 3],
      ['mode', 'a'],
    ]);
    expect(body.tests).toEqual([{ params: {}, inputs: { i: 'in.tif' }, outputs: { o: { file: 'x.tif' } } }]);
  });
});

describe('v1 command conversion', () => {
  const argv = (command: string): readonly string[] => v1WrapperBody(wrap('<param name="x" type="string"/>', command), '/w/t.xml').command.argv;

  it('splits like shlex before substituting, keeping quoted words and mixed words whole', () => {
    expect(argv(`run --in=\${i} "a b \${x}" 'c d' e\\ f \${o}`)).toEqual(['run', '--in={inputs.i}', 'a b {params.x}', 'c d', 'e f', '{outputs.o}']);
    expect(argv('run ${i} "" ${o}')).toEqual(['run', '{inputs.i}', '', '{outputs.o}']);
    expect(argv('run \\\n  ${i}\n  ${o}')).toEqual(['run', '{inputs.i}', '{outputs.o}']);
  });

  it('maps unknown ${x} to the config env, keeps unknown $x, $1 and \\$ literal, substitutes in single quotes like v1', () => {
    expect(argv("${fiji_home}/run $HOME awk '{print $1}' \\${i} \"\\$x\" '${i}' $__fiji__ ${o}")).toEqual([
      '{env.fiji_home}/run',
      '$HOME',
      'awk',
      '{print $1}',
      '${i}',
      '$x',
      '{inputs.i}',
      '{env.fiji}',
      '{outputs.o}',
    ]);
  });

  it("follows v1's $__tool_directory__ (a folder with its separator) and dash-stripped ${--argument} references", () => {
    const body = v1WrapperBody(
      wrap(
        '<param argument="--use_gpu" type="select"><option value="--use_gpu">Yes</option><option value="">No</option></param>',
        "python '$__tool_directory__nb.py' ${__tool_directory__}/b.py $__tool_directory__ ${--use_gpu} ${i} ${o}",
      ),
      '/w/t.xml',
    );
    expect(body.command.argv).toEqual(['python', '{tool.dir}/nb.py', '{tool.dir}/b.py', '{tool.dir}/', '{params.use_gpu}', '{inputs.i}', '{outputs.o}']);
  });

  it('rejects unterminated quotes and ${...} expressions with the line', () => {
    expect(caught(() => v1WrapperBody(wrap('', 'run\n "${i}'), '/w/t.xml')).message).toBe('/w/t.xml: line 3: <command>: unterminated double quote');
    expect(caught(() => v1WrapperBody(wrap('', 'run ${i.ext}'), '/w/t.xml')).message).toMatch(/line 2: <command>: unsupported expression '\$\{i\.ext\}'/);
  });
});

describe('v1 wrapper errors', () => {
  it.each([
    ['conditional', '<conditional name="c"><param name="p" type="integer"/></conditional>', /line 6: <conditional>: <conditional> is not supported/],
    ['repeat', '<repeat name="r"/>', /line 6: <repeat>/],
    ['section', '<section name="s"/>', /line 6: <section>/],
    ['data_collection', '<param name="d" type="data_collection"/>', /line 6: <param>: data_collection parameters are not supported/],
    ['unknown type', '<param name="c" type="color"/>', /line 6: <param>: parameter 'c' has unsupported type 'color'/],
    ['bad number', '<param name="n" type="integer" value="1.5"/>', /line 6: <param>: parameter 'n': value="1.5" is not an integer/],
    ['empty select', '<param name="s" type="select"/>', /line 6: <param>: select parameter 's' has no <option>/],
  ])('rejects %s as BAD_MANIFEST naming the file and line', (_what, inner, message) => {
    const error = caught(() => v1WrapperBody(wrap(`\n${inner}`), '/w/t.xml'));
    expect(error.code).toBe('BAD_MANIFEST');
    expect(error.message).toMatch(/^\/w\/t\.xml: /);
    expect(error.message).toMatch(message);
  });

  it('rejects a non-tool root, missing attributes and a missing command', () => {
    expect(caught(() => v1WrapperBody('<macros/>', '/w/m.xml')).message).toBe('/w/m.xml: line 1: <macros>: the root element must be <tool>');
    expect(caught(() => v1WrapperBody('<tool name="x" version="1"/>', '/w/t.xml')).details).toMatchObject({ field: 'id', line: 1 });
    expect(caught(() => v1WrapperBody('<tool id="x" name="x" version="1"/>', '/w/t.xml')).message).toMatch(/needs a <command>/);
  });

  it('reports malformed XML with its line', () => {
    expect(caught(() => v1WrapperBody('<tool id="x">\n<command>\n</tool>', '/w/t.xml')).message).toBe(
      '/w/t.xml: line 3, column 1: </tool> does not match <command> opened on line 2',
    );
  });

  it('runs the native checks too (a command naming an undeclared input is impossible, duplicate names are not)', () => {
    const xml = wrap('<param name="o" type="integer" value="1"/>');
    expect(caught(() => v1WrapperBody(xml, '/w/t.xml')).message).toMatch(/outputs\[0\]\.name: duplicate name 'o'/);
  });
});

describe('.shed.yml beside the wrapper', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'biit-shed-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('gives the description when the XML has none, and reports its own syntax errors with the line', async () => {
    await writeFile(join(dir, 't.xml'), wrap(''));
    await writeFile(join(dir, '.shed.yml'), 'categories: [Denoising, "Deconvolution"]\ndescription: From shed\nhomepage_url: https://example.org # site\n');
    expect(await loadV1Wrapper(join(dir, 't.xml'))).toMatchObject({
      description: 'From shed',
      categories: ['Denoising', 'Deconvolution'],
      homepage: 'https://example.org',
    });
    await writeFile(join(dir, '.shed.yml'), 'name: x\nowner:\n  nested: map\n');
    await expect(loadV1Wrapper(join(dir, 't.xml'))).rejects.toThrow(`${join(dir, '.shed.yml')}: line 3: nested mappings are not supported`);
  });
});
