import { describe, expect, it } from 'vitest';
import { PathRedactor, redactDeep } from './path-redactor.js';

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

  it('hides every other absolute path, keeping only its last segment, and leaves URLs and API paths alone', () => {
    const r = new PathRedactor();
    r.add('/srv/ws', '<workspace>');
    r.add('/opt/bioimageit/tools', '<tools>');
    expect(r.redact('/opt/bioimageit/tools/threshold/threshold.tool.json: invalid tool manifest')).toBe(
      '<tools>/threshold/threshold.tool.json: invalid tool manifest',
    );
    // a space ends the path: what follows it is no longer absolute
    expect(r.redact("ENOENT: no such file or directory, open '/home/amy/my plates/a.tif'")).toBe(
      "ENOENT: no such file or directory, open '<server path>/my plates/a.tif'",
    );
    expect(r.redact("open '/home/amy/plates/a.tif'")).toBe("open '<server path>/a.tif'");
    expect(r.redact('(/tmp/bioimageit-x/job-1/out.tif), file:///var/lib/x/y.json; C:\\Users\\amy\\z.tif')).toBe(
      '(<server path>/out.tif), <server path>/y.json; <server path>/z.tif',
    );
    expect(r.redact('<workspace>/data/a.tif in /srv/ws/data')).toBe('<workspace>/data/a.tif in <workspace>/data');
    expect(r.redact('GET /api/experiments/x answered 404; see https://example.org/home/docs and /.well-known/openapi.json')).toBe(
      'GET /api/experiments/x answered 404; see https://example.org/home/docs and /.well-known/openapi.json',
    );
    expect(redactDeep({ details: { file: '/usr/local/tools/t.json', problems: ['at /etc/x'], n: 2 } }, (t) => r.redact(t))).toEqual({
      details: { file: '<server path>/t.json', problems: ['at <server path>/x'], n: 2 },
    });
  });
});
