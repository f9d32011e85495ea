import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { JobResult } from '../jobs/job.js';
import type { JobRunEvent } from '../http/contract/admin.js';

/**
 * How the command line reaches a server that holds the PGlite data folder (only one
 * process may open it: see src/db/data-dir-lock.ts). The server, once it listens,
 * writes DATA_DIR/admin.json (mode 0600: readable by the user running the server only)
 * with its pid, its address and a random secret of this start; the command line,
 * finding the folder held by that pid, calls the admin routes (src/http/routes/admin.ts)
 * with the secret as a Bearer token.
 */

export const ADMIN_FILE = 'admin.json';

export interface ServerAdmin {
  pid: number;
  /** Where the command line reaches the server, e.g. http://127.0.0.1:3000. */
  url: string;
  secret: string;
}

/** Replaces the file in one step (rename), so a reader never sees half of it. */
export function writeAdminFile(dataDir: string, admin: ServerAdmin): void {
  const file = path.join(dataDir, ADMIN_FILE);
  const staged = `${file}.${process.pid}.tmp`;
  // Created afresh so that its mode is 0600 (an existing file would keep its own).
  fs.rmSync(staged, { force: true });
  fs.writeFileSync(staged, `${JSON.stringify(admin)}\n`, { mode: 0o600, flag: 'wx' });
  fs.renameSync(staged, file);
}

/** Removes the file if it is this process's: a newer server's file is not ours to remove. */
export function removeAdminFile(dataDir: string): void {
  const file = path.join(dataDir, ADMIN_FILE);
  try {
    const admin = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<ServerAdmin>;
    if (admin.pid === process.pid) fs.rmSync(file, { force: true });
  } catch {
    // Missing or unreadable: nothing of ours to remove.
  }
}

/** The admin file of the server with this pid, or undefined (not a server, or not listening yet). */
export function readAdminFile(dataDir: string, pid: number): ServerAdmin | undefined {
  const file = path.join(dataDir, ADMIN_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'EACCES' || code === 'EPERM') {
      throw new Error(`Cannot read ${file} (${code}): run the command as the user that runs the server (pid ${pid}).`);
    }
    throw error;
  }
  try {
    const admin = JSON.parse(text) as ServerAdmin;
    return admin.pid === pid && typeof admin.url === 'string' && typeof admin.secret === 'string' ? admin : undefined;
  } catch {
    return undefined;
  }
}

/** The address to call a server listening on `address` from the same machine. */
export function localUrlOf(address: AddressInfo | string | null): string {
  if (!address || typeof address === 'string') throw new Error('The server is not listening on a TCP port.');
  const host =
    address.address === '0.0.0.0' ? '127.0.0.1' : address.address === '::' ? '::1' : address.address;
  return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
}

async function post(admin: ServerAdmin, route: string, body?: unknown): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(`${admin.url}${route}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin.secret}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause?.message ?? (error as Error).message;
    throw new Error(
      `The server (pid ${admin.pid}) holds the data folder but does not answer at ${admin.url} (${cause}). ` +
        `If it is shutting down, wait for it to exit and run the command again; if it hangs, stop it (kill ${admin.pid}).`,
    );
  }
  if (!response.ok) {
    const text = await response.text();
    let detail = text.slice(0, 500);
    try {
      detail = (JSON.parse(text) as { detail?: string }).detail ?? detail;
    } catch {
      // Not problem JSON (a 503 while the server shuts down): the text as it is.
    }
    throw new Error(`The server (pid ${admin.pid}) answered ${response.status}: ${detail}`);
  }
  return response;
}

/** Calls an admin route that answers with one JSON document. */
export async function callServer<T>(admin: ServerAdmin, route: string, body?: unknown): Promise<T> {
  return (await (await post(admin, route, body)).json()) as T;
}


/**
 * Runs a job on the server. `onStart` gets the total (for a progress bar) and returns
 * the progress callback, as the server reports each chunk.
 */
export async function runJobOnServer(
  admin: ServerAdmin,
  name: string,
  onStart: (total: number | undefined) => (done: number) => void,
): Promise<JobResult> {
  const response = await post(admin, `/api/v1/admin/jobs/${encodeURIComponent(name)}/run`);
  let onProgress: ((done: number) => void) | undefined;
  for await (const event of ndjson<JobRunEvent>(response)) {
    if (event.Event === 'start') onProgress = onStart(event.Total ?? undefined);
    else if (event.Event === 'progress') onProgress?.(event.Done);
    else if (event.Event === 'done') return { ran: event.Ran, done: event.Done, summary: event.Summary };
    else throw new Error(`The job failed on the server (pid ${admin.pid}): ${event.Detail}`);
  }
  throw new Error(`The server (pid ${admin.pid}) ended the job's answer early; see its log for what happened to the run.`);
}

async function* ndjson<T>(response: Response): AsyncGenerator<T> {
  if (!response.body) return;
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of response.body) {
    buffered += decoder.decode(chunk, { stream: true });
    for (let end = buffered.indexOf('\n'); end >= 0; end = buffered.indexOf('\n')) {
      const line = buffered.slice(0, end).trim();
      buffered = buffered.slice(end + 1);
      if (line) yield JSON.parse(line) as T;
    }
  }
}
