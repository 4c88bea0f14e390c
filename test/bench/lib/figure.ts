/** What every figure module exports, and the options the runner passes them. */
import type { FigureOutput } from './table.ts';

/** Options of one benchmark run (`npm run bench -- --quick --soak-runs=N`). */
export interface BenchOptions {
  /** Fewer iterations: a quick look, not numbers for the README. */
  readonly quick: boolean;
  /** Runs of the soak figure. */
  readonly soakRuns: number;
}

/** One figure: its `--only` name and how to measure it. */
export interface Figure {
  readonly name: string;
  readonly title: string;
  measure(options: BenchOptions): Promise<FigureOutput>;
}
