import { describe, expect, it } from 'vitest';
import { RunnerError } from '@bioimageit/core';
import { redactError, redactJson, redactText } from './redact.js';

describe('redact', () => {
  it('hides user, password and anaconda.org tokens in URLs, and nothing else', () => {
    expect(redactText('from https://ada:s3cret@mirror.example/conda-forge/ and https://conda.anaconda.org/t/ab-12.cd/private/linux-64/x.tar.bz2')).toBe(
      'from https://***@mirror.example/conda-forge/ and https://conda.anaconda.org/t/***/private/linux-64/x.tar.bz2',
    );
    expect(redactText('numpy >=1.2 over http://127.0.0.1:8000/ (user@example.org)')).toBe('numpy >=1.2 over http://127.0.0.1:8000/ (user@example.org)');
    expect(redactJson({ channels: ['https://u:p@h/c/'], n: 1 })).toEqual({ channels: ['https://***@h/c/'], n: 1 });
  });

  it('rebuilds runner errors without the secret (and without the cause that may hold it)', () => {
    const error = new RunnerError('UNAVAILABLE', "tool 't': conda channel https://u:pw@h/c/ cannot be reached", {
      cause: new Error('https://u:pw@h/c/'),
      details: { channel: 'https://u:pw@h/c/' },
    });
    const clean = redactError(error) as RunnerError;
    expect(clean).toBeInstanceOf(RunnerError);
    expect(clean.code).toBe('UNAVAILABLE');
    expect(JSON.stringify(clean.toJSON())).not.toContain('pw');
    const harmless = new RunnerError('UNAVAILABLE', 'nothing secret');
    expect(redactError(harmless)).toBe(harmless);
  });
});
