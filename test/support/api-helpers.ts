/**
 * Helpers for the HTTP API suites (test/api): problem-JSON assertions, database dumps
 * to prove that a refused request changed nothing, and quick ways to get a logged-in
 * client or an API token without paying for a password check each time.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { hashPassword } from '../../src/core/crypto.js';
import type { ServiceContext } from '../../src/core/context.js';
import type { Db } from '../../src/db/types.js';
import { createAccount } from '../../src/modules/accounts/create-account.js';
import { startSession } from '../../src/modules/accounts/log-in.js';
import type { TermsBody } from '../../src/http/contract/programs.js';
import type { TermsInput } from '../../src/modules/programs/terms/index.js';
import { basicClient, Client, testConfig, TEST_PASSWORD, type TestAccount, type TestApp } from './app.js';

export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: Array<{ field: string; message: string }>;
}

/**
 * Asserts an RFC 9457 problem answer: the status, the problem content type, a body whose
 * status matches, and (when given) a detail that contains the text or matches the pattern.
 */
export function expectProblem(
  response: LightMyRequestResponse,
  status: number,
  detail?: string | RegExp,
): ProblemBody {
  expect(response.statusCode, `status of ${response.body.slice(0, 400)}`).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = response.json() as ProblemBody;
  expect(body.status).toBe(status);
  expect(typeof body.detail).toBe('string');
  expect(body.detail.length).toBeGreaterThan(0);
  if (typeof detail === 'string') expect(body.detail).toContain(detail);
  else if (detail) expect(body.detail).toMatch(detail);
  return body;
}

/** Asserts a 2xx (or the given) status and returns the parsed JSON body. */
// biome-ignore lint/suspicious/noExplicitAny: by default a test reads the fields it checks without declaring the answer's whole type (about 300 uses)
export function expectOk<T = any>(response: LightMyRequestResponse, status = 200): T {
  expect(response.statusCode, `status of ${response.body.slice(0, 400)}`).toBe(status);
  return (response.body ? response.json() : undefined) as T;
}

// Columns that change on a successful authentication alone and say nothing about the
// request's effect (the token's last use is recorded even when the request is then refused).
const VOLATILE_COLUMNS: Record<string, string[]> = { api_tokens: ['last_used_at'] };
// Tables left out of dumps: auth_throttles counts attempts, and a refused attempt is
// counted by design (src/modules/accounts/auth-throttle.ts); the throttle tests read it.
const UNDUMPED_TABLES = new Set(['auth_throttles']);

export type DbDump = Record<string, string[]>;

const dumpQueries = new WeakMap<Db, string>();

/**
 * Every row of every table in the test's schema, as canonical JSON sorted per table, in
 * one query. Tables added by later migrations are included automatically.
 */
export async function dumpDb(db: Db): Promise<DbDump> {
  let sql = dumpQueries.get(db);
  if (!sql) {
    const { rows: tables } = await db.query<{ name: string }>(
      `select table_name as name from information_schema.tables
        where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`,
    );
    if (!tables.every(({ name }) => /^[a-z_][a-z0-9_]*$/.test(name))) throw new Error('unexpected table name');
    sql = `select ${tables
      .filter(({ name }) => !UNDUMPED_TABLES.has(name))
      .map(({ name }) => `(select coalesce(json_agg(row_to_json(t)), '[]'::json)::text from "${name}" t) as "${name}"`)
      .join(', ')}`;
    dumpQueries.set(db, sql);
  }
  const { rows } = await db.query<Record<string, string>>(sql);
  const dump: DbDump = {};
  for (const [table, json] of Object.entries(rows[0] ?? {})) {
    const drop = VOLATILE_COLUMNS[table] ?? [];
    dump[table] = (JSON.parse(json) as Array<Record<string, unknown>>)
      .map((row) => {
        for (const column of drop) delete row[column];
        return JSON.stringify(row);
      })
      .sort();
  }
  return dump;
}

export interface RowChange {
  table: string;
  before?: Record<string, unknown>;
  after?: Record<string, unknown>;
}

/** Rows that appeared or disappeared between two dumps (a changed row shows as both). */
export function diffDumps(before: DbDump, after: DbDump): RowChange[] {
  const changes: RowChange[] = [];
  for (const table of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const b = new Set(before[table] ?? []);
    const a = new Set(after[table] ?? []);
    for (const row of b) if (!a.has(row)) changes.push({ table, before: JSON.parse(row) });
    for (const row of a) if (!b.has(row)) changes.push({ table, after: JSON.parse(row) });
  }
  return changes;
}

/** Fails with the list of changed rows when the database differs from the dump. */
export async function expectDbUnchanged(db: Db, before: DbDump, what = 'the request'): Promise<void> {
  const changes = diffDumps(before, await dumpDb(db));
  expect(changes, `${what} changed the database`).toEqual([]);
}

export async function countRows(db: Db, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`select count(*)::int as n from (${sql}) q`, params);
  return rows[0]!.n;
}

/**
 * A client with a fresh session for the user, made directly (no password check), for
 * suites that need many logged-in users. Login itself is tested in auth.test.ts.
 */
export async function sessionClient(t: TestApp, userId: number, accountId?: number): Promise<Client> {
  const session = await startSession(t.ctx, userId, testConfig().sessionTtlHours);
  const client = new Client(t.app, { cookie: `lockstep_session=${session.sessionSecret}` });
  return accountId === undefined ? client : client.withAccount(accountId);
}

export interface IssuedToken {
  id: number;
  accountSid: string;
  authToken: string;
  client: Client;
}

/** Issues an Auth Token through the API as the given (admin) client. */
export async function issueToken(admin: Client, label = 'test'): Promise<IssuedToken> {
  const response = await admin.post('/api/v1/credentials', { Label: label });
  const body = expectOk<{ Id: number; AccountSid: string; AuthToken: string }>(response, 201);
  return { id: body.Id, accountSid: body.AccountSid, authToken: body.AuthToken, client: basicClient(admin.app, body.AccountSid, body.AuthToken) };
}

let userCounter = 0;

/** A user with a password and no account (like someone who left every account). */
export async function makeUser(
  ctx: ServiceContext,
  options: { email?: string; name?: string; password?: string } = {},
): Promise<{ userId: number; email: string }> {
  userCounter += 1;
  const email = options.email ?? `user${userCounter}-${Math.random().toString(36).slice(2, 8)}@example.test`;
  const { rows } = await ctx.db.query<{ id: number }>(
    'insert into users (email, name, password_hash) values ($1, $2, $3) returning id',
    [email, options.name ?? 'User', await hashPassword(options.password ?? TEST_PASSWORD)],
  );
  return { userId: rows[0]!.id, email };
}

/** Adds an existing user to an account with a role. */
export async function addMembership(ctx: ServiceContext, accountId: number, userId: number, role: 'ADMIN' | 'USER'): Promise<void> {
  await ctx.db.query('insert into memberships (account_id, user_id, role) values ($1, $2, $3)', [accountId, userId, role]);
}

/** Valid template terms paying for one event type, as the terms service takes them (createTemplateTerms). */
export function simpleTerms(eventTypeId: number, amount = '2.00'): TermsInput {
  return {
    payouts: [{ eventTypeId, payout: { kind: 'FIXED', amount } }],
    locking: { form: 'DAYS', days: 14 },
    payment: { months: 0, days: 19 },
  };
}

/** The same terms as the API takes them (POST /programs/:id/terms, field Terms). */
export function simpleTermsBody(eventTypeId: number, amount = '2.00'): TermsBody {
  return {
    Payouts: [{ EventTypeId: eventTypeId, Payout: { Kind: 'FIXED', Amount: amount } }],
    Locking: { Form: 'DAYS', Days: 14 },
    Payment: { Months: 0, Days: 19 },
  };
}

export interface RegisteredRoute {
  method: string;
  /** The path as registered, e.g. /api/v1/programs/:programId/terms (a shared node may show as ":id|:programId"). */
  path: string;
  /** The path with every parameter written as ":", so /programs/:id and /programs/{id} compare equal. */
  normalized: string;
}

/** "/a/:id/b" and "/a/{id}/b" → "/a/:/b". */
export function normalizeRoutePath(path: string): string {
  return path
    .replace(/\{[^}]+\}/g, ':')
    .replace(/:[A-Za-z0-9_]+(\|:[A-Za-z0-9_]+)*/g, ':');
}

/**
 * Every route the app has registered under /api/, read from Fastify's own route tree
 * (printRoutes), so that a route added anywhere shows up here without anyone listing it.
 */
export function apiRoutesOf(app: FastifyInstance): RegisteredRoute[] {
  const tree = app.printRoutes({ commonPrefix: false });
  const stack: string[] = [];
  const routes: RegisteredRoute[] = [];
  for (const line of tree.split('\n')) {
    const match = /^([│├└─\s]*)(\S.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 4;
    if (!Number.isInteger(depth) || depth < 1) throw new Error(`Unexpected route tree line: ${JSON.stringify(line)}`);
    stack.length = depth - 1;
    const path = (stack[depth - 2] ?? '') + match[2]!;
    stack.push(path);
    if (!match[3]) continue;
    for (const method of match[3].split(',').map((m) => m.trim())) {
      if (path.startsWith('/api/')) routes.push({ method, path, normalized: normalizeRoutePath(path) });
    }
  }
  return routes;
}

let accountCounter = 0;

/**
 * A brand or partner account whose admin has no password (created like an account opened
 * by an operator before the admin set one), so no password hashing is paid. Log its users
 * in with sessionClient. Same shape as makeAccount's result.
 */
export async function quickAccount(
  ctx: ServiceContext,
  kind: 'BRAND' | 'PARTNER',
  options: { name?: string; timeZone?: string; currency?: string } = {},
): Promise<TestAccount> {
  accountCounter += 1;
  const tag = `${accountCounter}${Math.random().toString(36).slice(2, 8)}`;
  const adminEmail = `${kind.toLowerCase()}-admin-${tag}@example.test`;
  const timeZone = options.timeZone ?? 'America/New_York';
  const currency = options.currency ?? 'USD';
  const created = await createAccount(ctx, null, {
    kind,
    name: options.name ?? `${kind === 'BRAND' ? 'Brand' : 'Partner'} ${tag}`,
    timeZone,
    currency,
    admin: { email: adminEmail, name: `Admin ${tag}` },
  });
  return {
    ...created,
    adminEmail,
    kind,
    timeZone,
    currency,
    actor: {
      type: 'account',
      userId: created.adminUserId,
      accountId: created.id,
      accountKind: kind,
      accountTimeZone: timeZone,
      role: 'ADMIN',
      via: 'session',
    },
  };
}

/** A user without a password, optionally a member of an account. */
export async function quickUser(
  ctx: ServiceContext,
  options: { accountId?: number; role?: 'ADMIN' | 'USER'; operator?: boolean } = {},
): Promise<{ userId: number; email: string }> {
  userCounter += 1;
  const email = `quick${userCounter}-${Math.random().toString(36).slice(2, 8)}@example.test`;
  const { rows } = await ctx.db.query<{ id: number }>(
    'insert into users (email, name, is_operator) values ($1, $2, $3) returning id',
    [email, `Quick ${userCounter}`, options.operator ?? false],
  );
  const userId = rows[0]!.id;
  if (options.accountId !== undefined) await addMembership(ctx, options.accountId, userId, options.role ?? 'USER');
  return { userId, email };
}
