/**
 * The Salesforce channel's tests' harness (test/channels/salesforce-*.test.ts): the test
 * app listening on 127.0.0.1 (port 0) so that `curl` posts Outbound Messages to it as
 * Salesforce would, the recorded messages of test/fixtures/salesforce with the test's
 * action ids filled in, and a stand-in for Salesforce's OAuth token and REST query
 * endpoints (HTTPS with a certificate made for the test, trusted by this process only).
 */
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ServiceContext } from '../../src/core/context.js';
import type { SalesforceSettings } from '../../src/modules/programs/returns-settings.js';
import { setReturnsProcessing } from '../../src/modules/programs/set-returns-processing.js';
import { Worker } from '../../src/worker/worker.js';
import type { TestAccount } from './app.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/salesforce');

export const OPPORTUNITY_MAPPING: SalesforceSettings = {
  instanceUrl: 'https://acme.my.salesforce.com',
  objectName: 'Opportunity',
  matchField: 'Lockstep_Action_Id__c',
  matchBy: 'ACTION_ID',
  statusField: 'StageName',
  statuses: [{ value: 'Closed Lost', change: 'REVERSE', reason: 'ORDER_ERROR', amountField: null }],
};

export const ORDER_MAPPING: SalesforceSettings = {
  instanceUrl: 'https://acme.my.salesforce.com',
  objectName: 'Order__c',
  matchField: 'Order_Number__c',
  matchBy: 'ORDER_ID',
  statusField: 'Status__c',
  statuses: [
    { value: 'Partially Returned', change: 'MODIFY_AMOUNT', reason: 'ITEM_RETURNED', amountField: 'Amount__c' },
    { value: 'Cancelled', change: 'REVERSE', reason: 'ORDER_ERROR', amountField: null },
  ],
};

export async function setSalesforce(ctx: ServiceContext, brand: TestAccount, eventTypeId: number, settings: SalesforceSettings): Promise<void> {
  await setReturnsProcessing(ctx, brand.actor, eventTypeId, { method: 'SALESFORCE', salesforce: settings });
}

/** A recorded message with the placeholders (`__ACTION_1__`, `__ORDER_1__`) replaced, written to a file of `dir`; returns its path. */
export function fixtureFile(dir: string, name: string, values: Record<string, string | bigint>): string {
  let text = fs.readFileSync(path.join(FIXTURES, name), 'utf8');
  for (const [key, value] of Object.entries(values)) text = text.replaceAll(`__${key}__`, String(value));
  const at = path.join(dir, `${Math.random().toString(36).slice(2, 8)}-${name}`);
  fs.writeFileSync(at, text);
  return at;
}

export interface CurlAnswer {
  status: number;
  contentType: string;
  body: string;
}

/** POSTs a file with /usr/bin/curl as text/xml, as Salesforce posts an Outbound Message. */
export function curlPost(url: string, file: string, contentType = 'text/xml; charset=utf-8', data: '--data-binary' | '--data' = '--data-binary'): Promise<CurlAnswer> {
  return new Promise((resolve, reject) => {
    execFile(
      '/usr/bin/curl',
      ['-sS', '--max-time', '30', '-H', `Content-Type: ${contentType}`, '-H', 'SOAPAction: ""', data, `@${file}`, '-w', '\n%{http_code} %{content_type}', url],
      { timeout: 60_000, maxBuffer: 4 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`curl failed: ${error.message}\n${stderr}`));
        const at = stdout.lastIndexOf('\n');
        const [status, ...type] = stdout.slice(at + 1).split(' ');
        resolve({ status: Number(status), contentType: type.join(' '), body: stdout.slice(0, at) });
      },
    );
  });
}

export const ACK =
  '<notificationsResponse xmlns="http://soap.sforce.com/2005/09/outbound"><Ack>true</Ack></notificationsResponse>';

export function drainReturns(ctx: ServiceContext, kinds = ['returns-batch']): Promise<void> {
  return new Worker(ctx, { kinds, pollMs: 20 }).drain();
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface StandInRecord {
  Id: string;
  SystemModstamp: string;
  [field: string]: unknown;
}

/**
 * A stand-in for the brand's Salesforce: `POST /services/oauth2/token` (refresh_token and
 * password grants of the connected app it knows) and `GET /services/data/vXX.X/query?q=`,
 * which reads the SOQL's `WHERE SystemModstamp > <literal>`, `ORDER BY SystemModstamp` and
 * `LIMIT`, and answers the records changed after it with the fields the SELECT names.
 */
export class SalesforceStandIn {
  records: StandInRecord[] = [];
  queries: string[] = [];
  tokenRequests: URLSearchParams[] = [];
  /** 'ok'; 'expired-session': the query answers 401 INVALID_SESSION_ID; 'bad-grant': the token endpoint answers 400 invalid_grant. */
  mode: 'ok' | 'expired-session' | 'bad-grant' = 'ok';
  readonly clientId = '3MVG9standInClientId';
  readonly clientSecret = 'standInClientSecret';
  readonly refreshToken = '5Aep861standInRefreshToken';
  private server: https.Server | undefined;
  private ca = '';
  private dir = '';
  port = 0;

  get instanceUrl(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.dir = tempDir('lockstep-sf-standin-');
    const key = path.join(this.dir, 'key.pem');
    const cert = path.join(this.dir, 'cert.pem');
    execFileSync('/usr/bin/openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert,
      '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
    ], { stdio: 'ignore' });
    this.ca = fs.readFileSync(cert, 'utf8');
    this.server = https.createServer({ key: fs.readFileSync(key), cert: this.ca }, (req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on('end', () => this.answer(req.method ?? 'GET', req.url ?? '/', req.headers.authorization, body, res));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    // Only this test process trusts the stand-in's certificate (jsforce's requests use the global agent).
    const options = https.globalAgent.options as { ca?: string | string[] };
    options.ca = [this.ca];
  }

  async close(): Promise<void> {
    const options = https.globalAgent.options as { ca?: string | string[] };
    delete options.ca;
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  private answer(method: string, url: string, authorization: string | undefined, body: string, res: import('node:http').ServerResponse) {
    const send = (status: number, value: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8' });
      res.end(JSON.stringify(value));
    };
    const at = new URL(url, this.instanceUrl);
    if (method === 'POST' && at.pathname === '/services/oauth2/token') {
      const form = new URLSearchParams(body);
      this.tokenRequests.push(form);
      const app = form.get('client_id') === this.clientId && form.get('client_secret') === this.clientSecret;
      const grant =
        (form.get('grant_type') === 'refresh_token' && form.get('refresh_token') === this.refreshToken) ||
        (form.get('grant_type') === 'password' && form.get('username') === 'ops@acme.example' && form.get('password') === 'hunter2SECTOKEN');
      if (!app) return send(400, { error: 'invalid_client_id', error_description: 'client identifier invalid' });
      if (!grant || this.mode === 'bad-grant') return send(400, { error: 'invalid_grant', error_description: 'expired access/refresh token' });
      return send(200, { access_token: '00D5g000004Xk2m!standInAccessToken', instance_url: this.instanceUrl, id: `${this.instanceUrl}/id/00D/005`, token_type: 'Bearer', issued_at: String(Date.now()), signature: 'x' });
    }
    const query = /^\/services\/data\/v\d+\.\d+\/query\/?$/.exec(at.pathname);
    if (method === 'GET' && query) {
      if (authorization !== 'Bearer 00D5g000004Xk2m!standInAccessToken' || this.mode === 'expired-session') {
        return send(401, [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
      }
      const soql = at.searchParams.get('q') ?? '';
      this.queries.push(soql);
      const select = /^SELECT (.+) FROM (\w+) WHERE SystemModstamp > (\S+) ORDER BY SystemModstamp LIMIT (\d+)$/.exec(soql);
      if (!select) return send(400, [{ message: `unexpected query: ${soql}`, errorCode: 'MALFORMED_QUERY' }]);
      const fields = select[1]!.split(',').map((f) => f.trim());
      const after = new Date(select[3]!).getTime();
      const stamp = (r: StandInRecord) => new Date(r.SystemModstamp.replace(/([+-]\d{2})(\d{2})$/, '$1:$2')).getTime();
      const records = this.records
        .filter((r) => stamp(r) > after)
        .sort((a, b) => stamp(a) - stamp(b))
        .slice(0, Number(select[4]))
        .map((r) => ({
          attributes: { type: select[2], url: `/services/data/v62.0/sobjects/${select[2]}/${r.Id}` },
          ...Object.fromEntries(fields.map((f) => [f, r[f] ?? null])),
        }));
      return send(200, { totalSize: records.length, done: true, records });
    }
    send(404, [{ message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' }]);
  }
}
