/**
 * A worker in a process of its own, for the tests that kill one with -9: `entry` is a
 * script (under test/) that opens DATABASE_URL in the test's schema, starts a Worker and
 * prints `ready <worker id>`. Every process started is killed after the test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const started: ChildProcess[] = [];

/** Call once in a test file that starts worker processes: each is killed after its test. */
export function killWorkerProcessesAfterEach(): void {
  afterEach(() => {
    for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
}

export function startWorkerProcess(entry: string, schema: string): Promise<{ child: ChildProcess; workerId: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: process.env.TEST_DATABASE_URL, LOCKSTEP_TEST_SCHEMA: schema, LOG_LEVEL: 'warn' };
  delete env.NODE_OPTIONS;
  const child = spawn(process.execPath, ['--import', 'tsx', entry], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`The worker process did not start within 60 s:\n${output}`)), 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /^ready (\S+)$/m.exec(output);
      if (ready) {
        clearTimeout(timer);
        resolve({ child, workerId: ready[1]! });
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
  });
}
