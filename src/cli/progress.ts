import cliProgress from 'cli-progress';

/**
 * Runs a long job with a progress bar on an interactive terminal (a counter when the
 * total is unknown), and plain lines otherwise so logs stay readable.
 */
export async function runWithProgress<T>(
  label: string,
  total: number | undefined,
  work: (onProgress: (done: number) => void) => Promise<T>,
): Promise<T> {
  if (!process.stdout.isTTY) {
    let last = 0;
    return work((done) => {
      if (done - last >= 10_000) {
        last = done;
        process.stdout.write(`${label}: ${done.toLocaleString('en-US')}${total ? ` / ${total.toLocaleString('en-US')}` : ''}\n`);
      }
    });
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
  try {
    return await work((done) => (total ? bar.update(Math.min(done, total)) : bar.update(done)));
  } finally {
    bar.stop();
  }
}
