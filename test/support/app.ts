import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { loadConfig, type Config } from '../../src/core/config.js';
import type { ServiceContext } from '../../src/core/context.js';
import { hashPassword } from '../../src/core/crypto.js';
import { buildApp } from '../../src/http/app.js';
import type { AccountActor, AccountKind } from '../../src/modules/accounts/actor.js';
import { createAccount } from '../../src/modules/accounts/create-account.js';
import { createOperator } from '../../src/modules/accounts/create-operator.js';
import type { DbTestContext } from './db.js';

export const TEST_PASSWORD = 'correct-horse-battery';
/** The admin secret test apps take, as a server takes the one it writes into DATA_DIR/admin.json. */
export const TEST_ADMIN_SECRET = 'test-admin-secret-0123456789abcdefghijklmnopq';

/** The key of secrets at rest in test apps (SECRETS_KEY), so that no test writes a key file into the working directory. */
export const TEST_SECRETS_KEY = '0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0';

export function testConfig(overrides: Partial<Config> = {}): Config {
  return { ...loadConfig({}), secretsKey: TEST_SECRETS_KEY, cookieSecure: false, rateLimitMax: 100_000, loginRateLimitMax: 100_000, seedDemo: false, jobs: false, ...overrides };
}

export interface TestApp {
  app: FastifyInstance;
  ctx: ServiceContext;
  close(): Promise<void>;
}

export async function startTestApp(db: DbTestContext, overrides: Partial<Config> = {}): Promise<TestApp> {
  const ctx: ServiceContext = { db: db.db, clock: db.clock };
  const app = await buildApp({ ctx, config: testConfig(overrides), adminSecret: TEST_ADMIN_SECRET });
  await app.ready();
  return { app, ctx, close: () => app.close() };
}

/** A logged-in client: carries the session cookie and the chosen account header. */
export class Client {
  constructor(
    readonly app: FastifyInstance,
    readonly headers: Record<string, string> = {},
  ) {}

  withAccount(accountId: number): Client {
    return new Client(this.app, { ...this.headers, 'lockstep-account': String(accountId) });
  }

  request(options: InjectOptions): Promise<LightMyRequestResponse> {
    return this.app.inject({ ...options, headers: { ...this.headers, ...(options.headers ?? {}) } } as InjectOptions);
  }

  get(url: string) {
    return this.request({ method: 'GET', url });
  }
  post(url: string, payload?: unknown) {
    return this.request({ method: 'POST', url, payload: payload as InjectOptions['payload'] });
  }
  put(url: string, payload?: unknown) {
    return this.request({ method: 'PUT', url, payload: payload as InjectOptions['payload'] });
  }
  patch(url: string, payload?: unknown) {
    return this.request({ method: 'PATCH', url, payload: payload as InjectOptions['payload'] });
  }
  delete(url: string) {
    return this.request({ method: 'DELETE', url });
  }
}

export async function logInClient(app: FastifyInstance, email: string, password = TEST_PASSWORD): Promise<Client> {
  const response = await app.inject({ method: 'POST', url: '/api/v1/session', payload: { Email: email, Password: password } });
  if (response.statusCode !== 200) throw new Error(`login of ${email} failed: ${response.statusCode} ${response.body}`);
  const cookie = response.cookies.find((c) => c.name === 'lockstep_session');
  if (!cookie) throw new Error('no session cookie');
  return new Client(app, { cookie: `lockstep_session=${cookie.value}` });
}

export function basicClient(app: FastifyInstance, accountSid: string, authToken: string): Client {
  return new Client(app, { authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}` });
}

let counter = 0;
function unique(prefix: string): string {
  counter += 1;
  return `${prefix}${counter}-${Math.random().toString(36).slice(2, 8)}`;
}

export interface TestAccount {
  id: number;
  sid: string;
  adminUserId: number;
  adminEmail: string;
  kind: AccountKind;
  timeZone: string;
  currency: string;
  /** The admin acting for the account, for calling services directly. */
  actor: AccountActor;
}

/** A brand or partner account with an admin whose password is TEST_PASSWORD. */
export async function makeAccount(
  ctx: ServiceContext,
  kind: AccountKind,
  options: { name?: string; timeZone?: string; currency?: string } = {},
): Promise<TestAccount> {
  const adminEmail = `${unique(kind.toLowerCase())}@example.test`;
  const timeZone = options.timeZone ?? 'America/New_York';
  const currency = options.currency ?? 'USD';
  const created = await createAccount(ctx, null, {
    kind,
    name: options.name ?? unique(kind === 'BRAND' ? 'Brand ' : 'Partner '),
    timeZone,
    currency,
    admin: { email: adminEmail, name: 'Admin', password: TEST_PASSWORD },
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

export async function makeOperator(ctx: ServiceContext): Promise<{ userId: number; email: string }> {
  const email = `${unique('operator')}@example.test`;
  const { userId } = await createOperator(ctx, { email, name: 'Operator', password: TEST_PASSWORD });
  return { userId, email };
}

/** Adds a user with a password straight to an account (bypassing the invitation flow). */
export async function addMember(
  ctx: ServiceContext,
  accountId: number,
  role: 'ADMIN' | 'USER',
): Promise<{ userId: number; email: string }> {
  const email = `${unique('member')}@example.test`;
  const { rows } = await ctx.db.query<{ id: number }>(
    'insert into users (email, name, password_hash) values ($1, $2, $3) returning id',
    [email, 'Member', await hashPassword(TEST_PASSWORD)],
  );
  await ctx.db.query('insert into memberships (account_id, user_id, role) values ($1, $2, $3)', [accountId, rows[0]!.id, role]);
  return { userId: rows[0]!.id, email };
}
