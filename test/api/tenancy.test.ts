/**
 * Tenancy, route by route. Every route under /api is in ROUTES below, and the first test
 * fails when the app has a route the table does not cover (or the table names a route
 * that no longer exists): a new route must say here who may call it.
 *
 * For each route, the request aimed at brand A's (or partner P's) resource is sent by
 * everyone who must not succeed: nobody, forged credentials, brand B pretending to act
 * for A, an operator, a partner on a brand operation, a brand on a partner operation, and
 * brand B / partner Q aiming at A's or P's resource. Each must get 401, 403 or 404 as a
 * problem, and the database must be exactly as before. Then the owner sends the same
 * request and must succeed, which proves the refusals were about who asked, not about a
 * malformed request.
 */
import type { LightMyRequestResponse } from 'fastify';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { ManualClock } from '../../src/core/clock.js';
import { hashPassword } from '../../src/core/crypto.js';
import { issueApiToken } from '../../src/modules/accounts/api-tokens.js';
import { inviteUser } from '../../src/modules/accounts/members.js';
import { applyActionOperation } from '../../src/modules/actions/apply-action-operation.js';
import { correctLockedAction } from '../../src/modules/billing/correct-action.js';
import { openTicket } from '../../src/modules/tickets/open-ticket.js';
import { creditClicks } from '../../src/modules/tracking/credit-clicks.js';
import { acceptTerms } from '../../src/modules/contracts/accept-terms.js';
import { createTemplateTerms } from '../../src/modules/programs/template-terms.js';
import { updateProgram } from '../../src/modules/programs/update-program.js';
import { createLink } from '../../src/modules/tracking/create-link.js';
import { makeClick, makeSaleAction } from '../support/actions.js';
import {
  apiRoutesOf,
  diffDumps,
  dumpDb,
  makeUser,
  normalizeRoutePath,
  quickAccount,
  quickUser,
  sessionClient,
  simpleTerms,
  simpleTermsBody,
  type DbDump,
} from '../support/api-helpers.js';
import { basicClient, Client, startTestApp, TEST_ADMIN_SECRET, TEST_PASSWORD, type TestAccount, type TestApp } from '../support/app.js';
import { describeDb, type DbTestContext } from '../support/db.js';
import { pdfText, readWorkbook } from '../support/files.js';
import { makeProgram, type TestProgram } from '../support/programs.js';
import { postTransfers } from '../../src/modules/ledger/post-transfers.js';
import { saveWithdrawalSettingsInTx } from '../../src/modules/payouts/withdrawal-settings.js';
import { returnsTemplate } from '../../src/modules/returns/parse/templates.js';
import { submitReturnsBatch } from '../../src/flows/apply-returns-batch.js';
import { savePullCredentials } from '../../src/channels/pull/credentials.js';
import { savePollCredentials } from '../../src/channels/salesforce/credentials.js';
import { setReturnsProcessing } from '../../src/modules/programs/set-returns-processing.js';
import { Worker } from '../../src/worker/worker.js';
import { createEndpoint } from '../../src/modules/webhooks/endpoints.js';
import { sendTestEvent } from '../../src/modules/webhooks/deliveries.js';
import { requestReportExport } from '../../src/http/routes/reports.js';
import { runDueSchedules } from '../../src/http/reports/schedule-runs.js';
import { createSchedule } from '../../src/modules/reports/schedules.js';
import type { AccountActor } from '../../src/modules/accounts/actor.js';
import ssh2 from 'ssh2';
import { addSftpKey, issueSftpPassword } from '../../src/modules/sftp-access/sftp-credentials.js';

/** What an answer shows a person: a workbook's cells and a PDF's text, not their compressed bytes. */
async function readableText(response: LightMyRequestResponse): Promise<string> {
  const type = String(response.headers['content-type'] ?? '');
  if (response.statusCode >= 400) return response.body;
  if (type.startsWith('application/pdf')) return pdfText(response.rawPayload).texts.join('\n');
  if (type.startsWith('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')) {
    const { workbook, sheet } = await readWorkbook(response.rawPayload);
    return workbook.worksheets.flatMap((each) => sheet(each.name).rows.flat()).map((value) => (value instanceof Date ? value.toISOString() : String(value))).join('\n');
  }
  return response.body;
}

// ---------------------------------------------------------------------------
// The world every route is tried in
// ---------------------------------------------------------------------------

type Caller =
  | 'anonymous'
  | 'forgedBasic'
  | 'otherAccountHeader'
  | 'operator'
  | 'brandA'
  | 'brandAToken'
  | 'brandAUser'
  | 'brandB'
  | 'partnerP'
  | 'partnerQ'
  | 'adminSecret'
  | 'wrongAdminSecret';

const CALLER_DESCRIPTIONS: Record<Caller, string> = {
  anonymous: 'no credentials',
  forgedBasic: "A's Auth Token with B's Account SID",
  otherAccountHeader: "brand B's admin naming account A in Lockstep-Account",
  operator: 'an operator',
  brandA: "brand A's admin",
  brandAToken: "brand A's Auth Token",
  brandAUser: 'a non-admin user of brand A',
  brandB: "brand B's admin",
  partnerP: "partner P's admin",
  partnerQ: "partner Q's admin",
  adminSecret: "the server's admin secret (the lockstep command line)",
  wrongAdminSecret: 'a made-up admin secret',
};

interface World {
  t: TestApp;
  A: TestAccount;
  B: TestAccount;
  P: TestAccount;
  Q: TestAccount;
  operatorUserId: number;
  userA2: { userId: number; email: string };
  programA: TestProgram;
  termsA2: number;
  programB: TestProgram;
  /** B's program, made INACTIVE: no partner may see it. */
  programC: TestProgram;
  contractP: number;
  contractQA: number;
  linkP: { id: number; code: string };
  actionA: bigint;
  invitation: { id: number; token: string; email: string };
  tokenA: { id: number; authToken: string };
  clients: Record<Caller, Client>;
  /** Strings only A and P's own users may ever see. */
  markersA: string[];
  markersP: string[];
  /** Set by a route's setup. */
  extra: Record<string, unknown>;
}

async function buildWorld(t: TestApp): Promise<World> {
  const { ctx } = t;
  const A = await quickAccount(ctx, 'BRAND');
  const B = await quickAccount(ctx, 'BRAND');
  const P = await quickAccount(ctx, 'PARTNER');
  const Q = await quickAccount(ctx, 'PARTNER');
  const operator = await quickUser(ctx, { operator: true });
  const userA2 = await quickUser(ctx, { accountId: A.id, role: 'USER' });

  const programA = await makeProgram(ctx, A);
  const termsA2 = (
    await createTemplateTerms(ctx, A.actor, programA.id, { name: 'Second terms', terms: simpleTerms(programA.saleEventTypeId) })
  ).id;
  const programB = await makeProgram(ctx, B);
  const programC = await makeProgram(ctx, B);
  await updateProgram(ctx, B.actor, programC.id, { status: 'INACTIVE' });

  const contractP = (await acceptTerms(ctx, P.actor, programA.termsId)).id;
  const contractQA = (await acceptTerms(ctx, Q.actor, programA.termsId)).id;
  await acceptTerms(ctx, Q.actor, programB.termsId);
  // Actions are tracked an hour after the contracts start.
  (ctx.clock as ManualClock).advanceMs(3_600_000);

  const link = await createLink(ctx, P.actor, { programId: programA.id, landingUrl: 'https://shop.example/partner-p' });
  const actionA = await makeSaleAction(ctx, A, P, programA, {
    items: [
      { Sku: 'TENT-1', Category: 'Tents', Quantity: 1, Amount: '50.00' },
      { Sku: 'SOCK-2', Category: 'Socks', Quantity: 2, Amount: '10.00' },
    ],
  });
  const invitationEmail = `invitee-${Math.random().toString(36).slice(2, 8)}@example.test`;
  const invited = await inviteUser(ctx, A.actor, { email: invitationEmail, role: 'USER' });
  const tokenA = await issueApiToken(ctx, A.actor, { label: 'A integration' });

  const sessionB = await sessionClient(t, B.adminUserId);
  const clients: Record<Caller, Client> = {
    anonymous: new Client(t.app),
    forgedBasic: basicClient(t.app, B.sid, tokenA.authToken),
    otherAccountHeader: sessionB.withAccount(A.id),
    operator: await sessionClient(t, operator.userId),
    brandA: await sessionClient(t, A.adminUserId),
    brandAToken: basicClient(t.app, tokenA.accountSid, tokenA.authToken),
    brandAUser: await sessionClient(t, userA2.userId),
    brandB: sessionB,
    partnerP: await sessionClient(t, P.adminUserId),
    partnerQ: await sessionClient(t, Q.adminUserId),
    adminSecret: new Client(t.app, { authorization: `Bearer ${TEST_ADMIN_SECRET}` }),
    wrongAdminSecret: new Client(t.app, { authorization: `Bearer ${TEST_ADMIN_SECRET.slice(1)}x` }),
  };
  const { rows } = await ctx.db.query<{ name: string }>('select name from accounts where id = any($1::int[]) order by id', [[A.id, P.id]]);
  const programName = (await ctx.db.query<{ name: string }>('select name from programs where id = $1', [programA.id])).rows[0]!.name;
  return {
    t,
    A,
    B,
    P,
    Q,
    operatorUserId: operator.userId,
    userA2,
    programA,
    termsA2,
    programB,
    programC,
    contractP,
    contractQA,
    linkP: { id: link.id, code: link.code },
    actionA,
    invitation: { id: invited.invitationId!, token: invited.acceptToken!, email: invitationEmail },
    tokenA: { id: tokenA.id, authToken: tokenA.authToken },
    clients,
    markersA: [A.sid, rows[0]!.name, A.adminEmail, programName, invitationEmail, userA2.email],
    markersP: [P.sid, rows[1]!.name, P.adminEmail, link.code],
    extra: {},
  };
}

// ---------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------

type Audience = 'public' | 'user' | 'account' | 'brand' | 'partner' | 'operator' | 'admin';

interface Req {
  url: string;
  payload?: unknown;
  headers?: Record<string, string>;
}

/** A status (or one of several), or a check of the response for the routes that answer per item. */
type Expectation = number | number[] | ((response: LightMyRequestResponse, w: World) => void);

interface ExtraCall {
  caller: Caller;
  why: string;
  request: (w: World) => Req;
  expect: Expectation;
}

interface RouteRow {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  audience: Audience;
  /** The request aimed at A's / P's resource, sent by every caller. */
  request: (w: World) => Req;
  /** Who owns the resource, and what they get for the same request. */
  owner: { caller: Caller; status: number };
  /**
   * Tenancy across accounts: either the route acts on the caller's own account only
   * ("self": B and Q get their own data, and nothing of A's or P's), or the answers
   * brand B and partner Q get when they aim at A's / P's resource.
   */
  crossTenant: 'self' | Partial<Record<'brandB' | 'partnerQ', Expectation>>;
  /** Route-specific refusals, on top of the defaults of the audience. */
  denied?: Partial<Record<Caller, Expectation>>;
  /** Callers the defaults would refuse but who may legitimately call this route. */
  allowed?: Caller[];
  extra?: ExtraCall[];
  setup?: (w: World) => Promise<void>;
  /**
   * For "self" GET routes whose answers carry none of the marker strings: what B's and
   * Q's answers must be instead (the body parsed when it is JSON, its text otherwise). Without it, the owner's answer must show a marker, so
   * that the leak check above it can fail at all.
   */
  selfCheck?: (body: unknown, w: World) => void;
}

// The admin secret opens the admin routes only: on any other route it is no credential (401).
const DEFAULT_DENIALS: Record<Audience, Partial<Record<Caller, Expectation>>> = {
  public: {},
  user: { anonymous: 401, brandAToken: 403, adminSecret: 401 },
  account: { anonymous: 401, forgedBasic: 401, otherAccountHeader: 403, operator: 403, adminSecret: 401 },
  brand: { anonymous: 401, forgedBasic: 401, otherAccountHeader: 403, operator: 403, partnerP: 403, adminSecret: 401 },
  partner: { anonymous: 401, forgedBasic: 401, otherAccountHeader: 403, operator: 403, brandA: 403, adminSecret: 401 },
  operator: { anonymous: 401, forgedBasic: 401, brandA: 403, brandAToken: 403, partnerP: 403, adminSecret: 401 },
  // What the lockstep command line does through a running server: its secret only, no user credential.
  admin: {
    anonymous: 401,
    wrongAdminSecret: 401,
    forgedBasic: 403,
    brandAToken: 403,
    otherAccountHeader: 403,
    operator: 403,
    brandA: 403,
    brandAUser: 403,
    brandB: 403,
    partnerP: 403,
    partnerQ: 403,
  },
};

const ADMIN_ONLY = { brandAUser: 403 } as const;

const newAccountBody = () => ({
  Kind: 'PARTNER',
  Name: 'Opened by someone',
  TimeZone: 'UTC',
  Currency: 'USD',
  Admin: { Email: `opened-${Math.random().toString(36).slice(2, 8)}@example.test`, Name: 'Opened' },
});

const conversionBody = (w: World, eventTypeId = w.programA.saleEventTypeId) => ({
  ActionTrackerId: eventTypeId,
  OrderId: 'TENANCY-1',
  EventDate: w.t.ctx.clock.now().toISOString(),
  Amount: '10.00',
});

/** A per-item answer (bulk, batch) must refuse every item and change nothing. */
const refusesEveryAction = (response: LightMyRequestResponse) => {
  expect(response.statusCode).toBe(200);
  const body = response.json();
  expect(body.Succeeded).toBe(0);
  expect(body.Outcomes.map((o: { Refusal: string }) => o.Refusal)).toEqual(['not_found']);
};

const refusedOrForbiddenPerAction = (response: LightMyRequestResponse) => {
  if (response.statusCode === 403) return;
  expect(response.statusCode).toBe(200);
  const body = response.json();
  expect(body.Succeeded).toBe(0);
  expect(body.Outcomes.map((o: { Refusal: string }) => o.Refusal)).toEqual(['forbidden']);
};

const refusesEveryConversion = (response: LightMyRequestResponse) => {
  if (response.statusCode !== 200) {
    expect([400, 403, 404]).toContain(response.statusCode);
    return;
  }
  const body = response.json();
  expect(body.Accepted + body.Rejected + body.Duplicates).toBe(0);
};

async function invitePartnerPToA(w: World): Promise<void> {
  w.extra.invitationOfP = (await inviteUser(w.t.ctx, w.A.actor, { email: w.P.adminEmail, role: 'USER' })).invitationId;
}

/** A statement of brand A's program billing action A (as the statement job writes one), in w.extra.statementA. */
async function statementOfA(w: World): Promise<void> {
  const { rows } = await w.t.ctx.db.query<{ id: number }>(
    `insert into statements (number, brand_account_id, program_id, currency, period_start, period_end, due_at, due_on, issued_at, line_count, total_minor)
     values ('ST-202512-TENANCY', $1, $2, 'USD', '2025-12-01', '2025-12-31', '2026-02-20T00:00:00Z', '2026-02-20', now(), 1, 1000)
     returning id`,
    [w.A.id, w.programA.id],
  );
  w.extra.statementA = rows[0]!.id;
  await w.t.ctx.db.query(
    `insert into statement_lines (action_id, statement_id, partner_account_id, event_type_id, amount_minor, payout_minor, locked_at)
     select id, $2, partner_account_id, event_type_id, amount_minor, 1000, now() from actions where id = $1`,
    [w.actionA.toString(), w.extra.statementA],
  );
}

/** Brand A approves action A: it locks now, so an operator may correct it. */
async function lockActionA(w: World): Promise<void> {
  const [outcome] = await applyActionOperation(w.t.ctx, w.A.actor, [w.actionA], { op: 'APPROVE' });
  expect(outcome?.ok).toBe(true);
}

/** Action A locked and corrected by an operator (+2.00). */
async function correctionOfA(w: World): Promise<void> {
  await lockActionA(w);
  await correctLockedAction(w.t.ctx, { type: 'operator', userId: w.operatorUserId }, w.actionA, { amount: '2.00', reason: 'ADV_ACT_DISPUTE' });
}

/** Partner P's admin opens a ticket about P, with an attachment; its subject carries P's name (a marker). */
async function closureTicketOfP(w: World): Promise<void> {
  const ticket = await openTicket(w.t.ctx, w.P.actor, { type: 'ACCOUNT_CLOSURE', subject: 'Close my account', message: 'Please close it.', request: { deleteMemberAccount: true } });
  w.extra.closureTicketP = ticket.id.toString();
}

/** A webhook endpoint of brand A (w.extra.endpointA) with a test event's delivery (w.extra.deliveryA) and an event of A's (w.extra.eventA). */
async function webhookEndpointOfA(w: World): Promise<void> {
  const { endpoint } = await createEndpoint(w.t.ctx, w.A.actor, { url: 'http://127.0.0.1:9/hooks', description: 'A hooks', eventTypes: ['action.approved'] });
  w.extra.endpointA = endpoint.id.toString();
  w.extra.deliveryA = (await sendTestEvent(w.t.ctx, w.A.actor, endpoint.id)).id.toString();
  const { rows } = await w.t.ctx.db.query<{ id: string }>(`select id::text from outbox_events where $1 = any(account_ids) and type = 'action.created' limit 1`, [w.A.id]);
  w.extra.eventA = rows[0]!.id;
}

async function ticketOfP(w: World): Promise<void> {
  const { rows } = await w.t.ctx.db.query<{ name: string }>('select name from accounts where id = $1', [w.P.id]);
  const ticket = await openTicket(w.t.ctx, w.P.actor, {
    type: 'GENERAL',
    subject: `Question from ${rows[0]!.name}`,
    message: 'Where is my payment?',
    attachments: [{ fileName: 'receipt.txt', contentType: 'text/plain', bytes: Buffer.from(`receipt of ${rows[0]!.name}`) }],
  });
  w.extra.ticketP = ticket.id.toString();
  const { rows: files } = await w.t.ctx.db.query<{ id: string }>(
    'select f.id::text from ticket_attachments f join ticket_messages m on m.id = f.message_id where m.ticket_id = $1',
    [ticket.id.toString()],
  );
  w.extra.attachmentP = files[0]!.id;
}

/** A movement of P's available balance (as a statement's clearing posts one), its reference one of P's markers. */
async function movementOfP(w: World): Promise<void> {
  const reference = `tenancy-movement-${w.P.id}`;
  await w.t.ctx.db.transaction((tx) =>
    postTransfers(tx, [
      {
        debit: { code: 'PARTNER_PAYMENT_PENDING', ownerAccountId: w.P.id },
        credit: { code: 'PARTNER_AVAILABLE', ownerAccountId: w.P.id },
        amountMinor: 1000n,
        currency: 'USD',
        kind: 'STATEMENT_CLEARED',
        reference,
        at: w.t.ctx.clock.now(),
      },
    ]),
  );
  w.markersP.push(reference);
}

const statementPayment = () => ({ Amount: '4.00', ReceivedDate: '2026-01-20', Reference: 'TENANCY-PAYMENT' });

/** Withdrawal settings for P and Q (a US bank account), as their admins save them. */
async function settingsOfPQ(w: World): Promise<void> {
  for (const partner of [w.P, w.Q]) {
    await w.t.ctx.db.transaction((tx) =>
      saveWithdrawalSettingsInTx(
        tx,
        partner.actor,
        {
          destination: { PaymentMethod: 'BANK_TRANSFER', BankCountry: 'US', BeneficiaryAccountName: 'Jane Doe', BankAccountNumber: '000123456789', RoutingCode: '021000021' },
          schedule: 'BALANCE_THRESHOLD',
          threshold: '10.00',
        },
        w.t.ctx.clock.now(),
      ),
    );
  }
}

/**
 * A paystub of P (paying action A) in a READY run of its own with its bank file, as a run
 * writes them: w.extra.runP, paystubP, fileP. `sent`: the run was sent, and the paystub's
 * postings are in the ledger (a failure corrects them).
 */
async function paystubOfP(w: World, options: { sent?: boolean } = {}): Promise<void> {
  await settingsOfPQ(w);
  const { db } = w.t.ctx;
  const { rows: runs } = await db.query<{ id: number }>(
    `insert into payout_runs (kind, status, run_on, execution_date, started_at) values ('MANUAL', $1, '2026-01-15', '2026-01-15', now()) returning id`,
    [options.sent ? 'SENT' : 'READY'],
  );
  const runId = runs[0]!.id;
  const { rows: files } = await db.query<{ id: number }>(
    `insert into payout_files (run_id, format, currency, part, file_name, media_type, payments, total_minor, bytes, sha256, created_at)
     values ($1, 'PAIN_001_001_03', 'USD', 1, 'lockstep-run-tenancy.xml', 'application/xml', 1, 700, 6, 'x', now()) returning id`,
    [runId],
  );
  await db.query(`insert into payout_file_chunks (file_id, seq, content) values ($1, 1, '<x/>\n')`, [files[0]!.id]);
  const { rows: stubs } = await db.query<{ id: string }>(
    `insert into paystubs (run_id, partner_account_id, currency, kind, method, payment_method, file_format, destination_secret, destination_masked,
        gross_minor, fee_minor, net_minor, action_count, status, created_at, file_id, sent_at)
     select $1, partner_account_id, 'USD', 'MANUAL', 'EFT', 'BANK_TRANSFER', 'PAIN_001_001_03', destination_secret, destination_masked,
            700, 0, 700, 1, $3, now(), $4, case when $3 = 'SENT' then now() end
       from withdrawal_settings where partner_account_id = $2
     returning id::text`,
    [runId, w.P.id, options.sent ? 'SENT' : 'PROCESSING', files[0]!.id],
  );
  const paystubId = stubs[0]!.id;
  await db.query('update actions set paystub_id = $2 where id = $1', [w.actionA.toString(), paystubId]);
  if (options.sent) {
    await db.transaction((tx) =>
      postTransfers(tx, [
        {
          debit: { code: 'PARTNER_AVAILABLE', ownerAccountId: w.P.id },
          credit: { code: 'PARTNER_PAID', ownerAccountId: w.P.id },
          amountMinor: 700n,
          currency: 'USD',
          kind: 'PAYSTUB',
          reference: `paystub:${paystubId}`,
          at: w.t.ctx.clock.now(),
        },
      ]),
    );
  }
  Object.assign(w.extra, { runP: runId, paystubP: paystubId, fileP: files[0]!.id });
}

/** P's action A locked, cleared and available to withdraw, with P's settings saved (their 48-hour hold over). */
async function availableOfP(w: World): Promise<void> {
  await settingsOfPQ(w);
  const { db } = w.t.ctx;
  await db.query('update withdrawal_settings set hold_until = null where partner_account_id = $1', [w.P.id]);
  const { rows } = await db.query<{ payout: bigint }>(
    `update actions set state = 'APPROVED', locked_at = now(), cleared_at = now() where id = $1 returning payout_minor as payout`,
    [w.actionA.toString()],
  );
  await db.transaction((tx) =>
    postTransfers(tx, [
      {
        debit: { code: 'PARTNER_PAYMENT_PENDING', ownerAccountId: w.P.id },
        credit: { code: 'PARTNER_AVAILABLE', ownerAccountId: w.P.id },
        amountMinor: rows[0]!.payout,
        currency: 'USD',
        kind: 'STATEMENT_CLEARED',
        at: w.t.ctx.clock.now(),
      },
    ]),
  );
}

const OPERATOR_ONLY = { brandB: 403, partnerQ: 403, brandAUser: 403, otherAccountHeader: 403 } as const;

/** A returns batch of brand A's, applied (its result is ready), in w.extra.batchA. */
async function returnsBatchOfA(w: World): Promise<void> {
  const received = await submitReturnsBatch(w.t.ctx, w.A.actor, w.programA.saleEventTypeId, {
    fileName: 'tenancy-returns.csv',
    contentType: 'text/csv',
    channel: 'API',
    content: Buffer.from(`ActionId,Amount,Reason\n${w.actionA},55.00,ORDER_UPDATE\n`),
  });
  if (received.ignored) throw new Error('the batch was ignored');
  await new Worker(w.t.ctx, { kinds: ['returns-batch'] }).drain();
  w.extra.batchA = received.batch.id.toString();
}

/** Brand A's sale event type pulls from 127.0.0.1:1 (nothing listens: Test connection answers at once), with a saved password. */
async function pullOfA(w: World): Promise<void> {
  const eventTypeId = w.programA.saleEventTypeId;
  await setReturnsProcessing(w.t.ctx, w.A.actor, eventTypeId, {
    method: 'SFTP_PULL',
    pull: { protocol: 'SFTP', host: '127.0.0.1', port: 1, username: 'tenancy', folder: '/in', filePattern: '*.csv' },
  });
  await savePullCredentials(w.t.ctx, w.A.actor, eventTypeId, { password: 'tenancy-password' });
}

/** Brand A's sale event type takes its returns from Salesforce (an Opportunity mapping), with saved poll credentials. */
async function salesforceOfA(w: World): Promise<void> {
  const eventTypeId = w.programA.saleEventTypeId;
  await setReturnsProcessing(w.t.ctx, w.A.actor, eventTypeId, {
    method: 'SALESFORCE',
    salesforce: {
      instanceUrl: 'https://tenancy.my.salesforce.com',
      objectName: 'Opportunity',
      matchField: 'Lockstep_Action_Id__c',
      matchBy: 'ACTION_ID',
      statusField: 'StageName',
      statuses: [{ value: 'Closed Lost', change: 'REVERSE', reason: 'ORDER_ERROR', amountField: null }],
    },
  });
  await savePollCredentials(w.t.ctx, w.A.actor, eventTypeId, { clientId: 'tenancy-client', clientSecret: 'tenancy-secret', refreshToken: 'tenancy-token' });
}

const batchOfA = (w: World) => (w.extra.batchA as string | undefined) ?? '1';

const RETURNS_BATCH_ROUTES: RouteRow[] = [
  {
    method: 'POST',
    path: '/api/v1/event-types/:eventTypeId/returns-batches',
    audience: 'brand',
    request: (w) => ({
      url: `/api/v1/event-types/${w.programA.saleEventTypeId}/returns-batches?fileName=tenancy.csv`,
      payload: `ActionId,Amount,Reason\n${w.actionA},45.00,ORDER_UPDATE\n`,
      headers: { 'content-type': 'text/csv' },
    }),
    owner: { caller: 'brandA', status: 202 },
    crossTenant: { brandB: 404, partnerQ: 403 },
  },
  {
    method: 'GET',
    path: '/api/v1/returns-batches',
    audience: 'brand',
    setup: returnsBatchOfA,
    request: () => ({ url: '/api/v1/returns-batches' }),
    owner: { caller: 'brandA', status: 200 },
    crossTenant: 'self',
  },
  ...['', '/rows', '/summary.json', '/result.csv', '/original'].map(
    (suffix): RouteRow => ({
      method: 'GET',
      path: `/api/v1/returns-batches/:batchId${suffix}`,
      audience: 'brand',
      setup: returnsBatchOfA,
      request: (w) => ({ url: `/api/v1/returns-batches/${batchOfA(w)}${suffix}` }),
      owner: { caller: 'brandA', status: 200 },
      crossTenant: { brandB: 404, partnerQ: 403 },
    }),
  ),
];

/** An export of A's Pending Payouts Actions, queued (or also written, when `write`). */
const exportOfA = (write: boolean) => async (w: World) => {
  const { export: job } = await requestReportExport(w.t.ctx, w.A.actor, 'pending-payouts-actions', { Format: 'csv', Filters: {} });
  w.extra.exportA = job.id.toString();
  if (write) await new Worker(w.t.ctx, { kinds: ['report-export'] }).drain();
};
const exportOfAId = (w: World) => (w.extra.exportA as string | undefined) ?? '1';

/** SFTP logins of A and B (a password and an ed25519 key each), A's key id in w.extra.sftpKeyA. */
async function sftpOfAAndB(w: World): Promise<void> {
  for (const account of [w.A, w.B]) {
    await issueSftpPassword(w.t.ctx, account.actor);
    const key = await addSftpKey(w.t.ctx, account.actor, { publicKey: ssh2.utils.generateKeyPairSync('ed25519').public });
    if (account === w.A) w.extra.sftpKeyA = key.id;
  }
}

const SFTP_ROUTES: RouteRow[] = [
  {
    method: 'GET',
    path: '/api/v1/sftp-access',
    audience: 'brand',
    setup: async (w) => {
      await issueSftpPassword(w.t.ctx, w.A.actor);
    },
    request: () => ({ url: '/api/v1/sftp-access' }),
    owner: { caller: 'brandA', status: 200 },
    crossTenant: 'self',
    denied: ADMIN_ONLY,
    // B was never given a login: it sees none (and not A's).
    selfCheck: (body) => expect(body).toMatchObject({ Username: null, PasswordSet: false, Keys: [] }),
  },
  {
    method: 'POST',
    path: '/api/v1/sftp-access/password',
    audience: 'brand',
    request: () => ({ url: '/api/v1/sftp-access/password' }),
    owner: { caller: 'brandA', status: 201 },
    crossTenant: 'self',
    denied: ADMIN_ONLY,
  },
  {
    method: 'DELETE',
    path: '/api/v1/sftp-access/password',
    audience: 'brand',
    setup: sftpOfAAndB,
    request: () => ({ url: '/api/v1/sftp-access/password' }),
    owner: { caller: 'brandA', status: 204 },
    crossTenant: 'self',
    denied: ADMIN_ONLY,
  },
  {
    method: 'POST',
    path: '/api/v1/sftp-access/keys',
    audience: 'brand',
    request: () => ({ url: '/api/v1/sftp-access/keys', payload: { PublicKey: ssh2.utils.generateKeyPairSync('ed25519').public } }),
    owner: { caller: 'brandA', status: 201 },
    crossTenant: 'self',
    denied: ADMIN_ONLY,
  },
  {
    method: 'DELETE',
    path: '/api/v1/sftp-access/keys/:keyId',
    audience: 'brand',
    setup: sftpOfAAndB,
    request: (w) => ({ url: `/api/v1/sftp-access/keys/${(w.extra.sftpKeyA as number | undefined) ?? 1}` }),
    owner: { caller: 'brandA', status: 204 },
    crossTenant: { brandB: 404, partnerQ: 403 },
    denied: ADMIN_ONLY,
  },
  {
    method: 'GET',
    path: '/api/v1/event-types/:eventTypeId/sftp-files',
    audience: 'brand',
    request: (w) => ({ url: `/api/v1/event-types/${w.programA.saleEventTypeId}/sftp-files` }),
    owner: { caller: 'brandA', status: 200 },
    crossTenant: { brandB: 404, partnerQ: 403 },
  },
];

/** A daily schedule of A's admin, with one run written (its file kept), when `run`. */
const scheduleOfA = (run: boolean) => async (w: World) => {
  const now = w.t.ctx.clock.now();
  const schedule = await createSchedule(
    w.t.ctx.db,
    w.A.actor as AccountActor,
    { name: 'Daily', report: 'pending-payouts-actions', format: 'csv', filters: {}, dateRange: 'NONE', frequency: 'DAILY', dayOfWeek: null, dayOfMonth: null, timeOfDay: '08:00', timeZone: 'UTC', delivery: 'EMAIL' },
    now,
  );
  w.extra.scheduleA = schedule.id.toString();
  if (!run) return;
  await w.t.ctx.db.query('update report_schedules set next_run_at = $2 where id = $1', [schedule.id.toString(), now]);
  await runDueSchedules(w.t.ctx);
  await new Worker(w.t.ctx, { kinds: ['report-export'] }).drain();
  const { rows } = await w.t.ctx.db.query<{ id: string }>('select id::text as id from report_schedule_runs where schedule_id = $1', [schedule.id.toString()]);
  w.extra.scheduleRunA = rows[0]!.id;
};
const scheduleOfAId = (w: World) => (w.extra.scheduleA as string | undefined) ?? '1';
const scheduleBodyFor = () => ({ Name: 'Weekly', Report: 'pending-payouts-actions', Format: 'csv', Frequency: 'WEEKLY', DayOfWeek: 'MONDAY', TimeOfDay: '08:00', TimeZone: 'UTC' });

const SCHEDULE_ROUTES: RouteRow[] = [
  {
    method: 'POST',
    path: '/api/v1/report-schedules',
    audience: 'account',
    request: () => ({ url: '/api/v1/report-schedules', payload: scheduleBodyFor() }),
    owner: { caller: 'brandA', status: 201 },
    crossTenant: 'self',
    selfCheck: (body) => expect(body).toMatchObject({ Status: 'ACTIVE', Report: 'pending-payouts-actions' }),
  },
  {
    method: 'GET',
    path: '/api/v1/report-schedules',
    audience: 'account',
    setup: scheduleOfA(false),
    request: () => ({ url: '/api/v1/report-schedules' }),
    owner: { caller: 'brandA', status: 200 },
    crossTenant: 'self',
    selfCheck: (body) => expect(body).toMatchObject({ Items: [], Total: 0 }),
  },
  {
    method: 'GET',
    path: '/api/v1/report-schedules/:id',
    audience: 'account',
    setup: scheduleOfA(false),
    request: (w) => ({ url: `/api/v1/report-schedules/${scheduleOfAId(w)}` }),
    owner: { caller: 'brandA', status: 200 },
    crossTenant: { brandB: 404, partnerQ: 404 },
  },
  {
    method: 'GET',
    path: '/api/v1/report-schedules/:id/runs',
    audience: 'account',
    setup: scheduleOfA(true),
    request: (w) => ({ url: `/api/v1/report-schedules/${scheduleOfAId(w)}/runs` }),
    owner: { caller: 'brandA', status: 200 },
    crossTenant: { brandB: 404, partnerQ: 404 },
  },
  {
    method: 'GET',
    path: '/api/v1/report-schedules/:id/runs/:runId/download',
    audience: 'account',
    setup: scheduleOfA(true),
    request: (w) => ({ url: `/api/v1/report-schedules/${scheduleOfAId(w)}/runs/${(w.extra.scheduleRunA as string | undefined) ?? '1'}/download` }),
    owner: { caller: 'brandA', status: 200 },
    crossTenant: { brandB: 404, partnerQ: 404 },
  },
  {
    method: 'PUT',
    path: '/api/v1/report-schedules/:id',
    audience: 'account',
    setup: scheduleOfA(false),
    request: (w) => ({ url: `/api/v1/report-schedules/${scheduleOfAId(w)}`, payload: scheduleBodyFor() }),
    owner: { caller: 'brandA', status: 200 },
    crossTenant: { brandB: 404, partnerQ: 404 },
    denied: { brandAUser: 403 },
  },
  ...(['pause', 'resume'] as const).map(
    (action): RouteRow => ({
      method: 'POST',
      path: `/api/v1/report-schedules/:id/${action}`,
      audience: 'account',
      setup: scheduleOfA(false),
      request: (w) => ({ url: `/api/v1/report-schedules/${scheduleOfAId(w)}/${action}` }),
      owner: { caller: 'brandA', status: 200 },
      crossTenant: { brandB: 404, partnerQ: 404 },
      denied: { brandAUser: 403 },
    }),
  ),
  {
    method: 'DELETE',
    path: '/api/v1/report-schedules/:id',
    audience: 'account',
    setup: scheduleOfA(false),
    request: (w) => ({ url: `/api/v1/report-schedules/${scheduleOfAId(w)}` }),
    owner: { caller: 'brandA', status: 204 },
    crossTenant: { brandB: 404, partnerQ: 404 },
    denied: { brandAUser: 403 },
  },
];

const REPORT_ROUTES: RouteRow[] = [
  {
    method: 'GET',
    path: '/api/v1/report-exports',
    audience: 'account',
    setup: exportOfA(false),
    request: () => ({ url: '/api/v1/report-exports' }),
    owner: { caller: 'brandA', status: 200 },
    crossTenant: 'self',
    allowed: ['operator'],
    selfCheck: (body) => expect(body).toMatchObject({ Items: [], Total: 0 }),
  },
  {
    method: 'GET',
    path: '/api/v1/reports',
    audience: 'account',
    request: () => ({ url: '/api/v1/reports' }),
    owner: { caller: 'brandA', status: 200 },
    crossTenant: 'self',
    allowed: ['operator'],
    selfCheck: (body) => expect((body as { Items: Array<{ Id: string }> }).Items.map((r) => r.Id)).toContain('contract-history'),
  },
  {
    method: 'POST',
    path: '/api/v1/reports/:report/exports',
    audience: 'account',
    // Filters naming A's program: B's export of it holds nothing (the filters narrow the caller's own rows).
    request: (w) => ({ url: '/api/v1/reports/pending-payouts-actions/exports', payload: { Format: 'csv', Filters: { programId: String(w.programA.id) } } }),
    owner: { caller: 'brandA', status: 202 },
    crossTenant: 'self',
    allowed: ['operator'],
    selfCheck: (body) => expect(body).toMatchObject({ Status: 'QUEUED', Report: 'pending-payouts-actions' }),
  },
  {
    method: 'GET',
    path: '/api/v1/reports/:report/exports',
    audience: 'account',
    setup: exportOfA(false),
    request: () => ({ url: '/api/v1/reports/pending-payouts-actions/exports' }),
    owner: { caller: 'brandA', status: 200 },
    crossTenant: 'self',
    allowed: ['operator'],
    selfCheck: (body) => expect(body).toMatchObject({ Items: [], Total: 0 }),
  },
  ...['', '/download'].map(
    (suffix): RouteRow => ({
      method: 'GET',
      path: `/api/v1/reports/:report/exports/:id${suffix}`,
      audience: 'account',
      setup: exportOfA(true),
      request: (w) => ({ url: `/api/v1/reports/pending-payouts-actions/exports/${exportOfAId(w)}${suffix}` }),
      owner: { caller: 'brandA', status: 200 },
      crossTenant: { brandB: 404, partnerQ: 404 },
      denied: { operator: 404 },
    }),
  ),
  {
    method: 'DELETE',
    path: '/api/v1/reports/:report/exports/:id',
    audience: 'account',
    setup: exportOfA(false),
    request: (w) => ({ url: `/api/v1/reports/pending-payouts-actions/exports/${exportOfAId(w)}` }),
    owner: { caller: 'brandA', status: 200 },
    crossTenant: { brandB: 404, partnerQ: 404 },
    denied: { operator: 404 },
  },
];

/** A pin of brand A's admin (w.extra.pinA) on A's Home: Pending Payouts Actions of A's program. */
const pinOfA = async (w: World) => {
  const response = await w.clients.brandA.post('/api/v1/pins', { Report: 'pending-payouts-actions', Filters: { programId: String(w.programA.id) } });
  expect(response.statusCode, response.body).toBe(201);
  w.extra.pinA = response.json().Id;
};
const pinOfAId = (w: World) => (w.extra.pinA as number | undefined) ?? 1;
const seesNoPins = (response: LightMyRequestResponse) => {
  expect(response.statusCode).toBe(200);
  expect(response.json().Items).toEqual([]);
};

// Pins are a person's own: another user of A, B and Q reach none of A's admin's; an API credential has no Home.
const PIN_ROUTES: RouteRow[] = [
  {
    method: 'GET',
    path: '/api/v1/pins',
    audience: 'account',
    setup: pinOfA,
    request: () => ({ url: '/api/v1/pins' }),
    owner: { caller: 'brandA', status: 200 },
    crossTenant: 'self',
    denied: { brandAToken: 403 },
    extra: [{ caller: 'brandAUser', why: "another user of A: A's admin's pins are not theirs", request: () => ({ url: '/api/v1/pins' }), expect: seesNoPins }],
    selfCheck: (body) => expect(body).toEqual({ Items: [] }),
  },
  {
    method: 'POST',
    path: '/api/v1/pins',
    audience: 'account',
    request: () => ({ url: '/api/v1/pins', payload: { Report: 'pending-payouts-actions', Filters: { state: 'PENDING' } } }),
    owner: { caller: 'brandA', status: 201 },
    crossTenant: 'self',
    denied: { brandAToken: 403 },
    extra: [
      {
        caller: 'brandB',
        why: "pinning a report filtered on A's program",
        request: (w) => ({ url: '/api/v1/pins', payload: { Report: 'pending-payouts-actions', Filters: { programId: String(w.programA.id) } } }),
        expect: 404,
      },
    ],
    selfCheck: (body) => expect(body).toMatchObject({ Report: 'pending-payouts-actions', Position: 1 }),
  },
  {
    method: 'PUT',
    path: '/api/v1/pins/order',
    audience: 'account',
    setup: pinOfA,
    request: (w) => ({ url: '/api/v1/pins/order', payload: { Ids: [pinOfAId(w)] } }),
    owner: { caller: 'brandA', status: 200 },
    crossTenant: { brandB: 404, partnerQ: 404 },
    denied: { brandAToken: 403, brandAUser: 404 },
  },
  {
    method: 'DELETE',
    path: '/api/v1/pins/:id',
    audience: 'account',
    setup: pinOfA,
    request: (w) => ({ url: `/api/v1/pins/${pinOfAId(w)}` }),
    owner: { caller: 'brandA', status: 200 },
    crossTenant: { brandB: 404, partnerQ: 404 },
    denied: { brandAToken: 403, brandAUser: 404 },
  },
  {
    method: 'GET',
    path: '/api/v1/reports/:report/preview',
    audience: 'account',
    request: () => ({ url: '/api/v1/reports/pending-payouts-actions/preview' }),
    owner: { caller: 'brandA', status: 200 },
    crossTenant: 'self',
    allowed: ['operator'],
    extra: [
      {
        caller: 'brandB',
        why: "previewing a report filtered on A's program",
        request: (w) => ({ url: `/api/v1/reports/pending-payouts-actions/preview?programId=${w.programA.id}` }),
        expect: 404,
      },
    ],
  },
];

// The charts on Home: each account's own actions only.
const PERFORMANCE_ROUTES: RouteRow[] = [
  {
    method: 'GET',
    path: '/api/v1/performance/daily',
    audience: 'account',
    request: () => ({ url: '/api/v1/performance/daily' }),
    owner: { caller: 'brandA', status: 200 },
    crossTenant: 'self',
    extra: [
      {
        caller: 'brandB',
        why: "naming A's program",
        request: (w) => ({ url: `/api/v1/performance/daily?programId=${w.programA.id}` }),
        expect: (response) => {
          expect(response.statusCode).toBe(200);
          expect(response.json().Series).toEqual([]);
        },
      },
    ],
  },
  {
    method: 'GET',
    path: '/api/v1/performance/top-partners',
    audience: 'brand',
    request: () => ({ url: '/api/v1/performance/top-partners' }),
    owner: { caller: 'brandA', status: 200 },
    crossTenant: 'self',
  },
  {
    method: 'GET',
    path: '/api/v1/performance/by-brand',
    audience: 'partner',
    request: () => ({ url: '/api/v1/performance/by-brand' }),
    owner: { caller: 'partnerP', status: 200 },
    crossTenant: 'self',
  },
];

const ROUTES: RouteRow[] = [
  // --- Session and invitations: public by design ------------------------------------
  {
    method: 'POST',
    path: '/api/v1/session',
    audience: 'public',
    setup: async (w) => {
      w.extra.login = await makeUser(w.t.ctx);
    },
    request: (w) => ({ url: '/api/v1/session', payload: { Email: (w.extra.login as { email: string }).email, Password: TEST_PASSWORD } }),
    owner: { caller: 'anonymous', status: 200 },
    crossTenant: {},
    extra: [
      {
        caller: 'anonymous',
        why: 'a wrong password',
        request: (w) => ({ url: '/api/v1/session', payload: { Email: (w.extra.login as { email: string }).email, Password: 'wrong-password' } }),
        expect: 401,
      },
      {
        caller: 'anonymous',
        why: "A's admin, who has no password yet",
        request: (w) => ({ url: '/api/v1/session', payload: { Email: w.A.adminEmail, Password: '' } }),
        expect: 401,
      },
    ],
  },
  {
    method: 'DELETE',
    path: '/api/v1/session',
    audience: 'public',
    request: () => ({ url: '/api/v1/session' }),
    owner: { caller: 'partnerP', status: 204 },
    crossTenant: {},
    extra: [
      // Logging out without a session, or with a made-up one, ends nobody's session.
      { caller: 'anonymous', why: 'no session cookie', request: () => ({ url: '/api/v1/session' }), expect: 204 },
    ],
  },
  {
    method: 'GET',
    path: '/api/v1/invitations/:token',
    audience: 'public',
    request: (w) => ({ url: `/api/v1/invitations/${w.invitation.token}` }),
    owner: { caller: 'anonymous', status: 200 },
    crossTenant: {},
    extra: [{ caller: 'anonymous', why: 'a made-up token', request: () => ({ url: '/api/v1/invitations/made-up-token-0123456789' }), expect: 404 }],
  },
  {
    method: 'POST',
    path: '/api/v1/invitations/accept',
    audience: 'public',
    request: (w) => ({ url: '/api/v1/invitations/accept', payload: { Token: w.invitation.token, Name: 'Invitee', Password: TEST_PASSWORD } }),
    owner: { caller: 'anonymous', status: 200 },
    crossTenant: {},
    extra: [
      {
        caller: 'anonymous',
        why: 'a made-up token',
        request: () => ({ url: '/api/v1/invitations/accept', payload: { Token: 'made-up-token-0123456789', Name: 'X', Password: TEST_PASSWORD } }),
        expect: 404,
      },
    ],
  },
  {
    method: 'GET',
    path: '/api/v1/me',
    audience: 'user',
    request: () => ({ url: '/api/v1/me' }),
    owner: { caller: 'brandA', status: 200 },
    crossTenant: 'self',
  },
  // The account a login opens: only one the caller is a member of (A's USER may, B and Q not).
  {
    method: 'PUT',
    path: '/api/v1/me/account',
    audience: 'user',
    request: (w) => ({ url: '/api/v1/me/account', payload: { AccountId: w.A.id } }),
    owner: { caller: 'brandA', status: 200 },
    crossTenant: { brandB: 404, partnerQ: 404 },
    denied: { operator: 404, partnerP: 404 },
  },
  // The user menu: each login changes its own name and password, nobody else's.
  {
    method: 'PATCH',
    path: '/api/v1/me',
    audience: 'user',
    request: () => ({ url: '/api/v1/me', payload: { Name: 'Renamed Self' } }),
    owner: { caller: 'brandA', status: 200 },
    crossTenant: 'self',
  },
  {
    method: 'POST',
    path: '/api/v1/me/password',
    audience: 'user',
    // The world's logins have no password (none is hashed per test); here they all get TEST_PASSWORD.
    setup: async (w) => {
      await w.t.ctx.db.query('update users set password_hash = $1', [await hashPassword(TEST_PASSWORD)]);
    },
    request: () => ({ url: '/api/v1/me/password', payload: { CurrentPassword: TEST_PASSWORD, NewPassword: 'a-new-password-2027' } }),
    owner: { caller: 'brandA', status: 200 },
    crossTenant: 'self',
  },
  // P's admin is invited to A: only P's admin sees it, accepts or declines it.
  {
    method: 'GET',
    path: '/api/v1/me/invitations',
    audience: 'user',
    setup: invitePartnerPToA,
    request: () => ({ url: '/api/v1/me/invitations' }),
    owner: { caller: 'partnerP', status: 200 },
    crossTenant: 'self',
  },
  ...(['accept', 'decline'] as const).map(
    (verb): RouteRow => ({
      method: 'POST',
      path: `/api/v1/me/invitations/:id/${verb}`,
      audience: 'user',
      setup: invitePartnerPToA,
      request: (w) => ({ url: `/api/v1/me/invitations/${w.extra.invitationOfP as number}/${verb}` }),
      owner: { caller: 'partnerP', status: verb === 'accept' ? 200 : 204 },
      crossTenant: { brandB: 404, partnerQ: 404 },
      // Not even the inviting account's admin can answer for the invitee.
      denied: { brandA: 404, brandAUser: 404, operator: 404, otherAccountHeader: 404 },
      extra: [
        {
          caller: 'partnerP',
          why: "an invitation of A's addressed to someone else",
          request: (w) => ({ url: `/api/v1/me/invitations/${w.invitation.id}/${verb}` }),
          expect: 404,
        },
      ],
    }),
  ),

  // --- The account, its users and credentials -------------------------------------------
  {
    method: 'GET',
    path: '/api/v1/account',
    audience: 'account',
    request: () => ({ url: '/api/v1/account' }),
    owner: { caller: 'brandA', status: 200 },
    crossTenant: 'self',
  },
  {
    method: 'GET',
    path: '/api/v1/users',
    audience: 'account',
    request: () => ({ url: '/api/v1/users' }),
    owner: { caller: 'brandA', status: 200 },
    crossTenant: 'self',
  },
  {
    method: 'POST',
    path: '/api/v1/users/invitations',
    audience: 'account',
    request: () => ({ url: '/api/v1/users/invitations', payload: { Email: 'new-colleague@example.test', Role: 'ADMIN' } }),
    owner: { caller: 'brandA', status: 201 },
    crossTenant: 'self',
    denied: ADMIN_ONLY,
  },
  {
    method: 'GET',
    path: '/api/v1/users/invitations',
    audience: 'account',
    request: () => ({ url: '/api/v1/users/invitations' }),
    owner: { caller: 'brandA', status: 200 },
    crossTenant: 'self',
    denied: ADMIN_ONLY,
  },
  {
    method: 'DELETE',
    path: '/api/v1/users/invitations/:id',
    audience: 'account',
    request: (w) => ({ url: `/api/v1/users/invitations/${w.invitation.id}` }),
    owner: { caller: 'brandA', status: 204 },
    crossTenant: { brandB: 404, partnerQ: 404 },
    denied: ADMIN_ONLY,
  },
  {
    method: 'PATCH',
    path: '/api/v1/users/:id',
    audience: 'account',
    request: (w) => ({ url: `/api/v1/users/${w.userA2.userId}`, payload: { Role: 'ADMIN' } }),
    owner: { caller: 'brandA', status: 204 },
    crossTenant: { brandB: 404, partnerQ: 404 },
    denied: ADMIN_ONLY,
  },
  {
    method: 'DELETE',
    path: '/api/v1/users/:id',
    audience: 'account',
    request: (w) => ({ url: `/api/v1/users/${w.userA2.userId}` }),
    owner: { caller: 'brandA', status: 204 },
    crossTenant: { brandB: 404, partnerQ: 404 },
    denied: ADMIN_ONLY,
    extra: [
      { caller: 'brandB', why: "A's admin by id", request: (w) => ({ url: `/api/v1/users/${w.A.adminUserId}` }), expect: 404 },
    ],
  },
  {
    method: 'GET',
    path: '/api/v1/credentials',
    audience: 'account',
    request: () => ({ url: '/api/v1/credentials' }),
    owner: { caller: 'brandA', status: 200 },
    crossTenant: 'self',
    denied: ADMIN_ONLY,
  },
  {
    method: 'POST',
    path: '/api/v1/credentials',
    audience: 'account',
    request: () => ({ url: '/api/v1/credentials', payload: { Label: 'another' } }),
    owner: { caller: 'brandA', status: 201 },
    crossTenant: 'self',
    denied: ADMIN_ONLY,
  },
  {
    method: 'POST',
    path: '/api/v1/credentials/:id/rotate',
    audience: 'account',
    request: (w) => ({ url: `/api/v1/credentials/${w.tokenA.id}/rotate` }),
    owner: { caller: 'brandA', status: 201 },
    crossTenant: { brandB: 404, partnerQ: 404 },
    denied: ADMIN_ONLY,
  },
  {
    method: 'DELETE',
    path: '/api/v1/credentials/:id',
    audience: 'account',
    request: (w) => ({ url: `/api/v1/credentials/${w.tokenA.id}` }),
    owner: { caller: 'brandA', status: 204 },
    crossTenant: { brandB: 404, partnerQ: 404 },
    denied: ADMIN_ONLY,
  },

  // --- Programs, event types, terms ------------------------------------------------------
  {
    method: 'GET',
    path: '/api/v1/programs',
    audience: 'account',
    request: () => ({ url: '/api/v1/programs' }),
    owner: { caller: 'brandA', status: 200 },
    crossTenant: 'self',
  },
  {
    method: 'POST',
    path: '/api/v1/programs',
    audience: 'brand',
    request: () => ({ url: '/api/v1/programs', payload: { Name: 'Fresh program', Currency: 'USD', TimeZone: 'UTC' } }),
    owner: { caller: 'brandA', status: 201 },
    crossTenant: 'self',
  },
  {
    method: 'GET',
    path: '/api/v1/programs/:id',
    audience: 'account',
    request: (w) => ({ url: `/api/v1/programs/${w.programA.id}` }),
    owner: { caller: 'brandA', status: 200 },
    // Partners may read active programs: that is how they find programs to join.
    crossTenant: { brandB: 404 },
    // Operators (support) may read any program.
    allowed: ['operator'],
    extra: [
      { caller: 'partnerP', why: "B's inactive program", request: (w) => ({ url: `/api/v1/programs/${w.programC.id}` }), expect: 404 },
    ],
  },
  {
    method: 'PATCH',
    path: '/api/v1/programs/:id',
    audience: 'brand',
    // With new landing domains: another brand must not be able to point A's links elsewhere.
    request: (w) => ({
      url: `/api/v1/programs/${w.programA.id}`,
      payload: { Name: 'Taken over', Status: 'INACTIVE', WebsiteUrl: 'https://taken-over.example/', LandingDomains: ['shop.example', '*.taken-over.example'] },
    }),
    owner: { caller: 'brandA', status: 200 },
    crossTenant: { brandB: 404, partnerQ: 403 },
  },
  {
    method: 'GET',
    path: '/api/v1/programs/:programId/event-types',
    audience: 'account',
    request: (w) => ({ url: `/api/v1/programs/${w.programA.id}/event-types` }),
    owner: { caller: 'brandA', status: 200 },
    crossTenant: { brandB: 404 },
    // Operators (support) may read any program.
    allowed: ['operator'],
    extra: [
      { caller: 'partnerP', why: "B's inactive program", request: (w) => ({ url: `/api/v1/programs/${w.programC.id}/event-types` }), expect: 404 },
    ],
  },
  {
    method: 'POST',
    path: '/api/v1/programs/:programId/event-types',
    audience: 'brand',
    request: (w) => ({ url: `/api/v1/programs/${w.programA.id}/event-types`, payload: { Name: 'Signup', Kind: 'OTHER' } }),
    owner: { caller: 'brandA', status: 201 },
    crossTenant: { brandB: 404, partnerQ: 403 },
  },
  // --- Event types across a brand's programs, and their Returns Processing -------------------
  {
    method: 'GET',
    path: '/api/v1/event-types',
    audience: 'brand',
    request: () => ({ url: '/api/v1/event-types' }),
    owner: { caller: 'brandA', status: 200 },
    crossTenant: 'self',
  },
  {
    method: 'GET',
    path: '/api/v1/event-types/:eventTypeId',
    audience: 'brand',
    request: (w) => ({ url: `/api/v1/event-types/${w.programA.saleEventTypeId}` }),
    owner: { caller: 'brandA', status: 200 },
    crossTenant: { brandB: 404, partnerQ: 403 },
  },
  {
    method: 'PUT',
    path: '/api/v1/event-types/:eventTypeId/returns-processing',
    audience: 'brand',
    request: (w) => ({ url: `/api/v1/event-types/${w.programA.saleEventTypeId}/returns-processing`, payload: { Method: 'EMAIL' } }),
    owner: { caller: 'brandA', status: 200 },
    crossTenant: { brandB: 404, partnerQ: 403 },
  },
  // --- Pulls from the brand's own server (issue 14 item 2): brand admins only ------------------
  ...(
    [
      ['GET', '', 200, undefined],
      ['PUT', '/credentials', 200, { Password: 'another-tenancy-password' }],
      ['DELETE', '/credentials', 200, undefined],
      ['POST', '/test', 200, undefined],
      ['POST', '/run', 202, undefined],
      ['DELETE', '/server-key', 200, undefined],
    ] as const
  ).map(
    ([method, suffix, status, payload]): RouteRow => ({
      method,
      path: `/api/v1/event-types/:eventTypeId/pull${suffix}`,
      audience: 'brand',
      setup: pullOfA,
      request: (w) => ({ url: `/api/v1/event-types/${w.programA.saleEventTypeId}/pull${suffix}`, ...(payload ? { payload } : {}) }),
      owner: { caller: 'brandA', status },
      crossTenant: { brandB: 404, partnerQ: 403 },
      denied: ADMIN_ONLY,
    }),
  ),
  // --- Salesforce (issue 14 item 4): brand admins only ------------------------------------------
  ...(
    [
      ['GET', '', 200, undefined],
      ['POST', '/outbound-url', 200, undefined],
      ['PUT', '/credentials', 200, { ClientId: 'tenancy-client', ClientSecret: 'tenancy-secret', RefreshToken: 'another-tenancy-token' }],
      ['DELETE', '/credentials', 200, undefined],
      ['POST', '/poll', 202, undefined],
    ] as const
  ).map(
    ([method, suffix, status, payload]): RouteRow => ({
      method,
      path: `/api/v1/event-types/:eventTypeId/salesforce${suffix}`,
      audience: 'brand',
      setup: salesforceOfA,
      request: (w) => ({ url: `/api/v1/event-types/${w.programA.saleEventTypeId}/salesforce${suffix}`, ...(payload ? { payload } : {}) }),
      owner: { caller: 'brandA', status },
      crossTenant: { brandB: 404, partnerQ: 403 },
      denied: ADMIN_ONLY,
    }),
  ),
  {
    method: 'GET',
    path: '/api/v1/event-types/:eventTypeId/returns-email',
    audience: 'brand',
    request: (w) => ({ url: `/api/v1/event-types/${w.programA.saleEventTypeId}/returns-email` }),
    owner: { caller: 'brandA', status: 200 },
    crossTenant: { brandB: 404, partnerQ: 403 },
  },
  {
    method: 'GET',
    path: '/api/v1/programs/:programId/terms',
    audience: 'account',
    request: (w) => ({ url: `/api/v1/programs/${w.programA.id}/terms` }),
    owner: { caller: 'brandA', status: 200 },
    crossTenant: { brandB: 404 },
    // Operators (support) may read any program.
    allowed: ['operator'],
    extra: [
      { caller: 'partnerP', why: "B's inactive program", request: (w) => ({ url: `/api/v1/programs/${w.programC.id}/terms` }), expect: 404 },
    ],
  },
  {
    method: 'POST',
    path: '/api/v1/programs/:programId/terms',
    audience: 'brand',
    request: (w) => ({
      url: `/api/v1/programs/${w.programA.id}/terms`,
      payload: { Name: 'Hijacked terms', Terms: simpleTermsBody(w.programA.saleEventTypeId, '99.00') },
    }),
    owner: { caller: 'brandA', status: 201 },
    crossTenant: { brandB: 404, partnerQ: 403 },
    extra: [
      {
        caller: 'brandB',
        why: "B's own program paying for A's event type",
        request: (w) => ({ url: `/api/v1/programs/${w.programB.id}/terms`, payload: { Name: 'Borrowed', Terms: simpleTermsBody(w.programA.saleEventTypeId) } }),
        expect: 400,
      },
    ],
  },
  {
    method: 'POST',
    path: '/api/v1/programs/:programId/terms/:termsId/archive',
    audience: 'brand',
    request: (w) => ({ url: `/api/v1/programs/${w.programA.id}/terms/${w.termsA2}/archive` }),
    owner: { caller: 'brandA', status: 204 },
    crossTenant: { brandB: 404, partnerQ: 403 },
    extra: [
      {
        caller: 'brandB',
        why: "A's terms through B's own program",
        request: (w) => ({ url: `/api/v1/programs/${w.programB.id}/terms/${w.termsA2}/archive` }),
        expect: [404, 409],
      },
    ],
  },

  // --- Contracts ----------------------------------------------------------------------------
  {
    method: 'GET',
    path: '/api/v1/contracts',
    audience: 'account',
    request: () => ({ url: '/api/v1/contracts' }),
    owner: { caller: 'brandA', status: 200 },
    crossTenant: 'self',
    // Operators (support) read the Contract History of every account.
    allowed: ['operator'],
  },
  {
    method: 'GET',
    path: '/api/v1/contracts/export.csv',
    audience: 'account',
    request: () => ({ url: '/api/v1/contracts/export.csv' }),
    owner: { caller: 'brandA', status: 200 },
    crossTenant: 'self',
    allowed: ['operator'],
  },
  {
    method: 'GET',
    path: '/api/v1/contracts/export.xlsx',
    audience: 'account',
    request: () => ({ url: '/api/v1/contracts/export.xlsx' }),
    owner: { caller: 'brandA', status: 200 },
    crossTenant: 'self',
    allowed: ['operator'],
  },
  {
    method: 'GET',
    path: '/api/v1/contracts/export.pdf',
    audience: 'account',
    request: () => ({ url: '/api/v1/contracts/export.pdf' }),
    owner: { caller: 'brandA', status: 200 },
    crossTenant: 'self',
    allowed: ['operator'],
  },
  {
    method: 'GET',
    path: '/api/v1/partners',
    audience: 'brand',
    request: () => ({ url: '/api/v1/partners' }),
    owner: { caller: 'brandA', status: 200 },
    crossTenant: 'self',
  },
  // Returns file templates: the same six files for every brand, for a brand's users only.
  ...(['order', 'item', 'reset'] as const).flatMap((layout) =>
    (['csv', 'xml'] as const).map(
      (format): RouteRow => ({
        method: 'GET',
        path: `/api/v1/returns/templates/${layout}.${format}`,
        audience: 'brand',
        request: () => ({ url: `/api/v1/returns/templates/${layout}.${format}` }),
        owner: { caller: 'brandA', status: 200 },
        crossTenant: 'self',
        // The file holds nothing of any account: B gets the very same template A gets.
        selfCheck: (body) => expect(body).toBe(returnsTemplate(layout, format === 'csv' ? 'CSV' : 'XML').body),
      }),
    ),
  ),
  {
    method: 'POST',
    path: '/api/v1/contracts',
    audience: 'partner',
    request: (w) => ({ url: '/api/v1/contracts', payload: { TemplateTermsId: w.termsA2 } }),
    owner: { caller: 'partnerP', status: 201 },
    // Any partner may join an active program; what no partner may join is a program it cannot see.
    crossTenant: {},
    extra: [
      {
        caller: 'partnerP',
        why: "the terms of B's inactive program",
        request: (w) => ({ url: '/api/v1/contracts', payload: { TemplateTermsId: w.programC.termsId } }),
        expect: 404,
      },
    ],
  },
  {
    method: 'GET',
    path: '/api/v1/contracts/:id',
    audience: 'account',
    request: (w) => ({ url: `/api/v1/contracts/${w.contractP}` }),
    owner: { caller: 'partnerP', status: 200 },
    crossTenant: { brandB: 404, partnerQ: 404 },
    allowed: ['brandA', 'operator'],
  },
  {
    method: 'POST',
    path: '/api/v1/contracts/:id/expire',
    audience: 'account',
    request: (w) => ({ url: `/api/v1/contracts/${w.contractP}/expire`, payload: {} }),
    owner: { caller: 'partnerP', status: 200 },
    crossTenant: { brandB: 404, partnerQ: 404 },
    extra: [
      {
        caller: 'brandB',
        why: 'expiring on a date',
        request: (w) => ({ url: `/api/v1/contracts/${w.contractP}/expire`, payload: { On: '2026-12-31' } }),
        expect: 404,
      },
    ],
  },

  // --- Operator routes ----------------------------------------------------------------------
  {
    method: 'GET',
    path: '/api/v1/operator/accounts',
    audience: 'operator',
    request: () => ({ url: '/api/v1/operator/accounts' }),
    owner: { caller: 'operator', status: 200 },
    crossTenant: {},
  },
  {
    method: 'POST',
    path: '/api/v1/operator/accounts',
    audience: 'operator',
    request: () => ({ url: '/api/v1/operator/accounts', payload: newAccountBody() }),
    owner: { caller: 'operator', status: 201 },
    crossTenant: {},
  },
  {
    method: 'POST',
    path: '/api/v1/operator/actions/:id/reattribute',
    audience: 'operator',
    request: (w) => ({ url: `/api/v1/operator/actions/${w.actionA}/reattribute`, payload: { MediaPartnerId: w.Q.id, Reason: 'ADV_ACT_DISPUTE' } }),
    owner: { caller: 'operator', status: 200 },
    crossTenant: {},
    denied: { partnerQ: 403 },
  },
  {
    method: 'POST',
    path: '/api/v1/operator/actions/:id/reverse-cpc',
    audience: 'operator',
    setup: async (w) => {
      await makeClick(w.t.ctx, w.P, w.programA);
      // The credit job takes clicks once they are CREDIT_LAG_MS old.
      (w.t.ctx.clock as ManualClock).advanceMs(60_000);
      await creditClicks(w.t.ctx);
      const { rows } = await w.t.ctx.db.query<{ id: string }>(
        `select id::text as id from actions where event_kind = 'CLICK' and state = 'PENDING' order by id limit 1`,
      );
      expect(rows).toHaveLength(1);
      w.extra.cpcAction = rows[0]!.id;
    },
    request: (w) => ({ url: `/api/v1/operator/actions/${w.extra.cpcAction as string}/reverse-cpc`, payload: { Reason: 'CONS_FRAUD' } }),
    owner: { caller: 'operator', status: 200 },
    crossTenant: {},
  },
  {
    method: 'GET',
    path: '/api/v1/operator/work-items',
    audience: 'operator',
    request: () => ({ url: '/api/v1/operator/work-items?state=QUEUED,RUNNING,DONE,FAILED,DEAD' }),
    owner: { caller: 'operator', status: 200 },
    crossTenant: {},
    denied: { brandB: 403, partnerQ: 403, brandAUser: 403, otherAccountHeader: 403 },
  },
  {
    method: 'POST',
    path: '/api/v1/operator/work-items/:id/retry',
    audience: 'operator',
    setup: async (w) => {
      // A dead run of a job, as the worker leaves one after its last attempt failed.
      const { rows } = await w.t.ctx.db.query<{ id: string }>(
        `insert into work_items (kind, payload, state, attempts, max_attempts, run_after, last_error, created_at, updated_at, finished_at)
         values ('prune-work-items', '{}', 'DEAD', 2, 2, now(), 'canceling statement due to statement timeout', now(), now(), now())
         returning id::text as id`,
      );
      w.extra.deadItem = rows[0]!.id;
    },
    request: (w) => ({ url: `/api/v1/operator/work-items/${w.extra.deadItem as string}/retry` }),
    owner: { caller: 'operator', status: 200 },
    crossTenant: {},
    denied: { brandB: 403, partnerQ: 403, brandAUser: 403, otherAccountHeader: 403 },
  },

  // --- Admin routes: the lockstep command line through a server holding the data folder ----
  {
    method: 'POST',
    path: '/api/v1/admin/jobs/:name/run',
    audience: 'admin',
    request: () => ({ url: '/api/v1/admin/jobs/lock-due-actions/run' }),
    owner: { caller: 'adminSecret', status: 200 },
    crossTenant: {},
    extra: [{ caller: 'adminSecret', why: 'an unknown job', request: () => ({ url: '/api/v1/admin/jobs/no-such-job/run' }), expect: 404 }],
  },
  {
    method: 'POST',
    path: '/api/v1/admin/check-ledger',
    audience: 'admin',
    request: () => ({ url: '/api/v1/admin/check-ledger' }),
    owner: { caller: 'adminSecret', status: 200 },
    crossTenant: {},
  },
  {
    method: 'POST',
    path: '/api/v1/admin/operators',
    audience: 'admin',
    request: () => ({ url: '/api/v1/admin/operators', payload: { Email: 'cli-operator@example.test', Name: 'CLI operator', Password: TEST_PASSWORD } }),
    owner: { caller: 'adminSecret', status: 201 },
    crossTenant: {},
  },
  {
    method: 'POST',
    path: '/api/v1/admin/events',
    audience: 'admin',
    request: () => ({ url: '/api/v1/admin/events', payload: { After: '0' } }),
    owner: { caller: 'adminSecret', status: 200 },
    crossTenant: {},
  },

  // --- Actions --------------------------------------------------------------------------------
  {
    method: 'GET',
    path: '/api/v1/actions',
    audience: 'account',
    request: () => ({ url: '/api/v1/actions' }),
    owner: { caller: 'brandA', status: 200 },
    crossTenant: 'self',
    // Operators find actions to re-attribute or reverse.
    allowed: ['operator'],
  },
  // Totals and the matching ids (issue 17 item 5): each caller's own actions only.
  ...(['totals', 'ids'] as const).map(
    (what): RouteRow => ({
      method: 'GET',
      path: `/api/v1/actions/${what}`,
      audience: 'account',
      request: () => ({ url: `/api/v1/actions/${what}` }),
      owner: { caller: 'brandA', status: 200 },
      crossTenant: 'self',
      allowed: ['operator'],
      // No names in these answers: B and Q have no actions in this world, so theirs are empty
      // (A's own holds its sale, so a leak of it would show).
      selfCheck: (body) => expect(body).toEqual(what === 'ids' ? { Ids: [], Limit: 10_000, More: false } : { Totals: [] }),
    }),
  ),
  {
    method: 'GET',
    path: '/api/v1/actions/export.csv',
    audience: 'account',
    request: () => ({ url: '/api/v1/actions/export.csv' }),
    owner: { caller: 'brandA', status: 200 },
    crossTenant: 'self',
    allowed: ['operator'],
  },
  {
    method: 'GET',
    path: '/api/v1/actions/export.xlsx',
    audience: 'account',
    request: () => ({ url: '/api/v1/actions/export.xlsx' }),
    owner: { caller: 'brandA', status: 200 },
    crossTenant: 'self',
    allowed: ['operator'],
  },
  {
    method: 'GET',
    path: '/api/v1/actions/export.pdf',
    audience: 'account',
    request: () => ({ url: '/api/v1/actions/export.pdf' }),
    owner: { caller: 'brandA', status: 200 },
    crossTenant: 'self',
    allowed: ['operator'],
  },
  {
    method: 'GET',
    path: '/api/v1/actions/:id',
    audience: 'account',
    request: (w) => ({ url: `/api/v1/actions/${w.actionA}` }),
    owner: { caller: 'brandA', status: 200 },
    crossTenant: { brandB: 404, partnerQ: 404 },
    allowed: ['partnerP', 'operator'],
  },
  {
    method: 'POST',
    path: '/api/v1/actions/bulk',
    audience: 'brand',
    request: (w) => ({ url: '/api/v1/actions/bulk', payload: { Operation: 'APPROVE', ActionIds: [w.actionA.toString()] } }),
    owner: { caller: 'brandA', status: 200 },
    crossTenant: { brandB: refusesEveryAction, partnerQ: 403 },
    // Bulk operations are brand operations: an operator is refused, as a whole or action by action.
    denied: { operator: refusedOrForbiddenPerAction },
  },
  ...(
    [
      ['approve', undefined],
      ['reverse', { Reason: 'CONS_FRAUD' }],
      ['reject-item', { ItemIndex: 2, Reason: 'ITEM_RETURNED' }],
      ['restore', undefined],
      ['reset', undefined],
      ['modify', { Reason: 'ORDER_UPDATE', Amount: '40.00' }],
      ['modify-items', { Reason: 'ITEM_RETURNED', Items: [{ Index: 2, Reject: true }, { Index: 1, Amount: '5.00' }] }],
    ] as const
  ).map(
    ([operation, payload]): RouteRow => ({
      method: 'POST',
      path: `/api/v1/actions/:id/${operation}`,
      audience: 'brand',
      ...(operation === 'restore' || operation === 'reset'
        ? {
            setup: async (w: World) => {
              const [outcome] = await applyActionOperation(w.t.ctx, w.A.actor, [w.actionA], { op: 'REVERSE', reason: 'CONS_FRAUD' });
              expect(outcome?.ok).toBe(true);
            },
          }
        : {}),
      request: (w) => ({ url: `/api/v1/actions/${w.actionA}/${operation}`, payload: payload ?? {} }),
      owner: { caller: 'brandA', status: 200 },
      // A partner is refused for being a partner, or (modify looks the action up first) for not seeing it.
      crossTenant: { brandB: 404, partnerQ: [403, 404] },
    }),
  ),

  // --- Conversions ------------------------------------------------------------------------
  {
    method: 'POST',
    path: '/api/v1/conversions',
    audience: 'brand',
    request: (w) => ({ url: '/api/v1/conversions', payload: conversionBody(w) }),
    owner: { caller: 'brandA', status: 201 },
    // B reporting a conversion for A's event type: refused like an unknown event type.
    crossTenant: { brandB: [400, 404], partnerQ: 403 },
  },
  {
    method: 'POST',
    path: '/api/v1/conversions/batch',
    audience: 'brand',
    request: (w) => ({ url: '/api/v1/conversions/batch', payload: { Conversions: [conversionBody(w)] } }),
    owner: { caller: 'brandA', status: 200 },
    crossTenant: { brandB: refusesEveryConversion, partnerQ: 403 },
  },
  {
    method: 'GET',
    path: '/api/v1/conversions',
    audience: 'brand',
    setup: async (w) => {
      const response = await w.clients.brandA.post('/api/v1/conversions', conversionBody(w));
      expect(response.statusCode).toBe(201);
      w.markersA.push('TENANCY-1');
    },
    request: () => ({ url: '/api/v1/conversions' }),
    owner: { caller: 'brandA', status: 200 },
    crossTenant: 'self',
  },

  // --- Tracking links -------------------------------------------------------------------
  {
    method: 'GET',
    path: '/api/v1/links',
    audience: 'account',
    request: () => ({ url: '/api/v1/links' }),
    owner: { caller: 'partnerP', status: 200 },
    crossTenant: 'self',
  },
  {
    method: 'POST',
    path: '/api/v1/links',
    audience: 'partner',
    request: (w) => ({ url: '/api/v1/links', payload: { CampaignId: w.programA.id, LandingUrl: 'https://shop.example/new' } }),
    owner: { caller: 'partnerP', status: 201 },
    crossTenant: {},
    extra: [
      {
        caller: 'partnerP',
        why: "a link to B's program without a contract",
        request: (w) => ({ url: '/api/v1/links', payload: { CampaignId: w.programB.id, LandingUrl: 'https://shop.example/b' } }),
        expect: 403,
      },
      {
        caller: 'partnerP',
        why: "a link to B's inactive program",
        request: (w) => ({ url: '/api/v1/links', payload: { CampaignId: w.programC.id, LandingUrl: 'https://shop.example/c' } }),
        expect: 404,
      },
    ],
  },
  {
    method: 'GET',
    path: '/api/v1/links/:id',
    audience: 'account',
    request: (w) => ({ url: `/api/v1/links/${w.linkP.id}` }),
    owner: { caller: 'partnerP', status: 200 },
    crossTenant: { brandB: 404, partnerQ: 404 },
    allowed: ['brandA'],
  },
  {
    method: 'POST',
    path: '/api/v1/links/:id/disable',
    audience: 'partner',
    request: (w) => ({ url: `/api/v1/links/${w.linkP.id}/disable` }),
    owner: { caller: 'partnerP', status: 200 },
    crossTenant: { brandB: 403, partnerQ: 404 },
  },

  // --- Statements: a brand's own, every brand's for operators, none for partners ----------
  {
    method: 'GET',
    path: '/api/v1/statements',
    audience: 'account',
    setup: statementOfA,
    request: () => ({ url: '/api/v1/statements' }),
    owner: { caller: 'brandA', status: 200 },
    crossTenant: 'self',
    allowed: ['operator'],
  },
  ...(['', '/lines', '/lines/export.csv', '/lines/export.xlsx', '/lines/export.pdf'] as const).map(
    (tail): RouteRow => ({
      method: 'GET',
      path: `/api/v1/statements/:id${tail}`,
      audience: 'account',
      setup: statementOfA,
      request: (w) => ({ url: `/api/v1/statements/${(w.extra.statementA as number | undefined) ?? 1}${tail}` }),
      owner: { caller: 'brandA', status: 200 },
      crossTenant: { brandB: 404, partnerQ: 404 },
      // A partner sees its payouts, not the brand's bills.
      denied: { partnerP: 404 },
      allowed: ['operator'],
    }),
  ),
  {
    method: 'POST',
    path: '/api/v1/statements/:id/payments',
    audience: 'brand',
    setup: statementOfA,
    request: (w) => ({ url: `/api/v1/statements/${(w.extra.statementA as number | undefined) ?? 1}/payments`, payload: statementPayment() }),
    owner: { caller: 'brandA', status: 201 },
    crossTenant: { brandB: 404, partnerQ: 403 },
  },
  {
    method: 'POST',
    path: '/api/v1/operator/statements/:id/payments',
    audience: 'operator',
    setup: statementOfA,
    request: (w) => ({ url: `/api/v1/operator/statements/${(w.extra.statementA as number | undefined) ?? 1}/payments`, payload: statementPayment() }),
    owner: { caller: 'operator', status: 201 },
    crossTenant: {},
    denied: { brandB: 403, partnerQ: 403, brandAUser: 403, otherAccountHeader: 403 },
  },

  // --- Support tickets: an account's own; operators work the queue --------------------------
  {
    method: 'POST',
    path: '/api/v1/tickets',
    audience: 'account',
    request: (w) => ({ url: '/api/v1/tickets', payload: { Type: 'GENERAL', Subject: 'About P', Message: 'Please look', AccountIds: [w.P.id] } }),
    owner: { caller: 'partnerP', status: 201 },
    crossTenant: { brandB: 403, partnerQ: 403 },
    denied: { brandA: 403, brandAToken: 403, brandAUser: 403 },
  },
  {
    method: 'GET',
    path: '/api/v1/tickets',
    audience: 'account',
    setup: ticketOfP,
    request: () => ({ url: '/api/v1/tickets' }),
    owner: { caller: 'partnerP', status: 200 },
    crossTenant: 'self',
    allowed: ['operator'],
  },
  {
    method: 'GET',
    path: '/api/v1/tickets/:id',
    audience: 'account',
    setup: ticketOfP,
    request: (w) => ({ url: `/api/v1/tickets/${w.extra.ticketP ?? 1}` }),
    owner: { caller: 'partnerP', status: 200 },
    crossTenant: { brandB: 404, partnerQ: 404 },
    denied: { brandA: 404, brandAToken: 404, brandAUser: 404 },
    allowed: ['operator'],
  },
  {
    method: 'POST',
    path: '/api/v1/tickets/:id/messages',
    audience: 'account',
    setup: ticketOfP,
    request: (w) => ({ url: `/api/v1/tickets/${w.extra.ticketP ?? 1}/messages`, payload: { Message: 'Any news?' } }),
    owner: { caller: 'partnerP', status: 201 },
    crossTenant: { brandB: 404, partnerQ: 404 },
    denied: { brandA: 404, brandAToken: 404, brandAUser: 404 },
    allowed: ['operator'],
  },
  {
    method: 'GET',
    path: '/api/v1/tickets/:id/attachments/:attachmentId',
    audience: 'account',
    setup: ticketOfP,
    request: (w) => ({ url: `/api/v1/tickets/${w.extra.ticketP ?? 1}/attachments/${w.extra.attachmentP ?? 1}` }),
    owner: { caller: 'partnerP', status: 200 },
    crossTenant: { brandB: 404, partnerQ: 404 },
    denied: { brandA: 404, brandAToken: 404, brandAUser: 404 },
    allowed: ['operator'],
  },
  {
    method: 'GET',
    path: '/api/v1/operator/tickets/:id/facts',
    audience: 'operator',
    setup: ticketOfP,
    request: (w) => ({ url: `/api/v1/operator/tickets/${w.extra.ticketP ?? 1}/facts` }),
    owner: { caller: 'operator', status: 200 },
    crossTenant: {},
    denied: { brandB: 403, partnerQ: 403, brandAUser: 403, otherAccountHeader: 403 },
  },
  {
    method: 'POST',
    path: '/api/v1/operator/tickets/:id/status',
    audience: 'operator',
    setup: ticketOfP,
    request: (w) => ({ url: `/api/v1/operator/tickets/${w.extra.ticketP ?? 1}/status`, payload: { Status: 'IN_REVIEW' } }),
    owner: { caller: 'operator', status: 200 },
    crossTenant: {},
    denied: { brandB: 403, partnerQ: 403, brandAUser: 403, otherAccountHeader: 403 },
  },
  {
    method: 'POST',
    path: '/api/v1/operator/tickets/:id/resolve',
    audience: 'operator',
    setup: ticketOfP,
    request: (w) => ({ url: `/api/v1/operator/tickets/${w.extra.ticketP ?? 1}/resolve`, payload: { Message: 'Paid last Tuesday.' } }),
    owner: { caller: 'operator', status: 200 },
    crossTenant: {},
    denied: { brandB: 403, partnerQ: 403, brandAUser: 403, otherAccountHeader: 403 },
  },

  {
    method: 'GET',
    path: '/api/v1/closure-eligibility',
    audience: 'partner',
    request: (w) => ({ url: `/api/v1/closure-eligibility?accountIds=${w.P.id}` }),
    owner: { caller: 'partnerP', status: 200 },
    crossTenant: { partnerQ: 403 },
    denied: { brandA: 403, brandAToken: 403, brandAUser: 403, brandB: 403 },
  },
  {
    method: 'GET',
    path: '/api/v1/operator/tickets/:id/closure-review',
    audience: 'operator',
    setup: closureTicketOfP,
    request: (w) => ({ url: `/api/v1/operator/tickets/${w.extra.closureTicketP ?? 1}/closure-review` }),
    owner: { caller: 'operator', status: 200 },
    crossTenant: {},
    denied: { brandB: 403, partnerQ: 403, brandAUser: 403, otherAccountHeader: 403 },
  },
  {
    method: 'GET',
    path: '/api/v1/operator/accounts/:id/closure-eligibility',
    audience: 'operator',
    request: (w) => ({ url: `/api/v1/operator/accounts/${w.P.id}/closure-eligibility` }),
    owner: { caller: 'operator', status: 200 },
    crossTenant: {},
    denied: { brandB: 403, partnerQ: 403, brandAUser: 403, otherAccountHeader: 403 },
  },
  {
    method: 'GET',
    path: '/api/v1/payouts/next',
    audience: 'partner',
    request: () => ({ url: '/api/v1/payouts/next' }),
    owner: { caller: 'partnerP', status: 200 },
    crossTenant: 'self',
    // Q has no available balance: nothing expected, and nothing of P's.
    selfCheck: (body) => expect(body).toEqual({ Items: [] }),
  },
  // --- Post-lock corrections: an operator's; read with the action by its brand and partner --
  {
    method: 'GET',
    path: '/api/v1/actions/:id/corrections',
    audience: 'account',
    setup: correctionOfA,
    request: (w) => ({ url: `/api/v1/actions/${w.actionA}/corrections` }),
    owner: { caller: 'brandA', status: 200 },
    crossTenant: { brandB: 404, partnerQ: 404 },
    allowed: ['partnerP', 'operator'],
  },
  {
    method: 'POST',
    path: '/api/v1/operator/actions/:id/corrections',
    audience: 'operator',
    setup: lockActionA,
    request: (w) => ({ url: `/api/v1/operator/actions/${w.actionA}/corrections`, payload: { Amount: '1.00', Reason: 'ADV_ACT_DISPUTE' } }),
    owner: { caller: 'operator', status: 201 },
    crossTenant: {},
    denied: { brandB: 403, partnerQ: 403, brandAUser: 403, otherAccountHeader: 403 },
  },

  // --- Payouts: a partner's own settings and paystubs; the operators' runs --------------------
  {
    method: 'GET',
    path: '/api/v1/withdrawal-settings',
    audience: 'partner',
    setup: settingsOfPQ,
    request: () => ({ url: '/api/v1/withdrawal-settings' }),
    owner: { caller: 'partnerP', status: 200 },
    crossTenant: 'self',
    selfCheck: (body, w) => expect(body).toMatchObject({ MediaPartnerId: w.Q.id, BankAccountNumber: '•••• 6789' }),
  },
  {
    method: 'PUT',
    path: '/api/v1/withdrawal-settings',
    audience: 'partner',
    setup: settingsOfPQ,
    request: () => ({ url: '/api/v1/withdrawal-settings', payload: { PaymentSchedulingType: 'FIXED_DAY', PaymentDay: 15 } }),
    owner: { caller: 'partnerP', status: 200 },
    crossTenant: 'self',
  },
  {
    method: 'GET',
    path: '/api/v1/paystubs',
    audience: 'partner',
    setup: paystubOfP,
    request: () => ({ url: '/api/v1/paystubs' }),
    owner: { caller: 'partnerP', status: 200 },
    crossTenant: 'self',
  },
  ...(['', '/actions', '/actions/export.csv', '/actions/export.xlsx', '/actions/export.pdf'] as const).map(
    (tail): RouteRow => ({
      method: 'GET',
      path: `/api/v1/paystubs/:id${tail}`,
      audience: 'partner',
      setup: paystubOfP,
      request: (w) => ({ url: `/api/v1/paystubs/${(w.extra.paystubP as string | undefined) ?? '1'}${tail}` }),
      owner: { caller: 'partnerP', status: 200 },
      crossTenant: { brandB: 403, partnerQ: 404 },
      allowed: ['operator'],
    }),
  ),
  {
    method: 'GET',
    path: '/api/v1/operator/payout-runs',
    audience: 'operator',
    setup: paystubOfP,
    request: () => ({ url: '/api/v1/operator/payout-runs' }),
    owner: { caller: 'operator', status: 200 },
    crossTenant: {},
    denied: OPERATOR_ONLY,
  },
  ...(['', '/paystubs'] as const).map(
    (tail): RouteRow => ({
      method: 'GET',
      path: `/api/v1/operator/payout-runs/:id${tail}`,
      audience: 'operator',
      setup: paystubOfP,
      request: (w) => ({ url: `/api/v1/operator/payout-runs/${(w.extra.runP as number | undefined) ?? 1}${tail}` }),
      owner: { caller: 'operator', status: 200 },
      crossTenant: {},
      denied: OPERATOR_ONLY,
    }),
  ),
  {
    method: 'GET',
    path: '/api/v1/operator/payout-runs/:id/files/:fileId',
    audience: 'operator',
    setup: paystubOfP,
    request: (w) => ({ url: `/api/v1/operator/payout-runs/${(w.extra.runP as number | undefined) ?? 1}/files/${(w.extra.fileP as number | undefined) ?? 1}` }),
    owner: { caller: 'operator', status: 200 },
    crossTenant: {},
    denied: OPERATOR_ONLY,
  },
  {
    method: 'POST',
    path: '/api/v1/operator/payout-runs/:id/mark-sent',
    audience: 'operator',
    setup: paystubOfP,
    request: (w) => ({ url: `/api/v1/operator/payout-runs/${(w.extra.runP as number | undefined) ?? 1}/mark-sent` }),
    owner: { caller: 'operator', status: 200 },
    crossTenant: {},
    denied: OPERATOR_ONLY,
  },
  {
    method: 'POST',
    path: '/api/v1/operator/paystubs/:id/fail',
    audience: 'operator',
    setup: (w) => paystubOfP(w, { sent: true }),
    request: (w) => ({ url: `/api/v1/operator/paystubs/${(w.extra.paystubP as string | undefined) ?? '1'}/fail`, payload: { Reason: 'Account closed' } }),
    owner: { caller: 'operator', status: 200 },
    crossTenant: {},
    denied: OPERATOR_ONLY,
  },
  {
    method: 'POST',
    path: '/api/v1/operator/manual-paystubs',
    audience: 'operator',
    setup: availableOfP,
    request: (w) => ({ url: '/api/v1/operator/manual-paystubs', payload: { MediaPartnerId: w.P.id } }),
    owner: { caller: 'operator', status: 201 },
    crossTenant: {},
    denied: OPERATOR_ONLY,
  },
  {
    method: 'POST',
    path: '/api/v1/operator/forfeits',
    audience: 'operator',
    setup: availableOfP,
    request: (w) => ({ url: '/api/v1/operator/forfeits', payload: { MediaPartnerId: w.P.id, Reason: 'Closure ticket: the partner gives the balance up' } }),
    owner: { caller: 'operator', status: 201 },
    crossTenant: {},
    denied: OPERATOR_ONLY,
  },

  // --- Balance movements: a partner's own available balance ------------------------------------
  ...(['', '/export.csv', '/export.xlsx', '/export.pdf'] as const).map(
    (tail): RouteRow => ({
      method: 'GET',
      path: `/api/v1/balance/movements${tail}`,
      audience: 'partner',
      setup: movementOfP,
      request: () => ({ url: `/api/v1/balance/movements${tail}` }),
      owner: { caller: 'partnerP', status: 200 },
      crossTenant: 'self',
    }),
  ),
  // --- Balances -----------------------------------------------------------------------------
  {
    method: 'GET',
    path: '/api/v1/balances',
    audience: 'account',
    request: () => ({ url: '/api/v1/balances' }),
    owner: { caller: 'brandA', status: 200 },
    crossTenant: 'self',
    // Neither B nor Q has any action, so neither has a balance; A has the pending payout of its action.
    selfCheck: (body) => expect(body).toEqual({ Balances: [] }),
  },
  ...RETURNS_BATCH_ROUTES,
  ...SFTP_ROUTES,
  ...REPORT_ROUTES,
  ...SCHEDULE_ROUTES,
  ...PIN_ROUTES,
  ...PERFORMANCE_ROUTES,
  {
    method: 'GET',
    path: '/api/v1/webhooks/event-types',
    audience: 'account',
    request: () => ({ url: '/api/v1/webhooks/event-types' }),
    owner: { caller: 'brandA', status: 200 },
    crossTenant: 'self',
    denied: ADMIN_ONLY,
    selfCheck: (body) => expect((body as { Items: Array<{ Type: string }> }).Items.map((i) => i.Type)).toContain('action.approved'),
  },
  {
    method: 'GET',
    path: '/api/v1/webhooks/endpoints',
    audience: 'account',
    setup: webhookEndpointOfA,
    request: () => ({ url: '/api/v1/webhooks/endpoints' }),
    owner: { caller: 'brandA', status: 200 },
    crossTenant: 'self',
    denied: ADMIN_ONLY,
    selfCheck: (body, w) => expect((body as { Items: Array<{ Id: string }> }).Items.map((i) => i.Id)).not.toContain(w.extra.endpointA),
  },
  {
    method: 'POST',
    path: '/api/v1/webhooks/endpoints',
    audience: 'account',
    request: () => ({ url: '/api/v1/webhooks/endpoints', payload: { Url: 'http://127.0.0.1:9/new', EventTypes: ['contract.accepted'] } }),
    owner: { caller: 'brandA', status: 201 },
    crossTenant: 'self',
    denied: ADMIN_ONLY,
  },
  ...(
    [
      ['GET', '/api/v1/webhooks/endpoints/:endpointId', '', undefined, 200],
      ['PATCH', '/api/v1/webhooks/endpoints/:endpointId', '', { Description: 'changed' }, 200],
      ['DELETE', '/api/v1/webhooks/endpoints/:endpointId', '', undefined, 204],
      ['POST', '/api/v1/webhooks/endpoints/:endpointId/rotate-secret', '/rotate-secret', {}, 200],
      ['POST', '/api/v1/webhooks/endpoints/:endpointId/test', '/test', {}, 202],
      ['POST', '/api/v1/webhooks/endpoints/:endpointId/replay', '/replay', 'event', 202],
      ['GET', '/api/v1/webhooks/endpoints/:endpointId/deliveries', '/deliveries', undefined, 200],
    ] as const
  ).map(
    ([method, path, tail, payload, status]): RouteRow => ({
      method,
      path,
      audience: 'account',
      setup: webhookEndpointOfA,
      request: (w) => ({
        url: `/api/v1/webhooks/endpoints/${w.extra.endpointA ?? 1}${tail}`,
        ...(payload === 'event' ? { payload: { EventId: w.extra.eventA ?? '1' } } : payload === undefined ? {} : { payload }),
      }),
      owner: { caller: 'brandA', status },
      crossTenant: { brandB: 404, partnerQ: 404 },
      denied: { ...ADMIN_ONLY, partnerP: 404 },
    }),
  ),
  ...(
    [
      ['GET', '/api/v1/webhooks/deliveries/:deliveryId', '', 200],
      ['POST', '/api/v1/webhooks/deliveries/:deliveryId/replay', '/replay', 202],
    ] as const
  ).map(
    ([method, path, tail, status]): RouteRow => ({
      method,
      path,
      audience: 'account',
      setup: webhookEndpointOfA,
      request: (w) => ({ url: `/api/v1/webhooks/deliveries/${w.extra.deliveryA ?? 1}${tail}`, ...(method === 'POST' ? { payload: {} } : {}) }),
      owner: { caller: 'brandA', status },
      crossTenant: { brandB: 404, partnerQ: 404 },
      denied: { ...ADMIN_ONLY, partnerP: 404 },
    }),
  ),
];
// ---------------------------------------------------------------------------
// Running one row
// ---------------------------------------------------------------------------

const keyOf = (method: string, path: string) => `${method} ${normalizeRoutePath(path)}`;

function send(w: World, caller: Caller, method: string, req: Req, head = false): Promise<LightMyRequestResponse> {
  return w.clients[caller].request({
    method: head ? 'HEAD' : method,
    url: req.url,
    ...(req.payload !== undefined ? { payload: req.payload as object } : {}),
    ...(req.headers ? { headers: req.headers } : {}),
  } as never);
}

/** Runs the check and returns a failure message instead of throwing, so one route reports every failing caller. */
function check(label: string, response: LightMyRequestResponse, expected: Expectation, w: World): string | undefined {
  try {
    if (typeof expected === 'function') {
      expected(response, w);
      return undefined;
    }
    const statuses = Array.isArray(expected) ? expected : [expected];
    expect(statuses).toContain(response.statusCode);
    if (response.statusCode >= 400) {
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(response.json().status).toBe(response.statusCode);
    }
    return undefined;
  } catch (error) {
    return `${label}: expected ${JSON.stringify(typeof expected === 'function' ? 'custom check' : expected)}, got ${response.statusCode} ${response.body.slice(0, 300)}\n    ${(error as Error).message.split('\n')[0]}`;
  }
}

function accountIdsOf(row: Record<string, unknown>): unknown[] {
  return ['account_id', 'brand_account_id', 'partner_account_id', 'owner_account_id'].map((c) => row[c]).filter((v) => v !== undefined);
}

async function runRow(row: RouteRow, dbCtx: DbTestContext, t: TestApp): Promise<void> {
  const w = await buildWorld(t);
  if (row.setup) await row.setup(w);
  const failures: string[] = [];
  const denials: Array<{ caller: Caller; why: string; req: Req; expected: Expectation }> = [];
  const base = row.request(w);
  const merged: Partial<Record<Caller, Expectation>> = { ...DEFAULT_DENIALS[row.audience], ...row.denied };
  if (row.crossTenant !== 'self') Object.assign(merged, row.crossTenant);
  for (const caller of row.allowed ?? []) delete merged[caller];
  for (const [caller, expected] of Object.entries(merged) as Array<[Caller, Expectation]>) {
    denials.push({ caller, why: CALLER_DESCRIPTIONS[caller], req: base, expected });
  }
  for (const extra of row.extra ?? []) {
    denials.push({ caller: extra.caller, why: `${CALLER_DESCRIPTIONS[extra.caller]}, ${extra.why}`, req: extra.request(w), expected: extra.expect });
  }

  let before: DbDump = await dumpDb(dbCtx.db);
  for (const denial of denials) {
    const response = await send(w, denial.caller, row.method, denial.req);
    const label = `${denial.why} (${denial.caller})`;
    const failure = check(label, response, denial.expected, w);
    if (failure) failures.push(failure);
    const after = await dumpDb(dbCtx.db);
    const changes = diffDumps(before, after);
    if (changes.length) {
      failures.push(`${label}: changed the database: ${JSON.stringify(changes).slice(0, 600)}`);
      before = after;
    }
  }

  if (row.crossTenant === 'self') {
    // B and Q act on their own account: they succeed, and see and touch nothing of A's or P's.
    for (const [caller, forbidden] of [
      ['brandB', [...w.markersA, ...w.markersP]],
      ['partnerQ', w.markersP],
    ] as const) {
      if ((row.audience === 'brand' && caller === 'partnerQ') || (row.audience === 'partner' && caller === 'brandB')) continue;
      const response = await send(w, caller, row.method, base);
      if (response.statusCode >= 400) {
        failures.push(`${CALLER_DESCRIPTIONS[caller]} on its own account: got ${response.statusCode} ${response.body.slice(0, 300)}`);
        continue;
      }
      const text = await readableText(response);
      const leaked = forbidden.filter((marker) => text.includes(marker));
      if (leaked.length) failures.push(`${CALLER_DESCRIPTIONS[caller]} saw data of another account: ${leaked.join(', ')}`);
      if (row.selfCheck) {
        try {
          row.selfCheck(String(response.headers['content-type'] ?? '').includes('json') ? response.json() : response.body, w);
        } catch (error) {
          failures.push(`${CALLER_DESCRIPTIONS[caller]} on its own account: ${(error as Error).message.split('\n')[0]}`);
        }
      }
      const after = await dumpDb(dbCtx.db);
      const foreign = [w.A.id, w.P.id];
      const touched = diffDumps(before, after).filter((change) =>
        accountIdsOf((change.after ?? change.before)!).some((id) => foreign.includes(id as number)),
      );
      if (touched.length) failures.push(`${CALLER_DESCRIPTIONS[caller]} changed rows of A or P: ${JSON.stringify(touched).slice(0, 600)}`);
      before = after;
    }
  }

  // Those the row allows besides the owner (reads only) really get an answer.
  if (row.method === 'GET') {
    for (const caller of row.allowed ?? []) {
      const response = await send(w, caller, row.method, base);
      if (response.statusCode !== 200) failures.push(`${CALLER_DESCRIPTIONS[caller]} (allowed): got ${response.statusCode} ${response.body.slice(0, 300)}`);
    }
  }

  // The owner's identical request succeeds: the refusals above were about who asked.
  const ownerResponse = await send(w, row.owner.caller, row.method, base);
  if (ownerResponse.statusCode !== row.owner.status) {
    failures.push(`owner (${CALLER_DESCRIPTIONS[row.owner.caller]}): expected ${row.owner.status}, got ${ownerResponse.statusCode} ${ownerResponse.body.slice(0, 300)}`);
  } else if (row.crossTenant === 'self' && row.method === 'GET' && !row.selfCheck) {
    const text = await readableText(ownerResponse);
    const shown = [...w.markersA, ...w.markersP].filter((marker) => text.includes(marker));
    if (!shown.length) failures.push(`owner's answer shows no marker, so the leak check of this route cannot fail: ${text.slice(0, 300)}`);
  }
  expect(failures, `${row.method} ${row.path}:\n  ${failures.join('\n  ')}`).toEqual([]);
}

describeDb('api tenancy, route by route', (db) => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp(db(), { webhookAllowedHosts: ['127.0.0.1'] });
  });
  afterEach(async () => t.close());

  it('the table covers every /api route the app registers, and names no route that does not exist', () => {
    const registered = apiRoutesOf(t.app).filter((r) => r.method !== 'HEAD');
    expect(registered.length).toBeGreaterThanOrEqual(30);
    const inTable = new Set(ROUTES.map((r) => keyOf(r.method, r.path)));
    const inApp = new Set(registered.map((r) => `${r.method} ${r.normalized}`));
    const notCovered = [...inApp].filter((key) => !inTable.has(key)).sort();
    const stale = [...inTable].filter((key) => !inApp.has(key)).sort();
    expect({ notCovered, stale }).toEqual({ notCovered: [], stale: [] });
    expect(inTable.size).toBe(ROUTES.length);
  });

  it('every non-public GET route answers HEAD without credentials with 401 too', async () => {
    const w = await buildWorld(t);
    const failures: string[] = [];
    for (const row of ROUTES.filter((r) => r.method === 'GET' && r.audience !== 'public')) {
      const response = await send(w, 'anonymous', 'GET', row.request(w), true);
      if (response.statusCode !== 401) failures.push(`HEAD ${row.path}: ${response.statusCode}`);
    }
    expect(failures).toEqual([]);
  });

  it.each(ROUTES.map((row) => [`${row.method} ${row.path}`, row] as const))('%s', async (_name, row) => {
    await runRow(row, db(), t);
  });
});
