import path from 'node:path';
import type { EngineLaunch } from './engine-launch.js';

/**
 * A private dockerd: `--data-root`, `--exec-root`, `--pidfile` and `-H unix://…` in the test's
 * temp dir, `--bridge=none --iptables=false --ip6tables=false --ip-masq=false` (no host networking
 * is touched) and its own containerd namespaces, in case it joins a system containerd.
 */
export const dockerdLaunch: EngineLaunch = {
  name: 'dockerd',
  commands: ['dockerd', 'containerd', 'runc', 'busybox'],
  install: 'Debian: docker.io busybox-static',
  async prepare(dir, socketPath, env) {
    return {
      command: 'dockerd',
      args: [
        `--data-root=${path.join(dir, 'data')}`,
        `--exec-root=${path.join(dir, 'exec')}`,
        `--pidfile=${path.join(dir, 'dockerd.pid')}`,
        '-H',
        `unix://${socketPath}`,
        '--bridge=none',
        '--iptables=false',
        '--ip6tables=false',
        '--ip-masq=false',
        `--containerd-namespace=${path.basename(dir)}`,
        `--containerd-plugins-namespace=${path.basename(dir)}-plugins`,
      ],
      env,
    };
  },
};
