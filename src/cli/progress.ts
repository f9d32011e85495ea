import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number): void;
  stop(): void;
}

/**
 * A progress bar on an interactive terminal (a counter when the total is unknown), and
 * plain lines otherwise so logs stay readable.
 */
export function startProgress(label: string, total: number | undefined): Progress {
  if (!process.stdout.isTTY) {
    let last = 0;
    return {
      update(done) {
        if (done - last >= 10_000) {
          last = done;
          process.stdout.write(`${label}: ${done.toLocaleString('en-US')}${total ? ` / ${total.toLocaleString('en-US')}` : ''}\n`);
        }
      },
      stop() {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      format: total
        ? `${label} [{bar}] {percentage}% | {value}/{total} | {eta_formatted} left`
        : `${label} {value} done | {duration_formatted}`,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total ?? 0, 0);
  return {
    update: (done) => (total ? bar.update(Math.min(done, total)) : bar.update(done)),
    stop: () => bar.stop(),
  };
}

/** Runs a long job with a progress bar (see startProgress). */
export async function runWithProgress<T>(
  label: string,
  total: number | undefined,
  work: (onProgress: (done: number) => void) => Promise<T>,
): Promise<T> {
  const progress = startProgress(label, total);
  try {
    return await work((done) => progress.update(done));
  } finally {
    progress.stop();
  }
}
