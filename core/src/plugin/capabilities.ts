import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Capability } from './plugin-manifest.js';

/** Result of probing one capability: available, or why not and what fixes it. */
export interface CapabilityProbe {
  readonly available: boolean;
  readonly reason?: string;
}

/** Probes a capability of this machine cheaply (no daemons contacted, no plugin code run). */
export type CapabilityProber = (capability: Capability) => CapabilityProbe;

function onPath(command: string, env: NodeJS.ProcessEnv): boolean {
  return (env['PATH'] ?? '').split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, command)));
}

/**
 * Default prober. `docker`: a Docker socket (DOCKER_HOST or /var/run/docker.sock); `cuda`: an
 * NVIDIA device node or nvidia-smi; `slurm`: sbatch on PATH; `conda`: always (the conda runner
 * has an embedded path); `fftw`, `network`: assumed present, the plugin checks at activation.
 */
export function defaultCapabilityProber(env: NodeJS.ProcessEnv = process.env): CapabilityProber {
  return (capability) => {
    switch (capability) {
      case 'docker': {
        const host = env['DOCKER_HOST'];
        const socket = host?.startsWith('unix://') ? host.slice('unix://'.length) : '/var/run/docker.sock';
        if (host !== undefined && !host.startsWith('unix://')) return { available: true };
        return existsSync(socket)
          ? { available: true }
          : { available: false, reason: `no Docker Engine socket at ${socket} (start dockerd or set DOCKER_HOST)` };
      }
      case 'cuda':
        return existsSync('/dev/nvidia0') || onPath('nvidia-smi', env)
          ? { available: true }
          : { available: false, reason: 'no NVIDIA GPU found (/dev/nvidia0 or nvidia-smi)' };
      case 'slurm':
        return onPath('sbatch', env) ? { available: true } : { available: false, reason: 'sbatch is not on PATH (install slurm-client)' };
      default:
        return { available: true };
    }
  };
}
