import { describe, expect, it } from 'vitest';
import { formatImageReference, parseImageReference } from './image-reference.js';

describe('parseImageReference', () => {
  it.each([
    ['busybox', 'busybox', 'latest', false],
    ['busybox:1.36', 'busybox', '1.36', false],
    ['bioimageit/tools-blur:2.0.1', 'bioimageit/tools-blur', '2.0.1', false],
    ['127.0.0.1:5000/tools/blur', '127.0.0.1:5000/tools/blur', 'latest', false],
    ['localhost/tools:v1', 'localhost/tools', 'v1', false],
    ['registry.example.org/a/b/c:tag_1', 'registry.example.org/a/b/c', 'tag_1', false],
    [`ghcr.io/x/y@sha256:${'a'.repeat(64)}`, 'ghcr.io/x/y', `sha256:${'a'.repeat(64)}`, true],
    [`x/y:ignored@sha256:${'b'.repeat(64)}`, 'x/y', `sha256:${'b'.repeat(64)}`, true],
  ])('%s → %s %s', (text, repository, tag, pinned) => {
    expect(parseImageReference(text)).toEqual({ repository, tag, pinned });
  });

  it.each(['', ' busybox', 'Not/Upper', 'two words', 'a//b', 'name:', 'name:bad tag', 'x@sha256:short', 'host:port:/x', '-leading'])('rejects %j', (text) => {
    expect(parseImageReference(text)).toBeUndefined();
  });

  it('formats back to what the daemon lists', () => {
    expect(formatImageReference({ repository: 'a/b', tag: 'latest', pinned: false })).toBe('a/b:latest');
    expect(formatImageReference({ repository: 'a/b', tag: 'sha256:ff', pinned: true })).toBe('a/b@sha256:ff');
  });
});
