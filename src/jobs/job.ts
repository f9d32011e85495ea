import type { ServiceContext } from '../core/context.js';

export interface JobRunOptions {
  onProgress?: (done: number) => void;
  /** Stops the run between chunks: the server is shutting down. */
  signal?: AbortSignal;
}

export interface JobResult {
  /** False when another run of the job (this process or another instance) was going. */
  ran: boolean;
  done: number;
  summary: string;
}

/** A periodic job: a thin call into the service it is named after. */
export interface Job {
  name: string;
  schedule: string;
  description: string;
  /** How much a run has to do now, for a progress bar; jobs that cannot tell leave it out. */
  count?: (ctx: ServiceContext) => Promise<number>;
  run(ctx: ServiceContext, options?: JobRunOptions): Promise<JobResult>;
}

/** The summary's tail when a shutdown stopped the run part way. */
export function stoppedNote(options: JobRunOptions): string {
  return options.signal?.aborted ? ' (stopped early: the server is shutting down; the next run does the rest)' : '';
}
