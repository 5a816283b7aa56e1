import { createInterface } from 'node:readline';
import { RunnerError } from '@bioimageit/core';
import { DockerApiError, type DockerEngineClient } from './docker-engine-client.js';
import { formatImageReference, parseImageReference } from './image-reference.js';
import { PullProgressTracker, type PullEvent, type PullProgressListener } from './pull-progress.js';

/** When the runner may pull an image the daemon lacks: `missing` (default) or `never`. */
export type PullPolicy = 'missing' | 'never';

/** Every {@link PullPolicy}. */
export const PULL_POLICIES: readonly PullPolicy[] = ['missing', 'never'];

/** What the runner records about the image a job ran in. */
export interface ImageFacts {
  /** The reference the tool declared (`tools/blur:1.2`). */
  readonly reference: string;
  /** The image's content id: the sha256 digest of its configuration (`sha256:...`). */
  readonly id: string;
  /** Registry digests (`repo@sha256:...`); empty for images built or imported locally. */
  readonly repoDigests: readonly string[];
  /** True when this runner pulled the image for the job. */
  readonly pulled: boolean;
}

/** Settings of an {@link ImageProvisioner}. */
export interface ImageProvisionerOptions {
  readonly pullPolicy: PullPolicy;
  /** Receives pull progress (the runner draws a bar on stderr by default). */
  readonly onPullProgress?: PullProgressListener | undefined;
  /** How long a successful check is reused for the same reference (default 10 s). */
  readonly reuseMs?: number;
}

interface ImageInspect {
  readonly Id: string;
  readonly RepoDigests?: readonly string[] | null;
}

/**
 * Makes sure the daemon has the image a job needs, and tells which image that is. Checks are
 * shared: concurrent jobs of the same image wait for one inspection (and at most one pull), and a
 * successful check is reused for a few seconds so that a run of many jobs inspects once.
 *
 * Errors (RunnerError UNAVAILABLE, naming the image and the daemon's socket): an invalid
 * reference; an absent image with pulling disabled; a pull that fails (registry unreachable,
 * unknown repository, denied), with the daemon's reason.
 */
export class ImageProvisioner {
  private readonly checks = new Map<string, { readonly at: number; readonly facts: Promise<ImageFacts> }>();
  private readonly reuseMs: number;

  constructor(
    private readonly client: DockerEngineClient,
    private readonly options: ImageProvisionerOptions,
  ) {
    this.reuseMs = options.reuseMs ?? 10_000;
  }

  /**
   * Resolves with the image's facts, pulling it first when allowed and needed. `pullPolicy`: this
   * call's policy (a run's own), else the configured one; checks are shared per reference and policy.
   */
  ensure(reference: string, pullPolicy: PullPolicy = this.options.pullPolicy): Promise<ImageFacts> {
    const now = Date.now();
    const key = `${pullPolicy} ${reference}`;
    const cached = this.checks.get(key);
    if (cached !== undefined && now - cached.at < this.reuseMs) return cached.facts;
    const facts = this.check(reference, pullPolicy);
    this.checks.set(key, { at: now, facts });
    facts.catch(() => this.checks.delete(key));
    return facts;
  }

  /** Forgets cached checks (e.g. after an image was removed). */
  forget(reference?: string): void {
    if (reference === undefined) this.checks.clear();
    else for (const policy of PULL_POLICIES) this.checks.delete(`${policy} ${reference}`);
  }

  private async check(reference: string, pullPolicy: PullPolicy): Promise<ImageFacts> {
    const parsed = parseImageReference(reference);
    if (parsed === undefined) {
      throw new RunnerError('UNAVAILABLE', `'${reference}' is not a valid Docker image reference (expected [registry/]name[:tag][@sha256:digest])`, {
        details: { image: reference },
      });
    }
    const present = await this.inspect(reference);
    if (present !== undefined) return facts(reference, present, false);
    if (pullPolicy === 'never') {
      throw new RunnerError(
        'UNAVAILABLE',
        `image '${reference}' is not on the Docker daemon at unix://${this.client.socketPath} and pulling is disabled (pull policy 'never': BIOIMAGEIT_DOCKER_PULL or the run's 'pull' option); load it with docker load, import or build`,
        { details: { image: reference, socket: this.client.socketPath } },
      );
    }
    await this.pull(reference, parsed.repository, parsed.tag);
    const pulled = await this.inspect(reference);
    // A digest reference is listed under the repository's digests, which inspect resolves too.
    const resolved = pulled ?? (await this.inspect(formatImageReference(parsed)));
    if (resolved === undefined) {
      throw new RunnerError('UNAVAILABLE', `image '${reference}' was pulled but the daemon at unix://${this.client.socketPath} does not list it`, {
        details: { image: reference, socket: this.client.socketPath },
      });
    }
    return facts(reference, resolved, true);
  }

  private async inspect(reference: string): Promise<ImageInspect | undefined> {
    try {
      return await this.client.json<ImageInspect>('GET', `/images/${encodeURIComponent(reference)}/json`);
    } catch (error) {
      if (error instanceof DockerApiError && error.status === 404) return undefined;
      throw unavailable(`cannot inspect image '${reference}'`, reference, this.client.socketPath, error);
    }
  }

  private async pull(reference: string, repository: string, tag: string): Promise<void> {
    const tracker = new PullProgressTracker(reference);
    const report = (event: PullEvent | 'done'): void => {
      if (this.options.onPullProgress === undefined) return;
      try {
        this.options.onPullProgress(event === 'done' ? tracker.finished() : tracker.apply(event));
      } catch {
        // a failing progress display must not fail the pull
      }
    };
    let failure: string | undefined;
    try {
      const stream = await this.client.stream('POST', '/images/create', { query: { fromImage: repository, tag } });
      for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
        if (line.trim() === '') continue;
        let event: PullEvent;
        try {
          event = JSON.parse(line) as PullEvent;
        } catch {
          continue;
        }
        if (event.error !== undefined || event.errorDetail?.message !== undefined) failure = event.errorDetail?.message ?? event.error;
        else report(event);
      }
    } catch (error) {
      throw unavailable(`cannot pull image '${reference}'`, reference, this.client.socketPath, error);
    }
    if (failure !== undefined) {
      throw new RunnerError(
        'UNAVAILABLE',
        `cannot pull image '${reference}': ${failure} (is the registry reachable from the Docker daemon? otherwise load the image with docker load, import or build)`,
        {
          details: { image: reference, socket: this.client.socketPath, reason: failure },
        },
      );
    }
    report('done');
  }
}

function facts(reference: string, inspect: ImageInspect, pulled: boolean): ImageFacts {
  return { reference, id: inspect.Id, repoDigests: [...(inspect.RepoDigests ?? [])], pulled };
}

function unavailable(what: string, image: string, socket: string, cause: unknown): RunnerError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new RunnerError('UNAVAILABLE', `${what} on the Docker daemon at unix://${socket}: ${why}`, { cause, details: { image, socket } });
}
