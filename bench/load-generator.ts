/**
 * An HTTP/1.1 load generator that runs in its own process, so that it never shares an
 * event loop with the server it measures. N keep-alive connections each send one GET at
 * a time (no pipelining) for a warm-up, then for the measured duration. Raw sockets and a
 * minimal response parser keep the generator cheap, as autocannon does.
 *
 */
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface LoadSpec {
  port: number;
  path: string;
  connections: number;
  warmupMs: number;
  durationMs: number;
  headers?: Record<string, string>;
}

export interface LoadReport {
  /** Responses in the measured window. */
  measured: number;
  requestsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Latencies of the measured window as [bucket, count] pairs, 10 µs buckets, so rounds can be merged. */
  histogram: Array<[number, number]>;
  /** Every response received, warm-up and drain included, by status code. */
  statusCounts: Record<string, number>;
  errors: number;
}

interface Connection {
  socket: net.Socket;
  buffer: Buffer;
  sentAt: bigint;
}

export const BUCKET_US = 10;

/** The latency (ms) below which p percent of the histogram's samples fall. */
export function percentileMs(histogram: Array<[number, number]>, p: number): number {
  const total = histogram.reduce((sum, [, count]) => sum + count, 0);
  if (total === 0) return 0;
  const rank = Math.min(total - 1, Math.floor((p / 100) * total));
  let seen = 0;
  for (const [bucket, count] of [...histogram].sort((a, b) => a[0] - b[0])) {
    seen += count;
    if (seen > rank) return ((bucket + 0.5) * BUCKET_US) / 1_000;
  }
  return 0;
}

/** Length of one complete response at the start of buffer and its status, or undefined when incomplete. */
function parseResponse(buffer: Buffer): { length: number; status: number } | undefined {
  const headerEnd = buffer.indexOf('\r\n\r\n');
  if (headerEnd === -1) return undefined;
  const head = buffer.toString('latin1', 0, headerEnd);
  const status = Number(head.slice(9, 12));
  const lengthMatch = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (lengthMatch) {
    const total = headerEnd + 4 + Number(lengthMatch[1]);
    return buffer.length >= total ? { length: total, status } : undefined;
  }
  if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
    const end = buffer.indexOf('\r\n0\r\n\r\n', headerEnd + 4 - 2);
    return end === -1 ? undefined : { length: end + 7, status };
  }
  return { length: headerEnd + 4, status };
}

export async function generateLoad(spec: LoadSpec): Promise<LoadReport> {
  const extra = Object.entries(spec.headers ?? {})
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  const request = Buffer.from(`GET ${spec.path} HTTP/1.1\r\nHost: 127.0.0.1:${spec.port}\r\n${extra}\r\n`, 'latin1');
  const buckets = new Map<number, number>();
  let measured = 0;
  let errors = 0;
  const statusCounts: Record<string, number> = {};
  const startedAt = process.hrtime.bigint();
  const measureFrom = startedAt + BigInt(spec.warmupMs) * 1_000_000n;
  const stopAt = measureFrom + BigInt(spec.durationMs) * 1_000_000n;
  let stopping = false;

  await new Promise<void>((resolveAll) => {
    let open = spec.connections;
    const done = () => {
      open -= 1;
      if (open === 0) resolveAll();
    };
    for (let i = 0; i < spec.connections; i++) {
      const conn: Connection = { socket: net.connect(spec.port, '127.0.0.1'), buffer: Buffer.alloc(0), sentAt: 0n };
      conn.socket.setNoDelay(true);
      const send = () => {
        conn.sentAt = process.hrtime.bigint();
        conn.socket.write(request);
      };
      conn.socket.on('connect', send);
      conn.socket.on('data', (chunk: Buffer) => {
        conn.buffer = conn.buffer.length === 0 ? chunk : Buffer.concat([conn.buffer, chunk]);
        for (;;) {
          const response = parseResponse(conn.buffer);
          if (!response) return;
          conn.buffer = conn.buffer.subarray(response.length);
          const now = process.hrtime.bigint();
          statusCounts[response.status] = (statusCounts[response.status] ?? 0) + 1;
          if (now >= measureFrom && now < stopAt) {
            measured += 1;
            const bucket = Math.floor(Number(now - conn.sentAt) / 1_000 / BUCKET_US);
            buckets.set(bucket, (buckets.get(bucket) ?? 0) + 1);
          }
          if (now >= stopAt) stopping = true;
          if (stopping) {
            conn.socket.end();
            return;
          }
          send();
        }
      });
      conn.socket.on('error', () => {
        errors += 1;
      });
      conn.socket.on('close', done);
    }
  });

  const histogram = [...buckets.entries()];
  return {
    measured,
    requestsPerSec: measured / (spec.durationMs / 1_000),
    p50Ms: percentileMs(histogram, 50),
    p99Ms: percentileMs(histogram, 99),
    histogram,
    statusCounts,
    errors,
  };
}

// As a child process: every LoadSpec message runs one load and answers with its
// LoadReport; a 'stop' message ends the process. One child serves a whole benchmark, so
// rounds that alternate between servers pay no start-up in between.
// Only as the forked child itself: a process that imports this module (a test run in a
// forked worker, which has process.send too) must not answer its parent's messages.
if (process.send && process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.on('message', (message: LoadSpec | 'stop') => {
    if (message === 'stop') {
      process.exit(0);
    }
    generateLoad(message).then(
      (report) => process.send!(report),
      (error: unknown) => {
        process.stderr.write(`load generator failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  });
}
