/** One measured case of a benchmark, e.g. "bare fastify" or "Lockstep on PGlite". */
export interface BenchRow {
  case: string;
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** requestsPerSec divided by the baseline measured in the same run. */
  ratio?: number;
  note?: string;
}

export interface BenchResult {
  name: string;
  /** What must hold, in words, e.g. "click redirect ≥ 0.5 × bare fastify". */
  target: string;
  passed: boolean;
  rows: BenchRow[];
  /** Further checks and their outcome, one line each. */
  checks: string[];
}
