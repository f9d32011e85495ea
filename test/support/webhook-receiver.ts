/**
 * A webhook receiver for the tests: a node http server on 127.0.0.1 (a free port) that
 * records every request and checks its signature with the standardwebhooks package, as
 * a customer's receiver would. `mode` says how it answers: 200, a status, slowly, a
 * redirect, or by closing the connection without an answer.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export type ReceiverMode = { kind: 'ok' } | { kind: 'status'; status: number } | { kind: 'slow'; ms: number } | { kind: 'redirect' } | { kind: 'close' };

export interface ReceivedWebhook {
  path: string;
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  event: { Id: string; Type: string; Subject: string; AccountIds: number[]; Payload: Record<string, unknown> };
  /** Which of the receiver's secrets verified it (Webhook.verify), by index; empty when none did. */
  verifiedBy: number[];
}

export class WebhookReceiver {
  readonly received: ReceivedWebhook[] = [];
  mode: ReceiverMode = { kind: 'ok' };
  secrets: string[] = [];
  private server: http.Server | undefined;
  port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks`;
  }

  async start(port = 0): Promise<this> {
    const server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const headers = {
          'webhook-id': String(request.headers['webhook-id'] ?? ''),
          'webhook-timestamp': String(request.headers['webhook-timestamp'] ?? ''),
          'webhook-signature': String(request.headers['webhook-signature'] ?? ''),
        };
        const verifiedBy: number[] = [];
        this.secrets.forEach((secret, index) => {
          try {
            new Webhook(secret).verify(body, headers);
            verifiedBy.push(index);
          } catch {
            // Not signed with this one.
          }
        });
        const mode = this.mode;
        if (mode.kind === 'close') {
          request.socket.destroy();
          return;
        }
        this.received.push({ path: request.url ?? '', id: headers['webhook-id'], timestamp: headers['webhook-timestamp'], signature: headers['webhook-signature'], body, event: JSON.parse(body), verifiedBy });
        if (mode.kind === 'ok') response.writeHead(200, { 'content-type': 'text/plain' }).end('thanks');
        else if (mode.kind === 'status') response.writeHead(mode.status, { 'content-type': 'text/plain' }).end(`answer ${mode.status}`);
        else if (mode.kind === 'redirect') response.writeHead(302, { location: `http://127.0.0.1:${this.port}/elsewhere` }).end();
        else setTimeout(() => response.writeHead(200).end('late'), mode.ms).unref();
      });
    });
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Requests for one path, e.g. the ones that reached /elsewhere (none: a redirect is not followed). */
  ofType(type: string): ReceivedWebhook[] {
    return this.received.filter((r) => r.event.Type === type);
  }
}
