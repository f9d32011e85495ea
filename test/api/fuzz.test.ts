/**
 * A fuzz test of every operation in /docs/json (issue 10). The test reads the OpenAPI
 * document the app serves, and for each operation sends a bounded, deterministic set of
 * malformed variants of a valid request (test/support/fuzz-variants.ts: hostile path
 * parameters, wrong and out-of-range query values, bodies with missing, extra and
 * wrongly typed fields, huge strings, NUL and lone surrogates, impossible dates, deep
 * nesting, non-JSON content types, cross-site origins, batches with one bad element),
 * each as every kind of caller: nobody, a brand's admin (session), a brand's Auth Token,
 * a partner's admin and an operator. A route added later is covered without a line here.
 *
 * It fails on:
 * - any 5xx;
 * - an error (status >= 400 under /api) that is not problem JSON with type, title,
 *   status and detail;
 * - any change to stored data after a 4xx (a fingerprint of every table after each
 *   request that got past the edge, and after each run of edge refusals and reads, which
 *   is replayed request by request on a change; the culprit is replayed between two
 *   full dumps to show its rows);
 * - a 2xx to a variant no correct server may accept (it breaks the documented schema,
 *   carries text PostgreSQL cannot store, names a date that does not exist, is a form or
 *   text POST, comes from another site with the session cookie, or names an unknown
 *   query parameter of an operation that documents its parameters);
 * - a batch answered per row (Results/Outcomes) that does not refuse exactly its bad row.
 *
 * Every failure is collected and reported at the end, grouped by kind and operation,
 * with one line per variant and the callers that saw it. Set FUZZ_REPORT=<file prefix>
 * to also write every failure as JSON (one file per engine), FUZZ_VERBOSE=1 to print
 * what the valid base request of each operation got, per caller, and which rows each
 * batch refused, FUZZ_ONLY=<regex> to fuzz only the operations whose "METHOD /path"
 * matches (while working on one route).
 *
 * Not fuzzed: HEAD (Fastify answers it from the GET route, which is fuzzed; tenancy.test.ts
 * checks HEAD without credentials), and the tracking redirect /c/<code>, which is outside
 * /api and /docs/json and answers HTML pages by design (test/tracking covers it).
 */
import { writeFileSync } from 'node:fs';
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { ManualClock } from '../../src/core/clock.js';
import { sha256Hex } from '../../src/core/crypto.js';
import { issueApiToken } from '../../src/modules/accounts/api-tokens.js';
import { startSession } from '../../src/modules/accounts/log-in.js';
import { inviteUser } from '../../src/modules/accounts/members.js';
import { applyActionOperation } from '../../src/modules/actions/apply-action-operation.js';
import { recordConversions } from '../../src/modules/conversions/record-conversions.js';
import { acceptTerms } from '../../src/modules/contracts/accept-terms.js';
import { createTemplateTerms } from '../../src/modules/programs/template-terms.js';
import { createLink } from '../../src/modules/tracking/create-link.js';
import { makeClickAction } from '../support/action-helpers.js';
import { makeClick, makeSaleAction } from '../support/actions.js';
import {
  apiRoutesOf,
  diffDumps,
  dumpDb,
  makeUser,
  normalizeRoutePath,
  quickAccount,
  quickUser,
  simpleTerms,
  type DbDump,
} from '../support/api-helpers.js';
import { basicClient, Client, startTestApp, testConfig, TEST_PASSWORD, type TestAccount, type TestApp } from '../support/app.js';
import { describeDb, type DbTestContext } from '../support/db.js';
import type { Db } from '../../src/db/types.js';
import {
  BASE_VARIANT,
  fitToSchema,
  exampleFor,
  operationsOf,
  variantsFor,
  type BuiltRequest,
  type FuzzOperation,
  type OpenApiDocument,
  type Variant,
} from '../support/fuzz-variants.js';
import { makeProgram, type TestProgram } from '../support/programs.js';

// ---------------------------------------------------------------------------
// What is fuzzed: every operation of /docs/json, and the /api routes hidden from it
// ---------------------------------------------------------------------------

const ADMIN = "the command line's calls to a running server (src/http/routes/admin.ts), with the server's admin secret: no part of the API for integrations";

/**
 * /api routes the app registers but leaves out of /docs/json by design, and why. The
 * fuzz test cannot read their schemas, so it sends them the variants that need none
 * (hostile path parameters, query and body junk, content types, cross-site origins).
 */
const HIDDEN_BY_DESIGN: Record<string, string> = {
  'POST /api/v1/admin/jobs/:/run': ADMIN,
  'POST /api/v1/admin/check-ledger': ADMIN,
  'POST /api/v1/admin/operators': ADMIN,
  'POST /api/v1/admin/events': ADMIN,
};

const documentedKey = (op: FuzzOperation) => `${op.method} ${normalizeRoutePath(op.path)}`;

/** The registered /api routes /docs/json does not list, as operations without schemas. */
function undocumentedOperations(t: TestApp, documented: FuzzOperation[]): FuzzOperation[] {
  const known = new Set(documented.map(documentedKey));
  return apiRoutesOf(t.app)
    .filter((route) => route.method !== 'HEAD' && !known.has(`${route.method} ${route.normalized}`))
    .map((route) => {
      // "/a/:id|:programId/b" (a node two routes share) names the parameter by its first name.
      const path = route.path.replace(/:([A-Za-z0-9_]+)(?:\|:[A-Za-z0-9_]+)*/g, '{$1}');
      const names = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
      const stateChanging = !['GET', 'HEAD', 'OPTIONS'].includes(route.method);
      return {
        method: route.method,
        path,
        key: `${route.method} ${path}`,
        pathParams: names.map((name) => ({ name, in: 'path' as const, required: true })),
        queryParams: [],
        // Any JSON at all: only the variants that break every schema must be refused.
        ...(stateChanging && route.method !== 'DELETE' ? { bodySchema: {} } : {}),
        stateChanging,
      };
    });
}

// ---------------------------------------------------------------------------
// Callers and the world they act in
// ---------------------------------------------------------------------------

type CallerName = 'anonymous' | 'operator' | 'partnerAdmin' | 'brandToken' | 'brandAdmin';

/** In this order for every operation: the callers most likely to succeed (and change the world) last. */
const CALLERS: CallerName[] = ['anonymous', 'operator', 'partnerAdmin', 'brandToken', 'brandAdmin'];

interface Caller {
  name: CallerName;
  client: Client;
  /** Session callers: whose session, for which account (so it can be made again after a log-out). */
  session?: { userId: number; accountId?: number; secret: string };
  /** The Auth Token caller: which token (so it can be issued again if a request revoked it). */
  token?: { id: number; account: TestAccount };
}

type ActionTarget =
  | 'view'
  | 'approve'
  | 'reverse'
  | 'modify'
  | 'reject-item'
  | 'modify-items'
  | 'restore'
  | 'reset'
  | 'reattribute'
  | 'reverse-cpc';

interface World {
  t: TestApp;
  brand: TestAccount;
  brandB: TestAccount;
  partner: TestAccount;
  partnerQ: TestAccount;
  /** A partner under contract with the brand's program that nothing expires: where re-attribution moves actions. */
  partnerR: TestAccount;
  program: TestProgram;
  programB2: TestProgram;
  /** The brand's second program: what PATCH /programs/{id} changes, so the first keeps its website (links need it). */
  spareProgram: number;
  /** Terms of the brand's program that the archive route may archive. */
  spareTerms: number;
  login: { email: string };
  contract: number;
  /** What the expire route may end: partner Q's contract (for the brand), P's contract with brand B (for P). */
  contractQ: number;
  contractPB1: number;
  link: number;
  spareLink: number;
  clickId: string;
  /** Conversions already recorded: a batch's good rows repeat them (answered as duplicates, storing nothing new). */
  recorded: Array<Record<string, unknown>>;
  actions: Record<ActionTarget, bigint>;
  bulkActions: bigint[];
  invitation: { id: number; token: string };
  spareInvitation: number;
  partnerInvitation: number;
  /** Invitations from brand B addressed to the brand's and the partner's admins, for /me/invitations. */
  myInvitation: { brandAdmin: number; partnerAdmin: number };
  programB1: TestProgram;
  brandMember: number;
  partnerMember: number;
  brandSpareToken: number;
  partnerSpareToken: number;
  callers: Record<CallerName, Caller>;
}

const ITEMS = [
  { Sku: 'TENT-1', Category: 'Tents', Quantity: 1, Amount: '50.00' },
  { Sku: 'SOCK-2', Category: 'Socks', Quantity: 2, Amount: '10.00' },
];

async function sessionCaller(t: TestApp, name: CallerName, userId: number, accountId?: number): Promise<Caller> {
  const { sessionSecret } = await startSession(t.ctx, userId, testConfig().sessionTtlHours);
  const client = new Client(t.app, {
    cookie: `lockstep_session=${sessionSecret}`,
    ...(accountId !== undefined ? { 'lockstep-account': String(accountId) } : {}),
  });
  return { name, client, session: { userId, ...(accountId !== undefined ? { accountId } : {}), secret: sessionSecret } };
}

async function tokenCaller(t: TestApp, account: TestAccount): Promise<Caller> {
  const token = await issueApiToken(t.ctx, account.actor, { label: 'fuzz caller' });
  return { name: 'brandToken', client: basicClient(t.app, token.accountSid, token.authToken), token: { id: token.id, account } };
}

/**
 * A brand with a program (event types, two sets of terms), a partner with a contract, two
 * links, clicks and actions in every state (one per operation that changes an action, so
 * that each starts from the state it needs), an operator, a second brand and partner, and
 * spare users, invitations and tokens for the routes that delete or rotate them.
 */
async function buildWorld(t: TestApp): Promise<World> {
  const { ctx } = t;
  const clock = ctx.clock as ManualClock;
  const brand = await quickAccount(ctx, 'BRAND');
  const brandB = await quickAccount(ctx, 'BRAND');
  const partner = await quickAccount(ctx, 'PARTNER');
  const partnerQ = await quickAccount(ctx, 'PARTNER');
  const partnerR = await quickAccount(ctx, 'PARTNER');
  const operator = await quickUser(ctx, { operator: true });
  const brandMember = await quickUser(ctx, { accountId: brand.id, role: 'USER' });
  const partnerMember = await quickUser(ctx, { accountId: partner.id, role: 'USER' });
  const login = await makeUser(ctx);

  const program = await makeProgram(ctx, brand);
  const spareProgram = (await makeProgram(ctx, brand)).id;
  const spareTerms = (await createTemplateTerms(ctx, brand.actor, program.id, { name: 'Spare terms', terms: simpleTerms(program.saleEventTypeId) })).id;
  const programB1 = await makeProgram(ctx, brandB);
  const programB2 = await makeProgram(ctx, brandB);
  const contract = (await acceptTerms(ctx, partner.actor, program.termsId)).id;
  const contractQ = (await acceptTerms(ctx, partnerQ.actor, program.termsId)).id;
  await acceptTerms(ctx, partnerR.actor, program.termsId);
  const contractPB1 = (await acceptTerms(ctx, partner.actor, programB1.termsId)).id;
  // Clicks and actions happen an hour into the contracts.
  clock.advanceMs(3_600_000);

  const link = (await createLink(ctx, partner.actor, { programId: program.id, landingUrl: 'https://shop.example/fuzz-main' })).id;
  const spareLink = (await createLink(ctx, partner.actor, { programId: program.id, landingUrl: 'https://shop.example/fuzz-spare' })).id;
  const clickId = await makeClick(ctx, partner, program, new Date(clock.now().getTime() - 10 * 60_000));
  await makeClick(ctx, partner, program, new Date(clock.now().getTime() - 5 * 60_000));

  const recorded = [1, 2].map((n) => ({
    ActionTrackerId: program.saleEventTypeId,
    OrderId: `FUZZ-RECORDED-${n}`,
    EventDate: new Date(clock.now().getTime() - 2 * 60_000).toISOString(),
    ClickId: clickId,
    Amount: '20.00',
  }));
  for (const result of await recordConversions(ctx, brand.actor, recorded)) {
    if (result.status !== 'ACCEPTED') throw new Error(`recording a conversion: ${JSON.stringify(result)}`);
  }

  const sale = () => makeSaleAction(ctx, brand, partner, program, { items: ITEMS });
  const actions = {} as Record<ActionTarget, bigint>;
  for (const target of ['view', 'approve', 'reverse', 'modify', 'reject-item', 'modify-items', 'restore', 'reset', 'reattribute'] as const) {
    actions[target] = await sale();
  }
  actions['reverse-cpc'] = await makeClickAction(ctx, partner, program);
  const bulkActions = [await sale(), await sale()];
  const approved = await sale();
  for (const [id, op] of [
    [actions.restore, { op: 'REVERSE', reason: 'CONS_FRAUD' }],
    [actions.reset, { op: 'REVERSE', reason: 'ITEM_RETURNED' }],
    [approved, { op: 'APPROVE' }],
  ] as const) {
    const [outcome] = await applyActionOperation(ctx, brand.actor, [id], op);
    if (!outcome?.ok) throw new Error(`setting up action ${id}: ${JSON.stringify(outcome)}`);
  }

  const invite = async (account: TestAccount) => {
    const invited = await inviteUser(ctx, account.actor, { email: `fuzz-invitee-${Math.random().toString(36).slice(2, 8)}@example.test`, role: 'USER' });
    return { id: invited.invitationId!, token: invited.acceptToken! };
  };
  const inviteTo = async (email: string) => (await inviteUser(ctx, brandB.actor, { email, role: 'USER' })).invitationId!;
  const myInvitation = { brandAdmin: await inviteTo(brand.adminEmail), partnerAdmin: await inviteTo(partner.adminEmail) };
  const invitation = await invite(brand);
  const spareInvitation = (await invite(brand)).id;
  const partnerInvitation = (await invite(partner)).id;
  const brandSpareToken = (await issueApiToken(ctx, brand.actor, { label: 'spare' })).id;
  const partnerSpareToken = (await issueApiToken(ctx, partner.actor, { label: 'spare' })).id;

  const callers: Record<CallerName, Caller> = {
    anonymous: { name: 'anonymous', client: new Client(t.app) },
    operator: await sessionCaller(t, 'operator', operator.userId),
    partnerAdmin: await sessionCaller(t, 'partnerAdmin', partner.adminUserId, partner.id),
    brandToken: await tokenCaller(t, brand),
    brandAdmin: await sessionCaller(t, 'brandAdmin', brand.adminUserId, brand.id),
  };
  return {
    t,
    brand,
    brandB,
    partner,
    partnerQ,
    partnerR,
    program,
    programB2,
    spareProgram,
    spareTerms,
    login,
    contract,
    contractQ,
    contractPB1,
    link,
    spareLink,
    clickId,
    recorded,
    actions,
    bulkActions,
    invitation,
    spareInvitation,
    partnerInvitation,
    myInvitation,
    programB1,
    brandMember: brandMember.userId,
    partnerMember: partnerMember.userId,
    brandSpareToken,
    partnerSpareToken,
    callers,
  };
}

/**
 * After a request that succeeded, the callers must still be who they were: a log-out
 * (DELETE /session) ends the caller's session, so it gets a new one; a revoked Auth Token
 * is issued again. Returns whether anything was made again (the database changed).
 */
async function repairCallers(w: World): Promise<boolean> {
  let repaired = false;
  for (const caller of Object.values(w.callers)) {
    if (caller.session) {
      const { rows } = await w.t.ctx.db.query('select 1 from sessions where id_hash = $1 and expires_at > $2', [
        sha256Hex(caller.session.secret),
        w.t.ctx.clock.now(),
      ]);
      if (!rows.length) {
        w.callers[caller.name] = await sessionCaller(w.t, caller.name, caller.session.userId, caller.session.accountId);
        repaired = true;
      }
    }
    if (caller.token) {
      const { rows } = await w.t.ctx.db.query('select 1 from api_tokens where id = $1 and revoked_at is null', [caller.token.id]);
      if (!rows.length) {
        w.callers[caller.name] = await tokenCaller(w.t, caller.token.account);
        repaired = true;
      }
    }
  }
  return repaired;
}

/**
 * After an operation succeeded on its target (approved the action, disabled the link,
 * revoked the token), the variants after it would only meet "already done": a new
 * target in the same state lets them get as deep as before. Returns whether it made one.
 */
async function refreshTarget(w: World, op: FuzzOperation, caller: CallerName, response: LightMyRequestResponse): Promise<boolean> {
  const { ctx } = w.t;
  const path = op.path;
  const sale = () => makeSaleAction(ctx, w.brand, w.partner, w.program, { items: ITEMS });
  const actionOp = /^\/api\/v1\/(?:operator\/)?actions\/\{id\}\/([a-z-]+)$/.exec(path)?.[1] as ActionTarget | undefined;
  if (actionOp && actionOp in w.actions) {
    if (actionOp === 'reverse-cpc') {
      w.actions[actionOp] = await makeClickAction(ctx, w.partner, w.program);
    } else {
      const id = await sale();
      if (actionOp === 'restore' || actionOp === 'reset') {
        const [outcome] = await applyActionOperation(ctx, w.brand.actor, [id], { op: 'REVERSE', reason: 'CONS_FRAUD' });
        if (!outcome?.ok) throw new Error(`reversing a new target: ${JSON.stringify(outcome)}`);
      }
      w.actions[actionOp] = id;
    }
    return true;
  }
  if (path === '/api/v1/actions/bulk') {
    w.bulkActions = [await sale(), await sale()];
    return true;
  }
  if (path === '/api/v1/links/{id}/disable') {
    w.spareLink = (await createLink(ctx, w.partner.actor, { programId: w.program.id, landingUrl: 'https://shop.example/fuzz-spare' })).id;
    return true;
  }
  if (path.startsWith('/api/v1/credentials/{id}')) {
    // A rotation answers the new token; a revocation made room for one (an account holds at most 20).
    const rotated = (jsonOf(response) as { id?: unknown } | undefined)?.id;
    const id = typeof rotated === 'number' ? rotated : (await issueApiToken(ctx, (caller === 'partnerAdmin' ? w.partner : w.brand).actor, { label: 'spare' })).id;
    if (caller === 'partnerAdmin') w.partnerSpareToken = id;
    else w.brandSpareToken = id;
    return true;
  }
  if (op.method === 'DELETE' && path === '/api/v1/users/{id}') {
    w.brandMember = (await quickUser(ctx, { accountId: w.brand.id, role: 'USER' })).userId;
    w.partnerMember = (await quickUser(ctx, { accountId: w.partner.id, role: 'USER' })).userId;
    return true;
  }
  const invite = async (account: TestAccount, email = `fuzz-invitee-${next()}@example.test`) =>
    inviteUser(ctx, account.actor, { email, role: 'USER' });
  if (path === '/api/v1/users/invitations/{id}') {
    w.spareInvitation = (await invite(w.brand)).invitationId!;
    w.partnerInvitation = (await invite(w.partner)).invitationId!;
    return true;
  }
  if (path === '/api/v1/invitations/accept') {
    const invited = await invite(w.brand);
    w.invitation = { id: invited.invitationId!, token: invited.acceptToken! };
    return true;
  }
  if (path.startsWith('/api/v1/me/invitations/{id}') && (caller === 'brandAdmin' || caller === 'partnerAdmin')) {
    // Only the caller's own invitation was used up (the other is still pending, and there
    // is one per e-mail); a new brand invites, since the caller may now be a member of the last.
    const inviter = await quickAccount(ctx, 'BRAND');
    w.myInvitation[caller] = (await invite(inviter, caller === 'brandAdmin' ? w.brand.adminEmail : w.partner.adminEmail)).invitationId!;
    return true;
  }
  if (path === '/api/v1/contracts/{id}/expire') {
    if (caller === 'partnerAdmin') {
      // New terms of brand B's program: accepting them replaces P's contract with an open-ended one.
      const terms = await createTemplateTerms(ctx, w.brandB.actor, w.programB1.id, { name: `Fuzz terms ${next()}`, terms: simpleTerms(w.programB1.saleEventTypeId) });
      w.contractPB1 = (await acceptTerms(ctx, w.partner.actor, terms.id)).id;
    } else {
      // A new partner under the brand's program: the brand's target.
      const other = await quickAccount(ctx, 'PARTNER');
      w.contractQ = (await acceptTerms(ctx, other.actor, w.program.termsId)).id;
    }
    return true;
  }
  if (path === '/api/v1/programs/{programId}/terms/{termsId}/archive') {
    w.spareTerms = (await createTemplateTerms(ctx, w.brand.actor, w.program.id, { name: `Spare terms ${next()}`, terms: simpleTerms(w.program.saleEventTypeId) })).id;
    return true;
  }
  return false;
}

// ---------------------------------------------------------------------------
// Valid base requests: path ids from the world, bodies that succeed
// ---------------------------------------------------------------------------

let serial = 0;
const next = () => ++serial;

/** A valid id for a path parameter, as the caller would use it (a partner names its own resources). */
function pathValueFor(w: World, op: FuzzOperation, param: string, caller: CallerName): string | undefined {
  const partnerSide = caller === 'partnerAdmin';
  const path = op.path;
  if (param === 'token') return w.invitation.token;
  if (param === 'programId') return String(w.program.id);
  if (param === 'termsId') return String(w.spareTerms);
  if (param === 'eventTypeId') return String(w.program.saleEventTypeId);
  if (param !== 'id') return undefined;
  if (path.startsWith('/api/v1/programs/')) return String(op.method === 'PATCH' ? w.spareProgram : w.program.id);
  if (path.startsWith('/api/v1/users/invitations/')) return String(partnerSide ? w.partnerInvitation : w.spareInvitation);
  if (path.startsWith('/api/v1/me/invitations/')) return String(partnerSide ? w.myInvitation.partnerAdmin : w.myInvitation.brandAdmin);
  if (path.startsWith('/api/v1/users/')) return String(partnerSide ? w.partnerMember : w.brandMember);
  if (path.startsWith('/api/v1/credentials/')) return String(partnerSide ? w.partnerSpareToken : w.brandSpareToken);
  if (path.startsWith('/api/v1/contracts/')) return String(path.endsWith('/expire') ? (partnerSide ? w.contractPB1 : w.contractQ) : w.contract);
  if (path.startsWith('/api/v1/links/')) return String(path.endsWith('/disable') ? w.spareLink : w.link);
  if (path.startsWith('/api/v1/actions/') || path.startsWith('/api/v1/operator/actions/')) {
    const last = path.split('/').pop()!;
    return String(w.actions[(last === '{id}' ? 'view' : last) as ActionTarget] ?? w.actions.view);
  }
  return undefined;
}

const conversion = (w: World) => ({
  ActionTrackerId: w.program.saleEventTypeId,
  OrderId: `FUZZ-${next()}`,
  EventDate: new Date(w.t.ctx.clock.now().getTime() - 60_000).toISOString(),
  ClickId: w.clickId,
  Amount: '10.00',
  CurrencyCode: w.program.currency,
  Items: [{ Sku: 'TENT-9', Category: 'Tents', Quantity: 1, Amount: '10.00' }],
});

/** Bodies that succeed for the caller the operation is for; fitted to the schema as it is now. */
const BASE_BODIES: Record<string, (w: World) => unknown> = {
  'POST /api/v1/session': (w) => ({ Email: w.login.email, Password: TEST_PASSWORD }),
  'POST /api/v1/invitations/accept': (w) => ({ Token: w.invitation.token, Name: 'Fuzz Invitee', Password: 'fuzz-password-123' }),
  'POST /api/v1/users/invitations': () => ({ Email: `fuzz-${next()}@example.test`, Role: 'USER' }),
  'PATCH /api/v1/users/{id}': () => ({ Role: 'USER' }),
  'POST /api/v1/credentials': () => ({ Label: 'fuzz' }),
  'POST /api/v1/programs': () => ({ Name: `Fuzz program ${next()}`, Currency: 'USD', TimeZone: 'UTC', WebsiteUrl: 'https://shop.example/' }),
  'PATCH /api/v1/programs/{id}': () => ({ Name: 'Fuzz renamed program' }),
  'POST /api/v1/programs/{programId}/event-types': () => ({ Name: `Fuzz event ${next()}`, Kind: 'LEAD', ReturnsProcessing: 'API' }),
  'PUT /api/v1/event-types/{eventTypeId}/returns-processing': () => ({ Method: 'EMAIL', Email: { FilePattern: '*.csv' } }),
  'POST /api/v1/programs/{programId}/terms': (w) => ({
    Name: `Fuzz terms ${next()}`,
    Terms: {
      Payouts: [
        {
          EventTypeId: w.program.saleEventTypeId,
          Payout: { Kind: 'PERCENT', Percent: '5' },
          Groups: [{ Name: 'Tents', Match: { Categories: ['Tents'], Skus: ['TENT-1'] }, Payout: { Kind: 'FIXED', Amount: '1.00' } }],
        },
      ],
      Locking: { Form: 'MONTHS', Months: 1, Days: 5 },
      Payment: { Months: 0, Days: 19 },
    },
  }),
  'POST /api/v1/contracts': (w) => ({ TemplateTermsId: w.programB2.termsId }),
  'POST /api/v1/contracts/{id}/expire': () => ({ On: '2026-06-30', ReversePendingActions: false, ReversalReason: 'OTHER' }),
  'POST /api/v1/operator/accounts': () => ({
    Kind: 'PARTNER',
    Name: `Fuzz opened ${next()}`,
    TimeZone: 'UTC',
    Currency: 'USD',
    Admin: { Email: `fuzz-opened-${next()}@example.test`, Name: 'Fuzz admin' },
  }),
  'POST /api/v1/links': (w) => ({ CampaignId: w.program.id, LandingUrl: 'https://shop.example/fuzz', Label: 'fuzz' }),
  'POST /api/v1/conversions': (w) => conversion(w),
  // One new conversion, then two already recorded: the bad element of a batch variant
  // replaces the second, so the world grows by at most one conversion per variant.
  'POST /api/v1/conversions/batch': (w) => ({ Conversions: [conversion(w), ...w.recorded] }),
  'POST /api/v1/actions/{id}/approve': () => ({}),
  'POST /api/v1/actions/{id}/reverse': () => ({ Reason: 'CONS_FRAUD' }),
  'POST /api/v1/actions/{id}/modify': () => ({ Reason: 'ORDER_UPDATE', Amount: '40.00' }),
  'POST /api/v1/actions/{id}/reject-item': () => ({ ItemIndex: 2, Reason: 'ITEM_RETURNED' }),
  'POST /api/v1/actions/{id}/modify-items': () => ({ Reason: 'ITEM_RETURNED', Items: [{ Index: 1, Amount: '5.00' }, { Index: 2, Reject: true }] }),
  'POST /api/v1/actions/{id}/restore': () => ({}),
  'POST /api/v1/actions/{id}/reset': () => ({}),
  'POST /api/v1/actions/bulk': (w) => ({ Operation: 'APPROVE', ActionIds: w.bulkActions.map(String) }),
  'POST /api/v1/operator/actions/{id}/reattribute': (w) => ({ MediaPartnerId: w.partnerR.id, Reason: 'ADV_ACT_DISPUTE' }),
  'POST /api/v1/operator/actions/{id}/reverse-cpc': () => ({ Reason: 'CONS_FRAUD' }),
};

function baseBodyFor(w: World, op: FuzzOperation): unknown {
  if (!op.bodySchema) return undefined;
  const made = BASE_BODIES[op.key];
  return fitToSchema(made ? made(w) : exampleFor(op.bodySchema), op.bodySchema);
}

// ---------------------------------------------------------------------------
// Stored data
// ---------------------------------------------------------------------------

/**
 * What may change on a refused request, by design, and is left out of the comparison.
 */
const IGNORED_TABLES = new Set([
  // Failed log-ins, invitation-token and API-credential attempts are counted to slow
  // guessing (src/modules/accounts/auth-throttle.ts): a refused attempt must change this.
  'auth_throttles',
]);
const IGNORED_COLUMNS: Record<string, string[]> = {
  // A token's last use is recorded on authentication, before the request may be refused
  // (dumpDb leaves it out for the same reason).
  api_tokens: ['last_used_at'],
  // A session's last use (and a sliding expiry, should sessions get one) moves with every request.
  sessions: ['last_seen_at', 'last_used_at', 'expires_at'],
};

function normalized(dump: DbDump): DbDump {
  const out: DbDump = {};
  for (const [table, rows] of Object.entries(dump)) {
    if (IGNORED_TABLES.has(table)) continue;
    const columns = IGNORED_COLUMNS[table];
    out[table] = columns
      ? rows
          .map((row) => {
            const parsed = JSON.parse(row) as Record<string, unknown>;
            for (const column of columns) delete parsed[column];
            return JSON.stringify(parsed);
          })
          .sort()
      : rows;
  }
  return out;
}

type Fingerprint = Record<string, string>;

/**
 * Detecting a change by dumping every row after every request costs more than the
 * requests themselves, so each check first compares a fingerprint: per table, the row
 * count and the sum of a 64-bit hash of each row (without the ignored columns), computed
 * by the database in one query. Only when a fingerprint differs after a refused request
 * is the request replayed between two full dumps (dumpDb, diffDumps) to show the rows.
 */
async function fingerprintQuery(db: Db): Promise<string> {
  const { rows: tables } = await db.query<{ name: string }>(
    `select table_name as name from information_schema.tables
      where table_schema = current_schema() and table_type = 'BASE TABLE' order by table_name`,
  );
  const parts = tables
    .filter(({ name }) => !IGNORED_TABLES.has(name))
    .map(({ name }) => {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`unexpected table name ${name}`);
      const columns = IGNORED_COLUMNS[name] ?? [];
      // A row as text (cheaper than as JSON), or as JSON without the ignored columns.
      const row = columns.length ? `(to_jsonb(t) - array[${columns.map((c) => `'${c}'`).join(', ')}])` : 't';
      return `'${name}', (select count(*) || ':' || coalesce(sum(hashtextextended(${row}::text, 0)), 0) from "${name}" t)`;
    });
  // A function takes at most 100 arguments: one object per 40 tables, merged.
  const objects: string[] = [];
  for (let i = 0; i < parts.length; i += 40) objects.push(`json_build_object(${parts.slice(i, i + 40).join(', ')})::jsonb`);
  return `select (${objects.join(' || ')})::text as fingerprint`;
}

function changedTables(before: Fingerprint, after: Fingerprint): string[] {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((table) => before[table] !== after[table]).sort();
}

// ---------------------------------------------------------------------------
// Checking answers
// ---------------------------------------------------------------------------

type FailureKind = '5xx' | 'not problem JSON' | 'changed stored data after a 4xx' | 'accepted what must be refused' | 'batch rows';

interface Failure {
  kind: FailureKind;
  op: string;
  caller: CallerName;
  variant: string;
  status: number;
  request: string;
  excerpt: string;
}

interface Sent {
  op: FuzzOperation;
  caller: CallerName;
  variant: Variant;
  built: BuiltRequest;
  response: LightMyRequestResponse;
}

const excerpt = (text: string, max = 240) => (text.length > max ? `${text.slice(0, max)}…(${text.length})` : text);

function describeRequest(op: FuzzOperation, built: BuiltRequest): string {
  const headers = Object.entries(built.headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
  return `${op.method} ${excerpt(built.url, 160)}${headers ? ` [${headers}]` : ''}${built.payload !== undefined ? ` ${excerpt(built.payload, 200)}` : ''}`;
}

/** The body as text when it is text (JSON, CSV), else its type and size (a workbook, a PDF). */
function shownBody(response: LightMyRequestResponse): string {
  const type = String(response.headers['content-type'] ?? '');
  return /json|text|csv/.test(type) ? response.body : `(${type}, ${response.rawPayload.length} bytes)`;
}

function jsonOf(response: LightMyRequestResponse): unknown {
  try {
    return JSON.parse(response.body) as unknown;
  } catch {
    return undefined;
  }
}

/** What is wrong with an error answer that should be problem JSON, or undefined. */
function problemDefect(response: LightMyRequestResponse): string | undefined {
  const type = String(response.headers['content-type'] ?? '');
  if (!/^application\/problem\+json/.test(type)) return `content type ${type || '(none)'}`;
  const body = jsonOf(response) as Record<string, unknown> | undefined;
  if (!body || typeof body !== 'object') return 'body is not JSON';
  const missing = ['type', 'title', 'detail'].filter((key) => typeof body[key] !== 'string' || (body[key] as string).length === 0);
  if (missing.length) return `no ${missing.join(', ')}`;
  if (body.status !== response.statusCode) return `status ${JSON.stringify(body.status)} in the body`;
  return undefined;
}

interface RowAnswer {
  /** The rows the batch refused as bad, by index in the request's array. */
  refused: number[];
  defect?: string;
}

/**
 * For an answer with a result per row (results by index, or outcomes by action id) to a
 * request whose defect is in one row: which rows were refused, and what is wrong with
 * that (the bad row accepted, a good row refused). Undefined for any other answer.
 */
function rowAnswer(sent: Sent): RowAnswer | undefined {
  const body = jsonOf(sent.response) as { Results?: unknown; Outcomes?: unknown } | undefined;
  const row = sent.variant.row!;
  if (Array.isArray(body?.Results) && body.Results.every((r) => typeof r === 'object' && r !== null && 'Index' in r && 'Status' in r)) {
    const rows = body.Results as Array<{ Index: number; Status: string; Message?: string }>;
    const refused = rows.filter((r) => r.Status === 'INVALID').map((r) => r.Index);
    const bad = rows.find((r) => r.Index === row.index);
    const defects: string[] = [];
    if (bad?.Status !== 'INVALID') defects.push(`the bad row ${row.index} got ${bad ? bad.Status : 'no result'}`);
    const goodRefused = rows.filter((r) => r.Index !== row.index && (r.Status === 'INVALID' || r.Status === 'CONFLICT'));
    if (goodRefused.length) defects.push(`good rows refused: ${goodRefused.map((r) => `${r.Index} ${r.Status} ${r.Message ?? ''}`).join('; ')}`);
    return { refused, ...(defects.length ? { defect: defects.join('; ') } : {}) };
  }
  if (Array.isArray(body?.Outcomes) && body.Outcomes.every((o) => typeof o === 'object' && o !== null && 'ActionId' in o && 'Ok' in o)) {
    const outcomes = body.Outcomes as Array<{ ActionId: string; Ok: boolean; Refusal?: string }>;
    const sentArray = arrayIn(sent.built.payload, row.field) ?? [];
    const badId = String(sentArray[row.index]);
    const refused = sentArray.flatMap((id, index) => (outcomes.find((o) => o.ActionId === String(id))?.Ok === false ? [index] : []));
    const defects: string[] = [];
    if (outcomes.find((o) => o.ActionId === badId)?.Ok) defects.push(`the bad element ${JSON.stringify(badId)} succeeded`);
    const goodInvalid = outcomes.filter((o) => o.ActionId !== badId && o.Refusal === 'invalid');
    if (goodInvalid.length) defects.push(`good elements refused as invalid: ${goodInvalid.map((o) => o.ActionId).join(', ')}`);
    return { refused, ...(defects.length ? { defect: defects.join('; ') } : {}) };
  }
  return undefined;
}

function arrayIn(payload: string | undefined, field: string): unknown[] | undefined {
  if (payload === undefined) return undefined;
  try {
    let value = JSON.parse(payload) as unknown;
    for (const part of field.replace(/^body\.?/, '').split(/\.|\[(\d+)\]/).filter((p) => p !== undefined && p !== '')) {
      value = (value as Record<string, unknown>)[part];
    }
    return Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Variants that break the schema or carry unstorable text or a non-JSON body: refused before any handler runs. */
function predictedEdgeRefusal(variant: Variant): boolean {
  const reason = variant.mustRefuse?.reason;
  return (reason === 'schema' || reason === 'text' || reason === 'content-type') && !variant.row;
}

/**
 * Edge refusals: answers given before any route handler or authentication ran (schema
 * validation, the unstorable-text check, body size and content type, an unknown route),
 * which cannot have touched the database. They are verified in runs, not one by one.
 */
function isEdgeRefusal(response: LightMyRequestResponse): boolean {
  const status = response.statusCode;
  if (status === 413 || status === 415) return true;
  const body = jsonOf(response) as { errors?: unknown; detail?: unknown } | undefined;
  if (status === 400 && Array.isArray(body?.errors)) return true;
  return status === 404 && typeof body?.detail === 'string' && body.detail.startsWith('No route');
}

// ---------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------

interface RunStats {
  operations: number;
  requests: number;
  fingerprints: number;
  dumps: number;
  batchNotes: string[];
  baseNotes: string[];
  /** Milliseconds per operation, all callers; and in all, checking stored data. */
  timeMs: Record<string, number>;
  checkMs: number;
  requestsPerOp: Record<string, number>;
}

async function fuzzEverything(t: TestApp, dbCtx: DbTestContext): Promise<{ failures: Failure[]; stats: RunStats }> {
  const docResponse = await t.app.inject({ method: 'GET', url: '/docs/json' });
  expect(docResponse.statusCode).toBe(200);
  const doc = docResponse.json() as OpenApiDocument;
  const documented = operationsOf(doc);
  expect(documented.length).toBeGreaterThanOrEqual(30);
  const operations = [...documented, ...undocumentedOperations(t, documented)];

  const w = await buildWorld(t);
  const failures: Failure[] = [];
  const stats: RunStats = { operations: operations.length, requests: 0, fingerprints: 0, dumps: 0, batchNotes: [], baseNotes: [], timeMs: {}, checkMs: 0, requestsPerOp: {} };
  const fingerprintSql = await fingerprintQuery(dbCtx.db);
  const fingerprint = async (): Promise<Fingerprint> => {
    stats.fingerprints += 1;
    const started = Date.now();
    const { rows } = await dbCtx.db.query<{ fingerprint: string }>(fingerprintSql);
    stats.checkMs += Date.now() - started;
    return JSON.parse(rows[0]!.fingerprint) as Fingerprint;
  };
  const dump = async () => {
    stats.dumps += 1;
    const started = Date.now();
    const result = normalized(await dumpDb(dbCtx.db));
    stats.checkMs += Date.now() - started;
    return result;
  };
  const fail = (sent: Sent, kind: FailureKind, detail: string) =>
    failures.push({
      kind,
      op: sent.op.key,
      caller: sent.caller,
      variant: sent.variant.name,
      status: sent.response.statusCode,
      request: describeRequest(sent.op, sent.built),
      excerpt: excerpt(detail, 400),
    });

  const buildRequest = (op: FuzzOperation, caller: CallerName, variant: Variant): BuiltRequest => {
    const path: Record<string, string> = {};
    for (const param of op.pathParams) {
      const value = pathValueFor(w, op, param.name, caller);
      // A parameter this test has no world id for (a route added later): any well-formed
      // id still exercises the route; the hostile variants do not depend on it.
      path[param.name] = encodeURIComponent(value ?? '1');
    }
    return variant.build(op, { path, body: baseBodyFor(w, op) });
  };

  const send = async (op: FuzzOperation, caller: CallerName, variant: Variant): Promise<Sent> => {
    const built = buildRequest(op, caller, variant);
    stats.requests += 1;
    stats.requestsPerOp[op.key] = (stats.requestsPerOp[op.key] ?? 0) + 1;
    const response = await w.callers[caller].client.request({
      method: op.method as 'GET',
      url: built.url,
      headers: built.headers,
      ...(built.payload !== undefined ? { payload: built.payload } : {}),
    });
    return { op, caller, variant, built, response };
  };

  const check = (sent: Sent) => {
    const { response, variant, op } = sent;
    const status = response.statusCode;
    if (status >= 500) fail(sent, '5xx', response.body);
    if (status >= 400 && op.path.startsWith('/api/')) {
      const defect = problemDefect(response);
      if (defect) fail(sent, 'not problem JSON', `${defect}: ${response.body}`);
    }
    if (status >= 200 && status < 300) {
      const rows = variant.row ? rowAnswer(sent) : undefined;
      if (rows) {
        if (variant.group === 'batch') stats.batchNotes.push(`${op.key} as ${sent.caller}: ${variant.name} → ${status}, rows refused: [${rows.refused.join(', ')}]`);
        if (variant.mustRefuse && rows.defect) fail(sent, 'batch rows', `${rows.defect}: ${response.body}`);
      } else if (variant.mustRefuse && !(variant.mustRefuse.sessionOnly && !w.callers[sent.caller].session)) {
        fail(sent, 'accepted what must be refused', `(${variant.mustRefuse.reason}) ${shownBody(response)}`);
      }
    }
  };

  /**
   * A refused request changed the tables named: replay it between two full dumps to
   * show the rows (a refusal is repeatable; if the replay changes nothing, say so).
   */
  const reportChange = async (sent: Sent, tables: string[], note = '') => {
    const before = await dump();
    const replayed = await send(sent.op, sent.caller, sent.variant);
    const changes = diffDumps(before, await dump());
    const rows = changes.length
      ? `replayed (${replayed.response.statusCode}), it changed: ${JSON.stringify(changes).slice(0, 500)}`
      : `the replay (${replayed.response.statusCode}) changed nothing: the first request's change was a first-time effect`;
    fail(sent, 'changed stored data after a 4xx', `${note}tables ${tables.join(', ')} changed; ${rows}`);
  };

  const only = process.env.FUZZ_ONLY ? new RegExp(process.env.FUZZ_ONLY) : undefined;
  let baseline = await fingerprint();
  for (const op of operations) {
    if (only && !only.test(op.key)) continue;
    const opStarted = Date.now();
    const variants = [...variantsFor(op, baseBodyFor(w, op)), BASE_VARIANT];
    for (const caller of CALLERS) {
      // Requests since the baseline that were not checked one by one: edge refusals
      // (which run before any handler) and reads. A run of them is checked as a whole.
      let unverified: Sent[] = [];
      const checkRun = async () => {
        if (!unverified.length) return;
        const now = await fingerprint();
        const tables = changedTables(baseline, now);
        if (tables.length) {
          // Something in the run changed data: replay it request by request to find what.
          let found = false;
          for (const earlier of unverified) {
            const before = await fingerprint();
            const replayed = await send(earlier.op, earlier.caller, earlier.variant);
            const changed = changedTables(before, await fingerprint());
            if (changed.length && (replayed.response.statusCode >= 400 || !op.stateChanging)) {
              await reportChange(replayed, changed, replayed.response.statusCode < 400 ? 'a read (GET) changed stored data: ' : '');
              found = true;
            }
          }
          if (!found) {
            fail(unverified[unverified.length - 1]!, 'changed stored data after a 4xx', `one of ${unverified.length} requests of this run changed ${tables.join(', ')} (not reproduced one by one)`);
          }
          baseline = await fingerprint();
        }
        unverified = [];
      };
      for (const variant of variants) {
        // A request that may get past the edge is checked on its own: the run before it first.
        if (op.stateChanging && !predictedEdgeRefusal(variant)) await checkRun();
        const sent = await send(op, caller, variant);
        check(sent);
        if (variant === BASE_VARIANT) stats.baseNotes.push(`${op.key} as ${caller}: ${sent.response.statusCode} ${excerpt(sent.response.body, 160)}`);
        const status = sent.response.statusCode;
        if (!op.stateChanging || isEdgeRefusal(sent.response)) {
          unverified.push(sent);
          continue;
        }
        const after = await fingerprint();
        const tables = changedTables(baseline, after);
        baseline = after;
        // (A request predicted to be refused at the edge that got past it shares its check
        // with the run before it; the replay in reportChange tells them apart.)
        unverified = [];
        if (tables.length && status >= 400) {
          await reportChange(sent, tables);
          baseline = await fingerprint();
        }
        if (status < 300) {
          const repaired = await repairCallers(w);
          if ((await refreshTarget(w, op, caller, sent.response)) || repaired) baseline = await fingerprint();
        }
      }
      await checkRun();
    }
    stats.timeMs[op.key] = Date.now() - opStarted;
  }
  return { failures, stats };
}

/** One line per (kind, operation, variant, status, answer), with every caller that saw it. */
function formatFailures(failures: Failure[]): string {
  const lines: string[] = [];
  const kinds = [...new Set(failures.map((f) => f.kind))];
  for (const kind of kinds) {
    const ofKind = failures.filter((f) => f.kind === kind);
    const merged = new Map<string, { f: Failure; callers: CallerName[] }>();
    for (const f of ofKind) {
      const key = `${f.op}\u0000${f.variant}\u0000${f.status}\u0000${f.excerpt.slice(0, 120)}`;
      const entry = merged.get(key);
      if (entry) entry.callers.push(f.caller);
      else merged.set(key, { f, callers: [f.caller] });
    }
    lines.push(`\n[${kind}] ${merged.size} distinct (${ofKind.length} requests)`);
    let currentOp = '';
    for (const { f, callers } of merged.values()) {
      if (f.op !== currentOp) {
        lines.push(`  ${f.op}`);
        currentOp = f.op;
      }
      lines.push(`    ${f.variant} → ${f.status} as ${callers.join(', ')}: ${excerpt(f.excerpt, 200)}`);
      lines.push(`      e.g. ${f.request}`);
    }
  }
  return lines.join('\n');
}

describeDb('api fuzz, every operation of /docs/json', (db) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp(db());
  });
  afterEach(async () => t.close());

  it('/docs/json lists every /api route the app registers, except those hidden by design', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/docs/json' })).json() as OpenApiDocument;
    const hidden = undocumentedOperations(t, operationsOf(doc)).map(documentedKey);
    // A route hidden from the document gets only the schema-free variants: say here why it is hidden.
    expect(hidden.filter((key) => !(key in HIDDEN_BY_DESIGN))).toEqual([]);
  });

  it(
    'no operation answers a malformed request with a 5xx, a non-problem error, a change after a refusal, or an acceptance of what must be refused',
    async () => {
      const started = Date.now();
      const { failures, stats } = await fuzzEverything(t, db());
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      console.log(
        `[fuzz ${db().kind}] ${stats.operations} operations, ${stats.requests} requests, ${stats.fingerprints} fingerprints and ${stats.dumps} dumps (${(stats.checkMs / 1000).toFixed(1)} s), ${failures.length} failing requests, ${seconds} s`,
      );
      if (process.env.FUZZ_VERBOSE) console.log(['base requests:', ...stats.baseNotes, 'batches:', ...stats.batchNotes].join('\n'));
      if (process.env.FUZZ_REPORT) {
        writeFileSync(`${process.env.FUZZ_REPORT}-${db().kind}.json`, JSON.stringify({ stats, failures }, null, 1));
      }
      expect(failures.length, formatFailures(failures)).toBe(0);
    },
    12 * 60_000,
  );
});
