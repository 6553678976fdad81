/**
 * Small statistics for the benchmarks. Machines here are shared and noisy, so every figure is a
 * median (or a percentile) over repeated runs, and comparisons are ratios of figures measured
 * side by side in the same run, never absolute thresholds.
 */
import { arch, cpus, release, totalmem } from 'node:os';

/** The value below which `p` percent of the samples fall (nearest-rank). */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new Error('percentile of no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** The median (50th percentile, nearest-rank). */
export function median(samples: readonly number[]): number {
  return percentile(samples, 50);
}

/** Milliseconds since an arbitrary origin, with sub-millisecond resolution. */
export function nowMs(): number {
  return performance.now();
}

/** Rounds for display: 3 significant digits, no exponent for ordinary figures. */
export function round(value: number, digits = 3): number {
  if (value === 0 || !Number.isFinite(value)) return value;
  const magnitude = Math.floor(Math.log10(Math.abs(value)));
  const factor = 10 ** (digits - 1 - magnitude);
  return Math.round(value * factor) / factor;
}

/** What the figures were measured on, so readers can compare runs. */
export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGb: number;
  os: string;
  arch: string;
  node: string;
  v8: string;
}

export function machineInfo(): MachineInfo {
  const cores = cpus();
  return {
    cpu: cores[0]?.model.trim() ?? 'unknown',
    cores: cores.length,
    memoryGb: round(totalmem() / 1024 ** 3, 2),
    os: `${process.platform} ${release()}`,
    arch: arch(),
    node: process.version,
    v8: process.versions.v8,
  };
}
