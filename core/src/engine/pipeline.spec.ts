import { describe, expect, it } from 'vitest';
import { ToolError } from '../errors/area-errors.js';
import { parsePipeline } from './pipeline-definition.js';
import { orderSteps } from './pipeline-runner.js';

describe('pipelines', () => {
  it('reads the native shape, with defaults', () => {
    const p = parsePipeline(
      {
        name: 'p',
        steps: [
          {
            name: 'blur',
            tool: 'demo.blur',
            params: { sigma: 3 },
            inputs: [{ name: 'i', query: 'Population=p1' }],
            outputDataset: 'blurred',
            matchBy: 'Population,number',
          },
        ],
      },
      'p.json',
    );
    expect(p).toEqual({
      name: 'p',
      steps: [
        {
          name: 'blur',
          tool: 'demo.blur',
          params: { sigma: 3 },
          inputs: [{ name: 'i', query: 'Population=p1' }],
          outputDataset: 'blurred',
          matchBy: ['Population', 'number'],
        },
      ],
    });
  });

  it("reads v1's shape: output_dataset_name, parameters as name/value, origin_output_name, position pairing", () => {
    const p = parsePipeline(
      {
        name: 'v1',
        steps: [
          {
            name: 'deconv',
            tool: 'spitfiredeconv2d_v0.1.2',
            output_dataset_name: 'deconv',
            inputs: [{ name: 'i', dataset: 'data', query: '', origin_output_name: '' }],
            parameters: [{ name: 'sigma', value: '4' }],
          },
          {
            name: 'merge',
            tool: 'x_v1',
            output_dataset_name: 'merged',
            inputs: [
              { name: 'a', dataset: 'deconv', query: '', origin_output_name: 'o' },
              { name: 'b', dataset: 'data' },
            ],
            parameters: [],
          },
        ],
      },
      'v1.json',
    );
    expect(p.steps[0]).toEqual({
      name: 'deconv',
      tool: 'spitfiredeconv2d_v0.1.2',
      params: { sigma: '4' },
      inputs: [{ name: 'i', dataset: 'data' }],
      outputDataset: 'deconv',
    });
    expect(p.steps[1]).toMatchObject({
      outputDataset: 'merged',
      matchBy: 'position',
      inputs: [
        { name: 'a', dataset: 'deconv', originOutputName: 'o' },
        { name: 'b', dataset: 'data' },
      ],
    });
  });

  it('reads broadcast inputs and the order of groups (a PSF to every job, a time series in T order)', () => {
    const p = parsePipeline(
      {
        name: 'llsm',
        steps: [
          {
            name: 'decon',
            tool: 'd',
            inputs: [
              { name: 'stack', step: 'deskew' },
              { name: 'psf', dataset: 'data', query: 'Kind=psf', broadcast: true },
            ],
          },
          { name: 'track', tool: 't', inputs: [{ name: 'spots', step: 'decon' }], groupBy: ['Cell'], orderBy: 'T' },
        ],
      },
      'llsm.json',
    );
    expect(p.steps[0]?.inputs[1]).toEqual({ name: 'psf', dataset: 'data', query: 'Kind=psf', broadcast: true });
    expect(p.steps[0]?.inputs[0]).not.toHaveProperty('broadcast');
    expect(p.steps[1]?.orderBy).toEqual(['T']);
    expect(() => parsePipeline({ steps: [{ tool: 't', inputs: [{ name: 'i', broadcast: 'yes' }] }] }, 'bad.json')).toThrow(
      'bad.json: steps[0].inputs[0].broadcast must be true or false',
    );
  });

  it('names the file and field of a problem', () => {
    expect(() => parsePipeline({ steps: [{ tool: '' }] }, 'bad.json')).toThrow('bad.json: steps[0].tool must be a non-empty string');
    expect(() => parsePipeline({ steps: [] }, 'bad.json')).toThrow('bad.json: steps must be a non-empty array');
    expect(() =>
      parsePipeline(
        {
          steps: [
            { tool: 't', outputDataset: 'x' },
            { tool: 'u', outputDataset: 'x' },
          ],
        },
        'bad.json',
      ),
    ).toThrow(/writes dataset 'x' like steps\[0\]/);
    expect(() => parsePipeline({ steps: [{ tool: 't', inputs: [{ name: 'i', dataset: 'd', step: 's' }] }] }, 'bad.json')).toThrow(
      /names both a 'dataset' and a 'step'/,
    );
  });

  it('orders steps after the steps they read from (by step name or output dataset), and reports cycles', () => {
    const p = parsePipeline(
      {
        steps: [
          { name: 'count', tool: 't', inputs: [{ name: 'i', step: 'threshold' }] },
          { name: 'threshold', tool: 't', inputs: [{ name: 'i', dataset: 'blurred' }] },
          { name: 'blur', tool: 't', outputDataset: 'blurred', inputs: [{ name: 'i', dataset: 'data' }] },
          { name: 'other', tool: 't' },
        ],
      },
      'p.json',
    );
    expect(orderSteps(p).map((s) => s.name)).toEqual(['blur', 'threshold', 'count', 'other']);
    const cyclic = parsePipeline(
      {
        name: 'c',
        steps: [
          { name: 'a', tool: 't', inputs: [{ name: 'i', step: 'b' }] },
          { name: 'b', tool: 't', inputs: [{ name: 'i', step: 'a' }] },
        ],
      },
      'c.json',
    );
    expect(() => orderSteps(cyclic)).toThrow("pipeline 'c': steps 'a', 'b' depend on each other in a cycle");
    const unknown = parsePipeline({ name: 'u', steps: [{ name: 'a', tool: 't', inputs: [{ name: 'i', step: 'zz' }] }] }, 'u.json');
    expect(() => orderSteps(unknown)).toThrow(ToolError);
  });
});
