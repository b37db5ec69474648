import { createHash } from 'node:crypto';

/** A log-normal duration: most values near the median, a long but bounded tail. */
export type Distribution = Readonly<{ medianMs: number; sigma: number; maxFactor: number }>;

// z of the 95th and 98th percentiles of the standard normal distribution.
const Z_95 = 1.645;
const Z_98 = 2.054;

/**
 * The log-normal distribution with that median and 95th percentile, bounded at its 2nd and 98th
 * percentiles: 1 200 ms and 2 500 ms give 2.5 times the median either way.
 */
export function distributionFrom(medianMs: number, p95Ms: number): Distribution {
  const sigma = Math.log(p95Ms / medianMs) / Z_95;
  return { medianMs, sigma, maxFactor: Math.exp(Z_98 * sigma) };
}

export const DISTRIBUTIONS = {
  provisionSpace: { medianMs: 350, sigma: 0.4, maxFactor: 2.5 },
  provisionCertificate: { medianMs: 550, sigma: 0.5, maxFactor: 2.5 },
  provisionAssets: { medianMs: 650, sigma: 0.5, maxFactor: 2.5 },
  export: { medianMs: 120, sigma: 0.3, maxFactor: 2.5 },
} as const satisfies Record<string, Distribution>;

/**
 * The same seed and key always give the same duration, whatever the order of requests,
 * so a run can be repeated (and benchmarks compared) on the same set of durations.
 */
export function sampleDurationMs(seed: string, key: string, distribution: Distribution, scale: number): number {
  const [u1, u2] = uniformPair(`${seed}:${key}`);
  const normal = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  const { medianMs, sigma, maxFactor } = distribution;
  const raw = medianMs * Math.exp(sigma * normal);
  const bounded = Math.min(medianMs * maxFactor, Math.max(medianMs / maxFactor, raw));
  return Math.round(bounded * scale);
}

function uniformPair(text: string): [number, number] {
  const digest = createHash('sha256').update(text).digest();
  // Shifted away from 0 so that log(u1) stays finite.
  const toUnit = (offset: number) => (digest.readUInt32BE(offset) + 1) / 2 ** 32;
  return [toUnit(0), toUnit(4)];
}
