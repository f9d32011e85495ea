import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Removes the temporary data folder the browser-test server used. */
export default function globalTeardown(): void {
  const dir = process.env.LOCKSTEP_BROWSER_DATA_DIR;
  if (dir && path.resolve(dir).startsWith(path.resolve(os.tmpdir()) + path.sep)) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
