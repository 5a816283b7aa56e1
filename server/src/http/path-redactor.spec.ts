import { describe, expect, it } from 'vitest';
import { PathRedactor } from './path-redactor.js';

describe('PathRedactor', () => {
  it('replaces folders by their labels in path and URI spelling, longest first', () => {
    const r = new PathRedactor();
    r.add('/srv/ws', '<workspace>');
    r.add('file:///srv/ws/my%20plate/', 'my plate');
    expect(r.redact("no item 'x' in experiment '/srv/ws/my plate'")).toBe("no item 'x' in experiment 'my plate'");
    expect(r.redact('file:///srv/ws/my%20plate/data/a.md.json and /srv/ws/other')).toBe('my plate/data/a.md.json and <workspace>/other');
    expect(r.redactValue({ experiment: 'file:///srv/ws/my%20plate', n: 1 })).toEqual({ experiment: 'my plate', n: 1 });
    expect(r.redact('nothing to hide')).toBe('nothing to hide');
  });
});
