import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { CapabilityProbeSpec, ProbeCheck } from './capability-probe-spec.js';
import type { Capability } from './plugin-manifest.js';

/** Result of probing one capability: available, or why not and what fixes it. */
export interface CapabilityProbe {
  readonly available: boolean;
  readonly reason?: string;
}

/**
 * Probes a capability of this machine cheaply (no daemons contacted, no plugin code run), as the
 * requiring plugin's manifest declares (`spec`; undefined when it declares no probe).
 */
export type CapabilityProber = (capability: Capability, spec: CapabilityProbeSpec | undefined) => CapabilityProbe;

function onPath(command: string, env: NodeJS.ProcessEnv): boolean {
  return (env['PATH'] ?? '').split(delimiter).some((dir) => dir !== '' && existsSync(join(dir, command)));
}

/**
 * Default prober: the generic evaluator of the probes plugins declare (see CapabilityProbeSpec).
 * A capability without a declared probe is assumed present: its plugin checks it when activating.
 * Core knows no capability by name.
 */
export function defaultCapabilityProber(env: NodeJS.ProcessEnv = process.env): CapabilityProber {
  return (_capability, spec) => {
    if (spec === undefined) return { available: true };
    let file: string | undefined;
    const passes = (check: ProbeCheck): boolean => {
      if ('env' in check) {
        const value = env[check.env];
        return value !== undefined && value !== '' && (check.matches === undefined || new RegExp(check.matches).test(value));
      }
      if ('onPath' in check) return onPath(check.onPath, env);
      const from = check.fromEnv;
      const value = from === undefined ? undefined : env[from.name];
      if (from !== undefined && value !== undefined && value !== '') {
        const prefix = from.prefix ?? '';
        if (!value.startsWith(prefix)) return false;
        file = value.slice(prefix.length);
      } else {
        file = check.file;
      }
      return existsSync(file);
    };
    if (spec.anyOf.some(passes)) return { available: true };
    const reason = spec.reason.replaceAll('{file}', file ?? '');
    return { available: false, reason: spec.fix === undefined ? reason : `${reason} (${spec.fix})` };
  };
}
