import { describe, expect, it } from 'vitest';
import { experimentByline, experimentHeading, experimentRow } from './experiment-text.js';

const info = { id: '1', uri: 'omero://h/project/1', name: 'Screen', author: 'Ben Nevis', date: '2024-05-13', keys: ['Well'], datasets: [] };

describe('experiment show/list text', () => {
  it('leaves out the author or date that is not known, never printing an empty fragment', () => {
    expect(experimentByline(info)).toBe('(author Ben Nevis, 2024-05-13)');
    expect(experimentByline({ author: 'Ben Nevis', date: '' })).toBe('(author Ben Nevis)');
    expect(experimentByline({ author: ' ', date: '2024-05-13' })).toBe('(2024-05-13)');
    expect(experimentByline({ author: '', date: '' })).toBe('');
    expect(experimentHeading({ ...info, author: '', date: '', keys: [] })).toBe('Screen\nomero://h/project/1\ntag keys: (none)');
    expect(experimentHeading({ ...info, date: '' })).toBe('Screen  (author Ben Nevis)\nomero://h/project/1\ntag keys: Well');
  });

  it('shows empty list cells as a dash', () => {
    expect(experimentRow({ ...info, date: '', keys: [] })).toEqual(['Screen', 'Ben Nevis', '-', '-', 'omero://h/project/1']);
  });
});
