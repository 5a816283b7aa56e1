import { describe, expect, it } from 'vitest';
import { ConfigError } from '@bioimageit/core';
import { DEFAULT_DOCKER_SOCKET, dockerPluginSettings, invokingUser, resolveDockerRunnerOptions } from './docker-runner-options.js';

describe('docker plugin settings from the environment', () => {
  it('uses the default socket and no overrides when nothing is set', () => {
    const settings = dockerPluginSettings({});
    expect(settings.socketPath).toBe(DEFAULT_DOCKER_SOCKET);
    expect(resolveDockerRunnerOptions(settings.runner)).toMatchObject({
      pullPolicy: 'missing',
      user: invokingUser(),
      networkMode: 'bridge',
      defaultImage: undefined,
    });
  });

  it('reads DOCKER_HOST and the BIOIMAGEIT_DOCKER_* variables', () => {
    const settings = dockerPluginSettings({
      DOCKER_HOST: 'unix:///tmp/x/docker.sock',
      BIOIMAGEIT_DOCKER_IMAGE: 'tools/base:1',
      BIOIMAGEIT_DOCKER_PULL: 'never',
      BIOIMAGEIT_DOCKER_USER: '1000:100',
      BIOIMAGEIT_DOCKER_NETWORK: 'host',
    });
    expect(settings.socketPath).toBe('/tmp/x/docker.sock');
    expect(settings.runner).toMatchObject({ defaultImage: 'tools/base:1', pullPolicy: 'never', user: '1000:100', networkMode: 'host' });
  });

  it.each([
    ['DOCKER_HOST', 'tcp://10.0.0.1:2375', 'not a unix socket'],
    ['BIOIMAGEIT_DOCKER_PULL', 'always', "'missing' or 'never'"],
    ['BIOIMAGEIT_DOCKER_IMAGE', 'Bad Image', 'not an image reference'],
    ['BIOIMAGEIT_DOCKER_USER', '1000:$(id)', 'uid:gid'],
    ['BIOIMAGEIT_DOCKER_NETWORK', '--privileged', 'network mode'],
  ])('rejects %s=%s naming the variable', (name, value, why) => {
    const error = (() => {
      try {
        dockerPluginSettings({ [name]: value });
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain(name);
    expect((error as ConfigError).message).toContain(why);
  });

  it('turns pull progress off with null and keeps the default bar otherwise', () => {
    expect(resolveDockerRunnerOptions({ onPullProgress: null }).onPullProgress).toBeUndefined();
    expect(typeof resolveDockerRunnerOptions({}).onPullProgress).toBe('function');
  });
});

describe('docker settings declared in package.json (bioimageit.settings)', () => {
  it('each declared name changes what dockerPluginSettings reads', async () => {
    const { readFile } = await import('node:fs/promises');
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { bioimageit: { settings: string[] } };
    const values: Record<string, string> = {
      DOCKER_HOST: 'unix:///run/other.sock',
      BIOIMAGEIT_DOCKER_IMAGE: 'tools/base:1',
      BIOIMAGEIT_DOCKER_PULL: 'never',
      BIOIMAGEIT_DOCKER_USER: '1000:1000',
      BIOIMAGEIT_DOCKER_NETWORK: 'host',
    };
    expect([...pkg.bioimageit.settings].sort()).toEqual(Object.keys(values).sort());
    const plain = JSON.stringify({ ...dockerPluginSettings({}), runner: { ...dockerPluginSettings({}).runner, hostEnv: undefined } });
    for (const [name, value] of Object.entries(values)) {
      const set = dockerPluginSettings({ [name]: value });
      expect(JSON.stringify({ ...set, runner: { ...set.runner, hostEnv: undefined } }), name).not.toBe(plain);
    }
  });
});
