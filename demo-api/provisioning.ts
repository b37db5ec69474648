import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { DISTRIBUTIONS, sampleDurationMs, type Distribution } from './latency';

export type Provisioning = {
  enterprise: string;
  requestedAt: Date;
  readyAt: Date | null;
  space: { id: string; name: string } | null;
  certificate: { id: string; fingerprint: string; expiresAt: string } | null;
  assets: Array<{ id: string; kind: 'template' | 'quota' | 'storage'; name: string }>;
};

export type ProvisioningJob = {
  key: string;
  provisioning: Provisioning;
  latencyScale: number;
  /** Fault assets-never-ready: the last step never completes. */
  neverFinish: boolean;
  /** Provisioning waits for this before its first step (the x-demo-hold test control). */
  hold?: Promise<void>;
};

type Options = { seed: string; concurrency: number };

/**
 * The in-process message queue behind POST /enterprise/join: the join answers at once and
 * the space, the certificate and the initial assets appear later, one step after another.
 */
export class ProvisioningQueue {
  private readonly pending: ProvisioningJob[] = [];
  private running = 0;
  private readonly stop = new AbortController();

  constructor(private readonly options: Options) {}

  enqueue(job: ProvisioningJob): void {
    this.pending.push(job);
    this.drain();
  }

  close(): void {
    this.stop.abort();
  }

  private drain(): void {
    while (this.running < this.options.concurrency && this.pending.length > 0) {
      const job = this.pending.shift()!;
      this.running += 1;
      this.run(job)
        .catch(() => undefined) // only an abort at shutdown ends a job early
        .finally(() => {
          this.running -= 1;
          this.drain();
        });
    }
  }

  private async run(job: ProvisioningJob): Promise<void> {
    const { provisioning } = job;
    if (job.hold) await job.hold;
    await this.step(job, 'space', DISTRIBUTIONS.provisionSpace);
    provisioning.space = { id: `spc_${randomUUID()}`, name: `${provisioning.enterprise} workspace` };

    await this.step(job, 'certificate', DISTRIBUTIONS.provisionCertificate);
    provisioning.certificate = {
      id: `crt_${randomUUID()}`,
      fingerprint: randomUUID().replaceAll('-', '').toUpperCase(),
      expiresAt: new Date(Date.now() + 365 * 24 * 3600 * 1000).toISOString(),
    };

    if (job.neverFinish) return;
    await this.step(job, 'assets', DISTRIBUTIONS.provisionAssets);
    provisioning.assets = [
      { id: `ast_${randomUUID()}`, kind: 'template', name: 'Starter templates' },
      { id: `ast_${randomUUID()}`, kind: 'quota', name: 'Image generation quota' },
      { id: `ast_${randomUUID()}`, kind: 'storage', name: 'Shared storage' },
    ];
    provisioning.readyAt = new Date();
  }

  private async step({ key, latencyScale }: ProvisioningJob, name: string, distribution: Distribution) {
    const ms = sampleDurationMs(this.options.seed, `${key}:${name}`, distribution, latencyScale);
    await delay(ms, undefined, { signal: this.stop.signal, ref: false });
  }
}
