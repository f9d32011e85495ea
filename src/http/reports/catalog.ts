/**
 * The report catalog (issue 16 item 1): one definition per report, its filters (the same
 * zod schema as the list's download), its columns, who may run it and where its rows come
 * from. The catalog page (Reports → All Reports), the async exports (POST
 * /api/v1/reports/{report}/exports) and the impact-compatible ReportExport read the same
 * definition, so a file holds the same rows under the same names whichever way it is asked
 * for.
 */
import type { z } from 'zod';
import type { ServiceContext } from '../../core/context.js';
import { forbidden } from '../../core/errors.js';
import type { Actor } from '../../modules/accounts/actor.js';
import { exportActions, exportSortOf } from '../../modules/actions/list-actions.js';
import { listContractHistory } from '../../modules/contracts/queries.js';
import { listConversions } from '../../modules/conversions/list-conversions.js';
import { exportBalanceMovements } from '../../modules/ledger/balance-movements.js';
import { listBatches } from '../../modules/returns/queries.js';
import { actionExportQuery } from '../contract/actions.js';
import { conversionsQuery } from '../contract/conversions.js';
import { contractExportQuery } from '../contract/contracts.js';
import { balanceMovementExportQuery } from '../contract/ledger.js';
import { batchListQuery } from '../contract/returns.js';
import { ACTION_EXPORT_COLUMNS, actionFilterOf } from '../contract-mapping/actions.js';
import { CONTRACT_EXPORT_COLUMNS, historyFilterOf } from '../contract-mapping/contracts.js';
import { toConversionDto } from '../contract-mapping/conversions.js';
import { balanceMovementColumns, movementFilterOf } from '../contract-mapping/ledger.js';
import { toReturnsBatchDto } from '../contract-mapping/returns.js';
import type { Cell, ExportColumn } from '../table-export.js';
import { z as zod } from 'zod';
import { requireOperator } from '../../modules/accounts/actor.js';
import { performanceByCounterparty, type PartyRow } from '../../modules/actions/performance.js';
import { listStatements } from '../../modules/billing/queries.js';
import { getPaystubOrThrow, listPaystubActions, listPaystubs } from '../../modules/payouts/queries.js';
import { listLinks } from '../../modules/tracking/list-links.js';
import type { LinkRow } from '../../modules/tracking/queries.js';
import { rowIdText } from '../contract/common.js';
import { paystubListQuery } from '../contract/payouts.js';
import { statementListQuery } from '../contract/statements.js';
import { linksQuery } from '../contract/tracking.js';
import { paystubActionColumns, toPaystubDto } from '../contract-mapping/payouts.js';
import { statementFilterOf, toStatementDto } from '../contract-mapping/statements.js';
import { LINK_SORT_KEYS } from '../contract-mapping/tracking.js';

export const REPORT_CATEGORIES = ['Actions', 'Contracts', 'Finance', 'Performance', 'Returns'] as const;
export type ReportCategory = (typeof REPORT_CATEGORIES)[number];
export type ReportAudience = 'BRAND' | 'PARTNER' | 'OPERATOR';

export interface ReportDefinition<Q = Record<string, unknown>, T = unknown> {
  /** The report's handle in URLs: `pending-payouts-actions`. */
  id: string;
  title: string;
  category: ReportCategory;
  description: string;
  audiences: readonly ReportAudience[];
  /** The filters it takes: the list's own download query. */
  filters: z.ZodType<Q>;
  /** The file's name before the date: `pending-payouts-actions-2026-12-04.csv`. */
  fileName: string;
  columns: Array<ExportColumn<T>>;
  /** Where the web UI shows it (the catalog links there). */
  uiPath: Partial<Record<ReportAudience, string>>;
  rows(ctx: ServiceContext, actor: Actor, filters: Q, now: Date): AsyncIterator<T[]>;
  /** The order its rows are in, when it has one whatever the filters say (named in the file's heading). */
  sortedBy?(filters: Q): { sort: string; order: 'asc' | 'desc' };
}

/** Rows of a paged list, a page at a time, to the end (or a million rows). */
async function* pagesOf<T>(fetch: (page: number, pageSize: number) => Promise<{ items: readonly T[]; total: number }>): AsyncGenerator<T[]> {
  const pageSize = 500;
  for (let n = 1; n <= 2000; n++) {
    const page = await fetch(n, pageSize);
    if (page.items.length === 0) return;
    yield [...page.items];
    if (n * pageSize >= page.total) return;
  }
}

async function* mapChunks<T, U>(chunks: AsyncIterable<T[]>, map: (item: T) => U): AsyncGenerator<U[]> {
  for await (const chunk of chunks) yield chunk.map(map);
}

/** Columns named as the API names the fields of its rows (the DTO's own keys). */
function dtoColumns<T extends Record<string, unknown>>(keys: ReadonlyArray<keyof T & string>, pdf: ReadonlyArray<keyof T & string>): Array<ExportColumn<T>> {
  return keys.map((key) => ({
    header: key,
    pdf: pdf.includes(key),
    value: (row: T): Cell => {
      const value = row[key];
      if (value === null || value === undefined) return null;
      if (typeof value === 'string' || typeof value === 'number') return value;
      return JSON.stringify(value);
    },
  }));
}


function accountOf(actor: Actor, kind: 'BRAND' | 'PARTNER'): number {
  if (actor.type !== 'account' || actor.accountKind !== kind) throw forbidden(`Only a ${kind.toLowerCase()} account runs this report.`);
  return actor.accountId;
}

const conversionExportQuery = conversionsQuery.omit({ page: true, pageSize: true });
const batchExportQuery = batchListQuery.omit({ page: true, pageSize: true });
type ConversionRow = ReturnType<typeof toConversionDto>;
type BatchDtoRow = ReturnType<typeof toReturnsBatchDto>;

const actionReport = (
  id: string,
  title: string,
  description: string,
  fixed: Partial<z.infer<typeof actionExportQuery>>,
  uiPath: Partial<Record<ReportAudience, string>>,
): ReportDefinition<z.infer<typeof actionExportQuery>> =>
  ({
    id,
    title,
    category: 'Actions',
    description,
    audiences: ['BRAND', 'PARTNER', 'OPERATOR'],
    filters: actionExportQuery,
    fileName: id,
    columns: ACTION_EXPORT_COLUMNS,
    uiPath,
    rows: (ctx, actor, q, now) => exportActions(ctx.db, actor, actionFilterOf({ ...q, ...fixed }), now),
    sortedBy: (q) => exportSortOf(actionFilterOf(q)),
  }) as ReportDefinition<z.infer<typeof actionExportQuery>>;

const statementExportQuery = statementListQuery.omit({ page: true, pageSize: true });
const paystubExportQuery = paystubListQuery.omit({ page: true, pageSize: true });
const paystubListingQuery = zod.object({ paystubId: zod.string().regex(/^[1-9][0-9]{0,17}$/, 'a paystub id') }).strict();
const linkExportQuery = linksQuery.omit({ page: true, pageSize: true });
type StatementDtoRow = ReturnType<typeof toStatementDto>;
type PaystubDtoRow = ReturnType<typeof toPaystubDto>;

const calendarDay = zod.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date, YYYY-MM-DD');
const performanceQuery = zod
  .object({
    from: calendarDay.optional().describe('First day (default: 30 days ago), in the account’s time zone'),
    to: calendarDay.optional().describe('Last day, included (default: today)'),
    programId: rowIdText().optional(),
  })
  .strict();

/** A brand's partners, or a partner's brands, by payout over a range of days (the Home chart's report). */
function performanceReport(id: string, title: string, audience: 'BRAND' | 'PARTNER', party: 'MediaPartner' | 'Brand') {
  const money = (minor: (row: PartyRow) => bigint) => (row: PartyRow) => ({ minor: minor(row), currency: row.currency });
  return {
    id,
    title,
    category: 'Performance',
    description: `Actions, sale amounts and payouts per ${party === 'Brand' ? 'brand' : 'partner'} over a range of days (reversed actions left out), the highest payout first in each currency.`,
    audiences: [audience],
    filters: performanceQuery,
    fileName: id,
    columns: [
      { header: `${party}Id`, value: (row: PartyRow) => row.accountId, pdf: true, width: 10 },
      { header: `${party}Name`, value: (row: PartyRow) => row.name, pdf: true, width: 28 },
      { header: 'Currency', value: (row: PartyRow) => row.currency, pdf: true, width: 8 },
      { header: 'Actions', value: (row: PartyRow) => row.actions, pdf: true, alignRight: true, width: 10 },
      { header: 'Amount', value: money((row) => row.amountMinor), pdf: true, alignRight: true, width: 14 },
      { header: 'Payout', value: money((row) => row.payoutMinor), pdf: true, alignRight: true, width: 14 },
    ],
    uiPath: { [audience]: '/home' },
    rows: async function* (ctx: ServiceContext, actor: Actor, q: zod.infer<typeof performanceQuery>, now: Date) {
      if (actor.type !== 'account' || actor.accountKind !== audience) throw forbidden(`Only a ${audience.toLowerCase()} account runs this report.`);
      const day = (at: Date) => at.toLocaleDateString('en-CA', { timeZone: actor.accountTimeZone });
      const to = q.to ?? day(now);
      const from = q.from ?? day(new Date(now.getTime() - 29 * 86_400_000));
      yield await performanceByCounterparty(ctx.db, actor, { from, to, timeZone: actor.accountTimeZone, ...(q.programId ? { programId: q.programId } : {}) }, 100_000);
    },
  } as unknown as ReportDefinition<never, never>;
}

/** Every report, in the catalog's order. */
export const REPORTS: ReadonlyArray<ReportDefinition<never, never>> = [
  actionReport('pending-payouts-actions', 'Pending Payouts Actions', 'Every action with its state, amounts, payout and locking date: the Pending Payouts table.', {}, {
    BRAND: '/transactions/pending-payouts',
    PARTNER: '/transactions/actions',
    OPERATOR: '/operator/actions',
  }),
  actionReport('reversed-actions', 'Reversed Actions', 'The actions reversed, with the reason of each.', { state: 'REVERSED' }, {
    BRAND: '/transactions/pending-payouts/reversed',
    PARTNER: '/transactions/actions?statusDetail=Reversed',
    OPERATOR: '/operator/actions',
  }),
  {
    id: 'rejected-conversions',
    title: 'Rejected conversions',
    category: 'Actions',
    description: 'Conversions reported but not credited to a partner, with the reason (no click, expired contract, duplicate order…).',
    audiences: ['BRAND'],
    filters: conversionExportQuery,
    fileName: 'rejected-conversions',
    columns: dtoColumns<ConversionRow>(
      ['Id', 'CampaignId', 'CampaignName', 'ActionTrackerId', 'EventTypeName', 'OrderId', 'EventDate', 'ClickId', 'MediaPartnerId', 'MediaPartnerName', 'Amount', 'Currency', 'Status', 'RejectReason', 'CreatedDate'],
      ['Id', 'CampaignName', 'OrderId', 'EventDate', 'Amount', 'Currency', 'RejectReason'],
    ),
    uiPath: { BRAND: '/transactions/pending-payouts/rejected-conversions' },
    rows: (ctx: ServiceContext, actor: Actor, q: z.infer<typeof conversionExportQuery>) => {
      const brand = accountOf(actor, 'BRAND');
      const { from, to, ...rest } = q;
      const pages = pagesOf((page, pageSize) =>
        listConversions(ctx.db, brand, {
          ...rest,
          status: rest.status ?? 'REJECTED',
          page,
          pageSize,
          ...(from ? { from: new Date(from) } : {}),
          ...(to ? { to: new Date(to) } : {}),
        }),
      );
      return mapChunks(pages, toConversionDto);
    },
  } as ReportDefinition<z.infer<typeof conversionExportQuery>, ConversionRow>,
  {
    id: 'contract-history',
    title: 'Contract History',
    category: 'Contracts',
    description: 'Every contract with its partner, terms, start and end dates in the program’s time zone, and how it ended.',
    audiences: ['BRAND', 'PARTNER'],
    filters: contractExportQuery,
    fileName: 'contract-history',
    columns: CONTRACT_EXPORT_COLUMNS,
    uiPath: { BRAND: '/reports/contract-history', PARTNER: '/reports/contract-history' },
    rows: (ctx: ServiceContext, actor: Actor, q: z.infer<typeof contractExportQuery>, now: Date) =>
      pagesOf((page, pageSize) => listContractHistory(ctx.db, actor, { ...historyFilterOf(q), page, pageSize }, now)),
  } as ReportDefinition<z.infer<typeof contractExportQuery>>,
  {
    id: 'balance-movements',
    title: 'Balance movements',
    category: 'Finance',
    description: 'What came into and went out of the available balance: cleared payouts, withdrawals, fees, forfeits.',
    audiences: ['PARTNER'],
    filters: balanceMovementExportQuery,
    fileName: 'balance-movements',
    columns: balanceMovementColumns,
    uiPath: { PARTNER: '/finance/balance' },
    rows: (ctx: ServiceContext, actor: Actor, q: z.infer<typeof balanceMovementExportQuery>) =>
      exportBalanceMovements(ctx.db, accountOf(actor, 'PARTNER'), movementFilterOf(q)),
  } as ReportDefinition<z.infer<typeof balanceMovementExportQuery>>,
  {
    id: 'returns-batches',
    title: 'Returns batches',
    category: 'Returns',
    description: 'Every returns file received, by which channel, with its status and counts by outcome.',
    audiences: ['BRAND'],
    filters: batchExportQuery,
    fileName: 'returns-batches',
    columns: dtoColumns<BatchDtoRow>(
      ['Id', 'FileName', 'Channel', 'ProgramName', 'EventTypeName', 'Format', 'Bytes', 'ReceivedAt', 'CompletedAt', 'Status', 'RowsDone', 'RowsTotal', 'Counts', 'Error'],
      ['Id', 'FileName', 'Channel', 'EventTypeName', 'ReceivedAt', 'Status', 'RowsDone', 'RowsTotal'],
    ),
    uiPath: { BRAND: '/transactions/returns-batches' },
    rows: (ctx: ServiceContext, actor: Actor, q: z.infer<typeof batchExportQuery>) => {
      accountOf(actor, 'BRAND');
      const pages = pagesOf((page, pageSize) => listBatches(ctx.db, actor, { ...q, page, pageSize } as Parameters<typeof listBatches>[2]));
      return mapChunks(pages, toReturnsBatchDto);
    },
  } as ReportDefinition<z.infer<typeof batchExportQuery>, BatchDtoRow>,
  {
    id: 'statements',
    title: 'Statements',
    category: 'Finance',
    description: 'The monthly statements of what the brand owes for its locked payouts: total, paid, owed, due date and status.',
    audiences: ['BRAND', 'OPERATOR'],
    filters: statementExportQuery,
    fileName: 'statements',
    columns: dtoColumns<StatementDtoRow>(
      ['Id', 'Number', 'BrandAccountId', 'BrandName', 'CampaignId', 'CampaignName', 'Currency', 'PeriodStart', 'PeriodEnd', 'DueDate', 'IssuedDate', 'Actions', 'Total', 'Paid', 'Owed', 'Status', 'PaidDate', 'ClearedDate'],
      ['Number', 'CampaignName', 'Currency', 'PeriodStart', 'DueDate', 'Total', 'Paid', 'Owed', 'Status'],
    ),
    uiPath: { BRAND: '/finance/statements', OPERATOR: '/operator/statements' },
    rows: (ctx: ServiceContext, actor: Actor, q: z.infer<typeof statementExportQuery>, now: Date) => {
      if (q.brandId !== undefined) requireOperator(actor);
      if (actor.type === 'account') accountOf(actor, 'BRAND');
      const pages = pagesOf((page, pageSize) => listStatements(ctx.db, actor, { page, pageSize, ...statementFilterOf(q) }, now));
      return mapChunks(pages, toStatementDto);
    },
  } as ReportDefinition<z.infer<typeof statementExportQuery>, StatementDtoRow>,
  {
    id: 'paystubs',
    title: 'Paystubs',
    category: 'Finance',
    description: 'Every withdrawal: gross, fee, net, how and where it was paid, and its status.',
    audiences: ['PARTNER'],
    filters: paystubExportQuery,
    fileName: 'paystubs',
    columns: dtoColumns<PaystubDtoRow>(
      ['Id', 'RunId', 'CreatedDate', 'Kind', 'PaymentMethod', 'WithdrawalMethod', 'Destination', 'Currency', 'Gross', 'Fee', 'Net', 'Actions', 'Status', 'SentDate', 'FailedDate', 'FailureReason'],
      ['Id', 'CreatedDate', 'PaymentMethod', 'Currency', 'Gross', 'Fee', 'Net', 'Status'],
    ),
    uiPath: { PARTNER: '/finance/withdrawals' },
    rows: (ctx: ServiceContext, actor: Actor, q: z.infer<typeof paystubExportQuery>) => {
      accountOf(actor, 'PARTNER');
      const pages = pagesOf((page, pageSize) =>
        listPaystubs(ctx.db, actor, {
          page,
          pageSize,
          ...(q.sort ? { sort: q.sort } : {}),
          ...(q.order ? { order: q.order } : {}),
          ...(q.status ? { status: q.status } : {}),
          ...(q.currency ? { currency: q.currency } : {}),
        }),
      );
      return mapChunks(pages, toPaystubDto);
    },
  } as ReportDefinition<z.infer<typeof paystubExportQuery>, PaystubDtoRow>,
  {
    id: 'paystub-action-listing',
    title: 'Paystub Action Listing',
    category: 'Finance',
    description: 'The actions one paystub paid, with their payouts (paystubId is required).',
    audiences: ['PARTNER', 'OPERATOR'],
    filters: paystubListingQuery,
    fileName: 'paystub-actions',
    columns: paystubActionColumns(),
    uiPath: {},
    rows: async function* (ctx: ServiceContext, actor: Actor, q: z.infer<typeof paystubListingQuery>) {
      if (actor.type === 'account') accountOf(actor, 'PARTNER');
      const paystub = await getPaystubOrThrow(ctx.db, actor, BigInt(q.paystubId));
      yield* pagesOf((page, pageSize) => listPaystubActions(ctx.db, paystub.id, { page, pageSize }));
    },
  } as unknown as ReportDefinition<z.infer<typeof paystubListingQuery>>,
  {
    id: 'clicks-by-link',
    title: 'Clicks by link',
    category: 'Performance',
    description: 'Every tracking link with its program, partner, landing page, status and the clicks it has had.',
    audiences: ['BRAND', 'PARTNER'],
    filters: linkExportQuery,
    fileName: 'clicks-by-link',
    columns: [
      { header: 'Id', value: (l: LinkRow) => l.id, pdf: true, width: 8 },
      { header: 'Code', value: (l: LinkRow) => l.code, pdf: true, width: 12 },
      { header: 'CampaignName', value: (l: LinkRow) => l.programName, pdf: true, width: 20 },
      { header: 'MediaPartnerName', value: (l: LinkRow) => l.partnerName, pdf: true, width: 20 },
      { header: 'Label', value: (l: LinkRow) => l.label, pdf: true, width: 16 },
      { header: 'LandingUrl', value: (l: LinkRow) => l.landingUrl, width: 40 },
      { header: 'Status', value: (l: LinkRow) => l.effectiveState, pdf: true, width: 12 },
      { header: 'Clicks', value: (l: LinkRow) => l.clickCount, pdf: true, alignRight: true, width: 10 },
      { header: 'CreatedDate', value: (l: LinkRow) => l.createdAt, width: 20 },
    ],
    uiPath: { PARTNER: '/transactions/links' },
    rows: (ctx: ServiceContext, actor: Actor, q: z.infer<typeof linkExportQuery>) => {
      const { sort, ...rest } = q;
      return pagesOf((page, pageSize) => listLinks(ctx, actor, { ...rest, page, pageSize, ...(sort ? { sort: LINK_SORT_KEYS[sort] } : {}) }));
    },
  } as ReportDefinition<z.infer<typeof linkExportQuery>, LinkRow>,
  performanceReport('performance-by-partner', 'Performance by partner', 'BRAND', 'MediaPartner'),
  performanceReport('performance-by-brand', 'Performance by brand', 'PARTNER', 'Brand'),
] as unknown as ReadonlyArray<ReportDefinition<never, never>>;

export function audienceOf(actor: Actor): ReportAudience {
  return actor.type === 'operator' ? 'OPERATOR' : actor.accountKind === 'BRAND' ? 'BRAND' : 'PARTNER';
}

/** The reports this caller may run. */
export function reportsFor(actor: Actor): ReadonlyArray<ReportDefinition<never, never>> {
  const audience = audienceOf(actor);
  return REPORTS.filter((report) => report.audiences.includes(audience));
}

export function findReport(id: string): ReportDefinition<Record<string, unknown>, unknown> | undefined {
  return REPORTS.find((report) => report.id === id) as ReportDefinition<Record<string, unknown>, unknown> | undefined;
}
