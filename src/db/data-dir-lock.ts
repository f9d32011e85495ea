import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * One process per PGlite data folder. PGlite is PostgreSQL compiled into this process:
 * it has no postmaster to keep a second process out, and two processes writing one
 * folder overwrite each other's pages (the first one's writes hang or are lost). So
 * whoever opens a folder first writes DATA_DIR/lockstep.lock, created atomically (it
 * fails when the file exists), and removes it when it closes the database or exits.
 * A lock whose process no longer runs (killed, crashed, the machine restarted) is
 * taken over. The check is by process id, so it protects processes of one machine (one
 * pid namespace), which is what a folder on a local disk is shared by.
 */

export const LOCK_FILE = 'lockstep.lock';

/** Who holds a data folder, as its lock file says. */
export interface DataDirHolder {
  pid: number;
  /** What the holder runs, e.g. "lockstep start" or "lockstep jobs run lock-due-actions". */
  command: string;
  startedAt: string;
}

interface LockContent extends DataDirHolder {
  /** When the system started the process (Linux), so a reused pid is not taken for the holder. */
  processStart?: string;
  /** Tells this process's lock from one another process took over. */
  token: string;
}

export class DataDirHeldError extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: DataDirHolder,
  ) {
    super(
      `The data folder ${dataDir} is in use by ${describeHolder(holder)}; PGlite, the embedded database, ` +
        'lets only one process at a time open a folder.',
    );
    this.name = 'DataDirHeldError';
  }
}

export function describeHolder(holder: DataDirHolder): string {
  return `${holder.command} (pid ${holder.pid}, since ${holder.startedAt})`;
}

/** Folders this process holds (resolved path → token). */
const held = new Map<string, string>();
let exitHookInstalled = false;

/**
 * Takes the folder's lock or throws DataDirHeldError naming the live holder. Returns
 * the release, which is also run when the process exits without closing the database
 * (a forced exit, an uncaught error), so only a killed process leaves a lock behind.
 */
export function acquireDataDirLock(dataDir: string, command: string): () => void {
  const dir = path.resolve(dataDir);
  const file = path.join(dir, LOCK_FILE);
  const processStart = processStartOf(process.pid);
  const mine: LockContent = {
    pid: process.pid,
    command,
    startedAt: new Date().toISOString(),
    ...(processStart ? { processStart } : {}),
    token: randomBytes(16).toString('hex'),
  };
  // Each round takes the lock, finds a live holder, waits for a lock being written, or
  // clears a stale lock; only processes racing for the same stale lock need many rounds.
  const writingDeadline = Date.now() + 3000;
  for (let takeOvers = 0; takeOvers < 10; ) {
    if (createExclusive(file, mine)) {
      held.set(dir, mine.token);
      installExitHook();
      return () => releaseLock(dir);
    }
    const found = readLockFile(file);
    if (found === 'missing') continue;
    if (!found.content) {
      // Created a moment ago and not yet written, or garbage left by a crash while writing.
      if (Date.now() - mtimeMsOf(file) < 2000 && Date.now() < writingDeadline) {
        sleepMs(50);
        continue;
      }
    } else if (isRunning(found.content, dir)) {
      throw new DataDirHeldError(dir, found.content);
    }
    takeOverStale(file, found.text);
    takeOvers += 1;
  }
  throw new Error(`Could not take ${file}: other processes keep taking it; try again.`);
}

/** The live holder of a folder, or undefined when nobody holds it. */
export function dataDirHolder(dataDir: string): DataDirHolder | undefined {
  const dir = path.resolve(dataDir);
  const found = readLockFile(path.join(dir, LOCK_FILE));
  if (found === 'missing' || !found.content) return undefined;
  return isRunning(found.content, dir) ? found.content : undefined;
}

function createExclusive(file: string, content: LockContent): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    fs.writeSync(fd, `${JSON.stringify(content)}\n`);
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

/** The lock file's text, and its content unless it is not (yet) a whole lock. */
type ReadResult = 'missing' | { text: string; content?: LockContent };

function readLockFile(file: string): ReadResult {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return 'missing';
    if (code === 'EACCES' || code === 'EPERM') {
      throw new Error(`Cannot read ${file} (${code}): the data folder belongs to another user; run Lockstep as the user that owns it.`);
    }
    throw error;
  }
  try {
    const content = JSON.parse(text) as LockContent;
    if (Number.isInteger(content.pid) && content.pid > 0 && typeof content.token === 'string') return { text, content };
  } catch {
    // Not JSON (yet): the caller decides by the file's age.
  }
  return { text };
}

function isRunning(holder: LockContent, dir: string): boolean {
  // Our own pid: held only if this process took it. A lock with our pid that we did not
  // take is left from an earlier life, e.g. a container whose server always runs as pid 1.
  if (holder.pid === process.pid) return held.get(dir) === holder.token;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    // EPERM: the process runs, as another user.
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return false;
  }
  // A pid is reused once its process has ended: where the system says when a process
  // started, the pid must still be the process that wrote the lock.
  const started = processStartOf(holder.pid);
  return !(holder.processStart && started && started !== holder.processStart);
}

/**
 * Clears a stale lock without clearing a fresh one another process wrote in between:
 * the lock is first moved aside (rename is atomic), then checked, and put back when it
 * turns out to be someone else's.
 */
function takeOverStale(file: string, staleText: string): void {
  const aside = `${file}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    fs.renameSync(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const moved = fs.readFileSync(aside, 'utf8');
  if (moved !== staleText) {
    try {
      fs.linkSync(aside, file);
    } catch {
      // A third process took the folder meanwhile; its own lock stands.
    }
  }
  fs.rmSync(aside, { force: true });
}

function releaseLock(dir: string): void {
  const token = held.get(dir);
  if (token === undefined) return;
  held.delete(dir);
  const file = path.join(dir, LOCK_FILE);
  const found = readLockFile(file);
  // Only our own lock: had it been taken over (we were thought dead), it is not ours to remove.
  if (found !== 'missing' && found.content?.token === token) fs.rmSync(file, { force: true });
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const dir of [...held.keys()]) {
      try {
        releaseLock(dir);
      } catch {
        // Exiting anyway; a lock left behind is taken over as stale.
      }
    }
  });
}

/** Field 22 of /proc/<pid>/stat (start time in clock ticks since boot), where there is /proc. */
function processStartOf(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may contain spaces.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function mtimeMsOf(file: string): number {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
